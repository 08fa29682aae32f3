/**
 * The seam between generated handles and the runtime: what a `Network` provides so that
 * `orders.producer(network)`, `matcher.join(network, machine)` and `balances.writer(network)` work.
 * Each handle asks only for the subsystem it needs (`StreamsHost`, `GroupsHost`,
 * `CollectionsHost`), so a network without a subsystem is a compile error at the call site, not a
 * runtime surprise. The subsystems receive the frozen descriptor and do everything else: identity,
 * discovery, validation, transport.
 */
import type { Digest } from '../primitives/digest.ts'
import type { WaitOptions } from '../primitives/watch.ts'
import type {
  CellReader,
  CellWriter,
  CollectionOptions,
  CollectionRole,
  MapReader,
  MapWriter,
  OnceReader,
  OnceWriter,
  PriorityQueueReader,
  PriorityQueueWriter,
  SetReader,
  SetWriter,
  VecReader,
  VecWriter,
} from './collections.ts'
import type {
  CollectionDescriptorOf,
  CollectionKind,
  GroupDescriptor,
  StreamDescriptor,
} from './descriptors.ts'
import type {
  ApplyContext,
  CommandOptions,
  GroupMembers,
  GroupOptions,
  GroupWhen,
  Index,
  QueryOptions,
} from './groups.ts'
import type { Consumer, ConsumerOptions, Producer, ProducerOptions } from './streams.ts'

/** What the Streams subsystem provides to generated stream handles. */
export interface StreamsRuntime {
  /** Opens a producer for the stream; validates datums against `descriptor.datum`. */
  producer<T>(descriptor: StreamDescriptor, options: ProducerOptions): Producer<T>
  /** Opens a consumer for the stream; validates received datums against `descriptor.datum`. */
  consumer<T>(descriptor: StreamDescriptor, options: ConsumerOptions): Consumer<T>
}

/**
 * The user's state machine as the Groups runtime drives it: commands and queries by name. Built by
 * codegen-v1 from the typed machine; only names present in the descriptor are dispatched.
 */
export interface MachineAdapter {
  readonly descriptor: GroupDescriptor
  /** Applies a committed, already validated command. */
  apply(command: string, value: unknown, context: ApplyContext): void
  /** Runs a query against the local state; the runtime validates the result against its schema. */
  query(query: string, input: unknown): unknown
  snapshot(): unknown
  restore(snapshot: unknown): void
}

/** A joined group, untyped: the Groups runtime implements this; codegen-v1 adds the typed methods. */
export interface GroupSession extends AsyncDisposable {
  readonly groupId: Digest
  readonly storeId: Digest
  readonly when: GroupWhen
  readonly leader: string | undefined
  readonly isLeader: boolean
  readonly members: GroupMembers
  readonly committed: Index
  /** Proposes command `command`; resolves after commit and local apply. */
  execute(command: string, value: unknown, options?: CommandOptions): Promise<Index>
  /** Proposes command `command`; resolves once the leader assigned an index. */
  feed(command: string, value: unknown, options?: CommandOptions): Promise<Index>
  query(query: string, input: unknown, options?: QueryOptions): Promise<unknown>
  close(): Promise<void>
}

/** What the Groups subsystem provides to generated group handles. */
export interface GroupsRuntime {
  /** Joins (or creates) the group of `descriptor` on this network with the given machine. */
  join(descriptor: GroupDescriptor, machine: MachineAdapter, options: GroupOptions): GroupSession
}

/** The writer and reader interfaces of each collection kind, for key `K`, value `V`, priority `P`. */
export interface CollectionApis<K, V, P> {
  map: { writer: MapWriter<K, V>; reader: MapReader<K, V> }
  vec: { writer: VecWriter<V>; reader: VecReader<V> }
  set: { writer: SetWriter<V>; reader: SetReader<V> }
  cell: { writer: CellWriter<V>; reader: CellReader<V> }
  once: { writer: OnceWriter<V>; reader: OnceReader<V> }
  priorityQueue: { writer: PriorityQueueWriter<P, K, V>; reader: PriorityQueueReader<P, K, V> }
}

/** The handle type of collection kind `Kind` in role `Role`. */
export type CollectionApi<
  Kind extends CollectionKind,
  Role extends CollectionRole,
  K = unknown,
  V = unknown,
  P = unknown,
> = CollectionApis<K, V, P>[Kind][Role]

/** What the Collections subsystem provides to generated collection handles. */
export interface CollectionsRuntime {
  /**
   * Opens a writer (voter) or reader (learner) of the collection of `descriptor`. Values are
   * validated against the descriptor's schemas on write and on receipt.
   */
  open<Kind extends CollectionKind, Role extends CollectionRole>(
    descriptor: CollectionDescriptorOf<Kind>,
    role: Role,
    options: CollectionOptions,
  ): CollectionApi<Kind, Role>
}

/** A network that runs streams. */
export interface StreamsHost {
  readonly streams: StreamsRuntime
}

/** A network that runs groups. */
export interface GroupsHost {
  readonly groups: GroupsRuntime
}

/** A network that runs collections. */
export interface CollectionsHost {
  readonly collections: CollectionsRuntime
}

/** Everything generated code may ask of a network. */
export type CodegenNetwork = StreamsHost & GroupsHost & CollectionsHost

export type { WaitOptions }
