/**
 * The typed factories generated code calls, one per declaration kind:
 * `export const orders = stream<Order>({ ...descriptor })`. A factory checks the embedded descriptor
 * against its schemas (so hand-edited generated code fails loudly instead of partitioning the
 * network), freezes it, and returns a handle whose methods delegate to the network's subsystem.
 */
import { Digest } from '../primitives/digest.ts'
import type { CollectionOptions } from './collections.ts'
import type {
  CellDescriptor,
  CollectionDescriptor,
  CollectionDescriptorOf,
  CollectionKind,
  Descriptor,
  GroupDescriptor,
  MapDescriptor,
  OnceDescriptor,
  PriorityQueueDescriptor,
  SetDescriptor,
  StreamDescriptor,
  VecDescriptor,
} from './descriptors.ts'
import { adaptMachine, groupClient } from './group-client.ts'
import type { CommandMap, GroupClient, GroupMachine, GroupOptions, QueryMap } from './groups.ts'
import type { CollectionApi, CollectionsHost, GroupsHost, StreamsHost } from './seam.ts'
import type { Consumer, ConsumerOptions, Producer, ProducerOptions } from './streams.ts'
import { verifyDescriptor } from './verify.ts'

/** A stream declaration in generated code. */
export interface StreamHandle<T> {
  readonly descriptor: StreamDescriptor
  readonly name: string
  readonly streamId: Digest
  /** Opens a producer of `T` on `network`. */
  producer(network: StreamsHost, options?: ProducerOptions): Producer<T>
  /** Opens a consumer of `T` on `network`. */
  consumer(network: StreamsHost, options?: ConsumerOptions): Consumer<T>
}

/** A group declaration in generated code. */
export interface GroupHandle<C extends CommandMap, Q extends QueryMap> {
  readonly descriptor: GroupDescriptor
  readonly name: string
  /** Joins the group on `network`, applying committed commands to `machine`. */
  join<S>(network: GroupsHost, machine: GroupMachine<C, Q, S>, options?: GroupOptions): GroupClient<C, Q>
}

/** A collection declaration in generated code: a writer (voter) or a reader (learner). */
export interface CollectionHandle<D extends CollectionDescriptor, W, R> {
  readonly descriptor: D
  readonly name: string
  writer(network: CollectionsHost, options?: CollectionOptions): W
  reader(network: CollectionsHost, options?: CollectionOptions): R
}

/** The handle of collection kind `Kind` with keys `K`, values `V` and priorities `P`. */
type HandleOf<Kind extends CollectionKind, K, V, P = never> = CollectionHandle<
  CollectionDescriptorOf<Kind>,
  CollectionApi<Kind, 'writer', K, V, P>,
  CollectionApi<Kind, 'reader', K, V, P>
>

export type MapHandle<K, V> = HandleOf<'map', K, V>
export type VecHandle<T> = HandleOf<'vec', never, T>
export type SetHandle<T> = HandleOf<'set', never, T>
export type CellHandle<T> = HandleOf<'cell', never, T>
export type OnceHandle<T> = HandleOf<'once', never, T>
export type PriorityQueueHandle<P, K, V> = HandleOf<'priorityQueue', K, V, P>

function prepare<D extends Descriptor>(descriptor: D, kind: D['kind']): D {
  verifyDescriptor(descriptor, kind)
  return deepFreeze(descriptor)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}

/** The handle of a stream declaration carrying datums of type `T`. */
export function stream<T>(descriptor: StreamDescriptor): StreamHandle<T> {
  const d = prepare(descriptor, 'stream')
  return Object.freeze({
    descriptor: d,
    name: d.name,
    streamId: Digest.fromHex(d.streamId),
    producer: (network: StreamsHost, options: ProducerOptions = {}) =>
      network.streams.producer<T>(d, options),
    consumer: (network: StreamsHost, options: ConsumerOptions = {}) =>
      network.streams.consumer<T>(d, options),
  })
}

/** The handle of a group declaration with commands `C` and queries `Q`. */
export function group<C extends CommandMap, Q extends QueryMap>(
  descriptor: GroupDescriptor,
): GroupHandle<C, Q> {
  const d = prepare(descriptor, 'group')
  return Object.freeze({
    descriptor: d,
    name: d.name,
    join<S>(
      network: GroupsHost,
      machine: GroupMachine<C, Q, S>,
      options: GroupOptions = {},
    ): GroupClient<C, Q> {
      const session = network.groups.join(d, adaptMachine(d, machine), options)
      return groupClient<C, Q>(d, session)
    },
  })
}

function collection<D extends CollectionDescriptor, W, R>(
  descriptor: D,
  kind: D['kind'],
): CollectionHandle<D, W, R> {
  const d = prepare(descriptor, kind)
  // The runtime validates every value against the descriptor's schemas, which is what makes the
  // narrowing from its unknown-typed handles to W/R sound.
  return Object.freeze({
    descriptor: d,
    name: d.name,
    writer: (network: CollectionsHost, options: CollectionOptions = {}) =>
      network.collections.open(d, 'writer', options) as W,
    reader: (network: CollectionsHost, options: CollectionOptions = {}) =>
      network.collections.open(d, 'reader', options) as R,
  })
}

/** The handle of a Map declaration with keys `K` and values `V`. */
export function map<K, V>(descriptor: MapDescriptor): MapHandle<K, V> {
  return collection(descriptor, 'map')
}

/** The handle of a Vec declaration with elements `T`. */
export function vec<T>(descriptor: VecDescriptor): VecHandle<T> {
  return collection(descriptor, 'vec')
}

/** The handle of a Set declaration with elements `T`. */
export function set<T>(descriptor: SetDescriptor): SetHandle<T> {
  return collection(descriptor, 'set')
}

/** The handle of a Cell declaration holding a `T`. */
export function cell<T>(descriptor: CellDescriptor): CellHandle<T> {
  return collection(descriptor, 'cell')
}

/** The handle of a Once declaration holding a `T`. */
export function once<T>(descriptor: OnceDescriptor): OnceHandle<T> {
  return collection(descriptor, 'once')
}

/** The handle of a PriorityQueue declaration with priorities `P`, keys `K` and values `V`. */
export function priorityQueue<P, K, V>(descriptor: PriorityQueueDescriptor): PriorityQueueHandle<P, K, V> {
  return collection(descriptor, 'priorityQueue')
}
