/**
 * The typed collection API (SPEC §6 Collections): what generated `balances.writer(network)` /
 * `balances.reader(network)` handles return. Each collection is its own Raft group keyed by its
 * StoreId. Writers vote, may lead and may write; readers are learners with a read-only API —
 * readers are the `…Reader` interfaces, writers extend them with mutations.
 *
 * Reads are local and synchronous from an immutable snapshot of this replica. Every mutation
 * resolves with the `Version` (commit index) it committed at, after it was applied locally, so a
 * read right after `await` sees it. A value that fails the declaration's schema is refused with a
 * `ValidationError`; an operation the state cannot take (e.g. a Vec insert past the end) is a
 * rejected command (`ERR_COMMAND_REJECTED`), never a crash.
 */
import type { Digest } from '../primitives/digest.ts'
import type { WaitOptions } from '../primitives/watch.ts'
import type { TicketValidator } from '../tickets/ticket.ts'
import type { Consistency, Index } from './groups.ts'
import type { PeerInfo } from './streams.ts'

/** The commit index a collection state corresponds to. Increases with every committed command. */
export type Version = Index

/** Whether a collection handle writes (votes, may lead) or only reads (a learner). */
export type CollectionRole = 'writer' | 'reader'

/** Options of `handle.writer(network, options)` / `handle.reader(network, options)`. */
export interface CollectionOptions {
  /** Group secret: feeds the GroupId and proves membership when bonding. */
  readonly secret?: string | Uint8Array
  /** In-memory log (default) or a durable write-ahead log in `dir` (writers only). */
  readonly storage?: { readonly dir: string; readonly fsync?: boolean }
  /**
   * Writers bonded before the first election (default 1). Nodes that start at the same time and
   * may not see each other yet should set the number of writers they expect, so they form one
   * group instead of several that merge later.
   */
  readonly minVoters?: number
  /** Timing profile name (`'lan'` default, `'wan'`, `'mosaik'`); settings that must agree feed the StoreId. */
  readonly profile?: string
  /** Peers must present tickets acceptable to every validator. */
  readonly tickets?: readonly TicketValidator[]
  /** Only peers for which this holds may bond. */
  readonly require?: (peer: PeerInfo) => boolean
  /** Snapshot-sync tuning for late joiners. */
  readonly sync?: { readonly batchSize?: number }
  /** Closes the handle when aborted. */
  readonly signal?: AbortSignal
}

/** Options of `read()`. */
export interface ReadOptions extends WaitOptions {
  /** `linearizable` (default) first confirms the leader's commit index and waits to apply it. */
  readonly consistency?: Consistency
}

/** Options of `watch()`. */
export interface WatchOptions {
  /** Ends the iteration when aborted. */
  readonly signal?: AbortSignal
}

/** Result of a conditional write (compare-and-swap, first write of a Once). */
export interface ConditionalWriteResult {
  /** The version the command committed at (it commits even when it does not apply). */
  readonly version: Version
  /** Whether the write took effect. */
  readonly applied: boolean
}

/** Conditions on a collection; every wait accepts a timeout and an AbortSignal. */
export interface CollectionWhen {
  /** Resolves when the replica is in sync with the group (writers: a leader exists and we follow it). */
  online(options?: WaitOptions): Promise<void>
  offline(options?: WaitOptions): Promise<void>
  /** Resolves with the new version on the next applied change. */
  updated(options?: WaitOptions): Promise<Version>
  /** Resolves once the local version is ≥ `version` (immediately if it already is). */
  reaches(version: Version, options?: WaitOptions): Promise<Version>
}

/** What every collection handle has, whatever its kind or role. */
export interface CollectionHandleBase<Change, View> extends AsyncDisposable {
  /** The declaration name. */
  readonly name: string
  readonly role: CollectionRole
  readonly groupId: Digest
  readonly storeId: Digest
  /** The version of the local state. */
  readonly version: Version
  readonly when: CollectionWhen
  /** A snapshot view of the state; with `linearizable` it includes every write committed before the call. */
  read(options?: ReadOptions): Promise<View>
  /**
   * Changes with previous values, from `fromVersion` (exclusive; default: the current version) on.
   * History is bounded; resuming from a version older than it holds fails with a MosaikError.
   */
  watch(fromVersion?: Version, options?: WatchOptions): AsyncIterable<Change>
  /** Leaves the group and releases every resource. Idempotent. */
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Map

/** A read-only view of a Map at one version. */
export interface MapView<K, V> extends Iterable<[K, V]> {
  readonly version: Version
  readonly size: number
  get(key: K): V | undefined
  has(key: K): boolean
  keys(): IterableIterator<K>
  values(): IterableIterator<V>
  entries(): IterableIterator<[K, V]>
}

/** A Map change. `clear()` produces one `delete` per removed key, all at the same version. */
export type MapChange<K, V> =
  | {
      readonly version: Version
      readonly type: 'insert'
      readonly key: K
      readonly value: V
      readonly previous: V | undefined
    }
  | { readonly version: Version; readonly type: 'delete'; readonly key: K; readonly previous: V }

export interface MapReader<K, V>
  extends MapView<K, V>,
    CollectionHandleBase<MapChange<K, V>, MapView<K, V>> {}

export interface MapWriter<K, V> extends MapReader<K, V> {
  /** Inserts or replaces. */
  insert(key: K, value: V): Promise<Version>
  delete(key: K): Promise<Version>
  /** Deletes several keys in one command. */
  deleteMany(keys: Iterable<K>): Promise<Version>
  /** Inserts several entries in one command. */
  extend(entries: Iterable<readonly [K, V]>): Promise<Version>
  clear(): Promise<Version>
  /**
   * Replaces the value of `key` when it currently equals `expected` (compared by canonical
   * encoding; `undefined` = absent). `next === undefined` deletes.
   */
  compareAndSwap(key: K, expected: V | undefined, next: V | undefined): Promise<ConditionalWriteResult>
}

// ---------------------------------------------------------------------------------------------
// Vec

/** A read-only view of a Vec at one version. */
export interface VecView<T> extends Iterable<T> {
  readonly version: Version
  readonly size: number
  get(index: number): T | undefined
  front(): T | undefined
  back(): T | undefined
  /** Index of the first element equal to `value` (canonical encoding), or -1. */
  indexOf(value: T): number
  includes(value: T): boolean
  values(): IterableIterator<T>
}

/** A Vec change. Swap is two `set`s; truncate/clear/pop are `remove`s; push is an `insert`. */
export type VecChange<T> =
  | { readonly version: Version; readonly type: 'insert'; readonly index: number; readonly value: T }
  | { readonly version: Version; readonly type: 'remove'; readonly index: number; readonly previous: T }
  | {
      readonly version: Version
      readonly type: 'set'
      readonly index: number
      readonly value: T
      readonly previous: T
    }

export interface VecReader<T> extends VecView<T>, CollectionHandleBase<VecChange<T>, VecView<T>> {}

export interface VecWriter<T> extends VecReader<T> {
  pushBack(value: T): Promise<Version>
  pushFront(value: T): Promise<Version>
  /** Appends several values in one command. */
  extend(values: Iterable<T>): Promise<Version>
  /** No-op (still committed) on an empty Vec. */
  popBack(): Promise<Version>
  popFront(): Promise<Version>
  /** Inserts before `index` (0 ≤ index ≤ size); out of range is a rejected command. */
  insert(index: number, value: T): Promise<Version>
  /** Removes the element at `index`; out of range is a rejected command. */
  remove(index: number): Promise<Version>
  /** Swaps two elements; out of range is a rejected command. */
  swap(i: number, j: number): Promise<Version>
  /** Keeps the first `length` elements (no-op if already shorter). */
  truncate(length: number): Promise<Version>
  clear(): Promise<Version>
}

// ---------------------------------------------------------------------------------------------
// Set

/** A read-only view of a Set at one version. */
export interface SetView<T> extends Iterable<T> {
  readonly version: Version
  readonly size: number
  has(value: T): boolean
  /** True when every element of this set is in `other`. */
  isSubset(other: Iterable<T>): boolean
  values(): IterableIterator<T>
}

export type SetChange<T> =
  | { readonly version: Version; readonly type: 'add'; readonly value: T }
  | { readonly version: Version; readonly type: 'delete'; readonly value: T }

export interface SetReader<T> extends SetView<T>, CollectionHandleBase<SetChange<T>, SetView<T>> {}

export interface SetWriter<T> extends SetReader<T> {
  add(value: T): Promise<Version>
  delete(value: T): Promise<Version>
  deleteMany(values: Iterable<T>): Promise<Version>
  extend(values: Iterable<T>): Promise<Version>
  clear(): Promise<Version>
}

// ---------------------------------------------------------------------------------------------
// Cell

/** A read-only view of a Cell at one version. */
export interface CellView<T> {
  readonly version: Version
  get(): T | undefined
  readonly isSet: boolean
}

export type CellChange<T> =
  | { readonly version: Version; readonly type: 'set'; readonly value: T; readonly previous: T | undefined }
  | { readonly version: Version; readonly type: 'clear'; readonly previous: T }

export interface CellReader<T> extends CellView<T>, CollectionHandleBase<CellChange<T>, CellView<T>> {}

export interface CellWriter<T> extends CellReader<T> {
  set(value: T): Promise<Version>
  clear(): Promise<Version>
  /** Replaces the value when it equals `expected` (`undefined` = empty); `next === undefined` clears. */
  compareAndSwap(expected: T | undefined, next: T | undefined): Promise<ConditionalWriteResult>
}

// ---------------------------------------------------------------------------------------------
// Once

/** A read-only view of a Once at one version. */
export interface OnceView<T> {
  readonly version: Version
  get(): T | undefined
  readonly isSet: boolean
}

export type OnceChange<T> = { readonly version: Version; readonly type: 'set'; readonly value: T }

export interface OnceReader<T> extends OnceView<T>, CollectionHandleBase<OnceChange<T>, OnceView<T>> {
  /** Resolves with the value once it is set (immediately if it is). */
  awaitValue(options?: WaitOptions): Promise<T>
}

export interface OnceWriter<T> extends OnceReader<T> {
  /** The first committed write wins; later writes commit with `applied: false`. */
  set(value: T): Promise<ConditionalWriteResult>
}

// ---------------------------------------------------------------------------------------------
// PriorityQueue (double-ended)

/** One entry of a priority queue. */
export interface PriorityEntry<P, K, V> {
  readonly priority: P
  readonly key: K
  readonly value: V
}

/** Bounds on priorities; omitted bounds are open. */
export interface PriorityRange<P> {
  readonly gt?: P
  readonly gte?: P
  readonly lt?: P
  readonly lte?: P
}

/**
 * A read-only view of a priority queue at one version. Entries are ordered by priority, then by
 * key (both by canonical order), so iteration is deterministic on every replica.
 */
export interface PriorityQueueView<P, K, V> extends Iterable<PriorityEntry<P, K, V>> {
  readonly version: Version
  readonly size: number
  /** Maximum entries, or undefined when unbounded. */
  readonly capacity: number | undefined
  has(key: K): boolean
  get(key: K): V | undefined
  priorityOf(key: K): P | undefined
  min(): PriorityEntry<P, K, V> | undefined
  max(): PriorityEntry<P, K, V> | undefined
  ascending(): IterableIterator<PriorityEntry<P, K, V>>
  descending(): IterableIterator<PriorityEntry<P, K, V>>
}

/** A priority-queue change; `evicted` marks removals forced by the capacity. */
export type PriorityQueueChange<P, K, V> =
  | {
      readonly version: Version
      readonly type: 'upsert'
      readonly key: K
      readonly priority: P
      readonly value: V
      readonly previous: { readonly priority: P; readonly value: V } | undefined
    }
  | {
      readonly version: Version
      readonly type: 'remove'
      readonly key: K
      readonly previous: { readonly priority: P; readonly value: V }
      readonly evicted: boolean
    }

export interface PriorityQueueReader<P, K, V>
  extends PriorityQueueView<P, K, V>,
    CollectionHandleBase<PriorityQueueChange<P, K, V>, PriorityQueueView<P, K, V>> {}

export interface PriorityQueueWriter<P, K, V> extends PriorityQueueReader<P, K, V> {
  /** Inserts or replaces the entry of `key`. When over capacity, the lowest entries are evicted. */
  upsert(priority: P, key: K, value: V): Promise<Version>
  extend(entries: Iterable<PriorityEntry<P, K, V>>): Promise<Version>
  /** No-op (still committed) when `key` is absent. */
  updatePriority(key: K, priority: P): Promise<Version>
  /** No-op (still committed) when `key` is absent. */
  updateValue(key: K, value: V): Promise<Version>
  /** Replaces the value of `key` when it equals `expected`; `next === undefined` removes the entry. */
  compareAndSwap(key: K, expected: V, next: V | undefined): Promise<ConditionalWriteResult>
  remove(key: K): Promise<Version>
  removeMany(keys: Iterable<K>): Promise<Version>
  /** Removes every entry whose priority is within `range`. */
  removeRange(range: PriorityRange<P>): Promise<Version>
  clear(): Promise<Version>
}
