/**
 * `network.collections`: the replicated collections of one network (SPEC §6 Collections), what
 * generated `balances.writer(network)` / `balances.reader(network)` handles open.
 *
 * Each collection is its own Raft group on the Groups runtime, keyed by its StoreId
 * (`derive(GroupId, typeSignature)`, plus the snapshot batch size when it is not the default, since
 * replicas must cut snapshots identically). A writer joins as a normal member: it votes, may lead
 * and may write. A reader joins as an observer: a learner that replicates the log but never votes
 * and never leads, and its handle has no mutations. One node opens a given collection at most once.
 */
import type { CollectionOptions, CollectionRole } from '../../codegen/collections.ts'
import type {
  CollectionDescriptor,
  CollectionDescriptorOf,
  CollectionKind,
} from '../../codegen/descriptors.ts'
import type { CollectionApi, CollectionsRuntime } from '../../codegen/seam.ts'
import { verifyDescriptor } from '../../codegen/verify.ts'
import type { GroupTiming } from '../../groups/profiles.ts'
import type { GroupSpec } from '../../groups/runtime/group.ts'
import type { Network } from '../../network/network.ts'
import { Digest, derive } from '../../primitives/digest.ts'
import { InvalidInputError } from '../../primitives/errors.ts'
import type { CollectionHandle, HandleParts } from './handle.ts'
import {
  CellReaderHandle,
  CellWriterHandle,
  MapReaderHandle,
  MapWriterHandle,
  OnceReaderHandle,
  OnceWriterHandle,
  PriorityQueueReaderHandle,
  PriorityQueueWriterHandle,
  SetReaderHandle,
  SetWriterHandle,
  VecReaderHandle,
  VecWriterHandle,
} from './kinds.ts'
import { CollectionMetrics } from './metrics.ts'
import { DEFAULT_SNAPSHOT_BATCH, Replica } from './replica.ts'
import { stateFactory, validatorsOf } from './states.ts'

/**
 * Options of `network.collections.open`: the generated handles' options plus individual timing
 * settings, for tests and benchmarks that tune them (consensus settings change the StoreId).
 */
export interface CollectionRuntimeOptions extends CollectionOptions {
  /** Individual timing settings over the profile's. */
  readonly timing?: Partial<GroupTiming>
}

type HandleClass = new (parts: HandleParts) => CollectionHandle<unknown, unknown>

const HANDLES: Readonly<Record<CollectionKind, Readonly<Record<CollectionRole, HandleClass>>>> = {
  map: { writer: MapWriterHandle, reader: MapReaderHandle },
  vec: { writer: VecWriterHandle, reader: VecReaderHandle },
  set: { writer: SetWriterHandle, reader: SetReaderHandle },
  cell: { writer: CellWriterHandle, reader: CellReaderHandle },
  once: { writer: OnceWriterHandle, reader: OnceReaderHandle },
  priorityQueue: { writer: PriorityQueueWriterHandle, reader: PriorityQueueReaderHandle },
}

/** `network.collections`: opens collection handles (see the module comment). */
export class Collections implements CollectionsRuntime {
  readonly #network: Network

  /** Created by `Network`; use `network.collections`. */
  constructor(network: Network) {
    this.#network = network
  }

  /**
   * Opens a writer or reader of `descriptor`'s collection. Throws InvalidInputError for bad
   * options or when this node already has the collection open, ConfigError for bad timing.
   */
  open<Kind extends CollectionKind, Role extends CollectionRole>(
    descriptor: CollectionDescriptorOf<Kind>,
    role: Role,
    options: CollectionRuntimeOptions = {},
  ): CollectionApi<Kind, Role> {
    if (role !== 'writer' && role !== 'reader')
      throw new InvalidInputError(`unknown collection role '${role}'`)
    if (role === 'reader' && options.storage !== undefined) {
      throw new InvalidInputError(
        `collection '${descriptor.name}': storage is for writers; a reader keeps its log in memory`,
      )
    }
    verifyDescriptor(descriptor, descriptor.kind)
    const batchSize = snapshotBatch(options)
    const validators = validatorsOf(descriptor as CollectionDescriptor)
    const replica = new Replica(stateFactory(descriptor as CollectionDescriptor, validators), batchSize)
    const { sync: _sync, ...groupOptions } = options
    const spec: GroupSpec = {
      ...groupOptions,
      name: descriptor.name,
      typeSignature: storeSignature(descriptor, batchSize),
      machine: replica,
      leadership: role === 'writer' ? 'normal' : 'observer',
    }
    const group = this.#network.groups.open(spec)
    replica.observe(new CollectionMetrics(this.#network.metrics, `${descriptor.name}/${group.storeId.short}`))
    const Handle = HANDLES[descriptor.kind][role]
    const parts = { name: descriptor.name, role, group, replica, validators }
    const handle = new Handle(options.signal === undefined ? parts : { ...parts, signal: options.signal })
    return handle as unknown as CollectionApi<Kind, Role>
  }
}

function snapshotBatch(options: CollectionOptions): number {
  const size = options.sync?.batchSize ?? DEFAULT_SNAPSHOT_BATCH
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidInputError(`sync.batchSize must be a positive integer, got ${String(size)}`)
  }
  return size
}

/** The signature feeding the StoreId: the declaration's, plus a non-default snapshot batch size. */
function storeSignature(descriptor: CollectionDescriptor, batchSize: number): Digest {
  const signature = Digest.fromHex(descriptor.typeSignature)
  return batchSize === DEFAULT_SNAPSHOT_BATCH ? signature : derive(signature, 'snapshot-batch', batchSize)
}
