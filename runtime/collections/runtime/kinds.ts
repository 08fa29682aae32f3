/**
 * The reader and writer handle of each collection kind. A reader has only the synchronous reads of
 * its kind's view (delegated to the current immutable view) and the common handle API; its writer
 * extends it with the mutations, so a reader has no mutation at run time either — not only in the
 * generated types. Every mutation validates its arguments before proposing, resolves with the
 * committed version, and an empty bulk operation (`extend([])`, `deleteMany([])`) proposes nothing
 * and resolves with the current version, as in mosaik.
 */
import type {
  CellChange,
  CellReader,
  CellView,
  CellWriter,
  ConditionalWriteResult,
  MapChange,
  MapReader,
  MapView,
  MapWriter,
  OnceChange,
  OnceReader,
  OnceView,
  OnceWriter,
  PriorityEntry,
  PriorityQueueChange,
  PriorityQueueReader,
  PriorityQueueView,
  PriorityQueueWriter,
  PriorityRange,
  SetChange,
  SetReader,
  SetView,
  SetWriter,
  VecChange,
  VecReader,
  VecView,
  VecWriter,
  Version,
} from '../../codegen/collections.ts'
import type { WaitOptions } from '../../primitives/watch.ts'
import { CollectionHandle } from './handle.ts'

/** `{ [name]: value }`, or nothing when the value is absent (commands never carry `undefined`). */
function optional<N extends string, T>(name: N, value: T | undefined): { [K in N]?: T } {
  return (value === undefined ? {} : { [name]: value }) as { [K in N]?: T }
}

// ---------------------------------------------------------------------------------------------
// Map

/** A Map reader: synchronous reads of the local view. */
export class MapReaderHandle<K, V>
  extends CollectionHandle<MapChange<K, V>, MapView<K, V>>
  implements MapReader<K, V>
{
  get size(): number {
    return this.view.size
  }
  get(key: K): V | undefined {
    return this.view.get(key)
  }
  has(key: K): boolean {
    return this.view.has(key)
  }
  keys(): IterableIterator<K> {
    return this.view.keys()
  }
  values(): IterableIterator<V> {
    return this.view.values()
  }
  entries(): IterableIterator<[K, V]> {
    return this.view.entries()
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.view.entries()
  }
}

/** A Map writer: a reader plus the mutations. */
export class MapWriterHandle<K, V> extends MapReaderHandle<K, V> implements MapWriter<K, V> {
  async insert(key: K, value: V): Promise<Version> {
    return this.commit({ op: 'insert', key: this.key(key), value: this.value(value) })
  }
  async delete(key: K): Promise<Version> {
    return this.commit({ op: 'delete', key: this.key(key) })
  }
  async deleteMany(keys: Iterable<K>): Promise<Version> {
    const list = Array.from(keys, (key) => this.key(key))
    return list.length === 0 ? this.version : this.commit({ op: 'deleteMany', keys: list })
  }
  async extend(entries: Iterable<readonly [K, V]>): Promise<Version> {
    const list = Array.from(entries, ([key, value]) => [this.key(key), this.value(value)])
    return list.length === 0 ? this.version : this.commit({ op: 'extend', entries: list })
  }
  async clear(): Promise<Version> {
    return this.commit({ op: 'clear' })
  }
  async compareAndSwap(
    key: K,
    expected: V | undefined,
    next: V | undefined,
  ): Promise<ConditionalWriteResult> {
    const { version, result } = await this.write<boolean>({
      op: 'compareAndSwap',
      key: this.key(key),
      ...optional('expected', expected === undefined ? undefined : this.value(expected)),
      ...optional('next', next === undefined ? undefined : this.value(next)),
    })
    return { version, applied: result }
  }
}

// ---------------------------------------------------------------------------------------------
// Vec

/** A Vec reader: synchronous reads of the local view. */
export class VecReaderHandle<T> extends CollectionHandle<VecChange<T>, VecView<T>> implements VecReader<T> {
  get size(): number {
    return this.view.size
  }
  get(index: number): T | undefined {
    return this.view.get(index)
  }
  front(): T | undefined {
    return this.view.front()
  }
  back(): T | undefined {
    return this.view.back()
  }
  indexOf(value: T): number {
    return this.view.indexOf(value)
  }
  includes(value: T): boolean {
    return this.view.includes(value)
  }
  values(): IterableIterator<T> {
    return this.view.values()
  }
  [Symbol.iterator](): IterableIterator<T> {
    return this.view.values()
  }
}

/** A Vec writer: a reader plus the mutations. */
export class VecWriterHandle<T> extends VecReaderHandle<T> implements VecWriter<T> {
  async pushBack(value: T): Promise<Version> {
    return this.commit({ op: 'pushBack', value: this.value(value) })
  }
  async pushFront(value: T): Promise<Version> {
    return this.commit({ op: 'pushFront', value: this.value(value) })
  }
  async extend(values: Iterable<T>): Promise<Version> {
    const list = Array.from(values, (value) => this.value(value))
    return list.length === 0 ? this.version : this.commit({ op: 'extend', values: list })
  }
  async popBack(): Promise<Version> {
    return this.commit({ op: 'popBack' })
  }
  async popFront(): Promise<Version> {
    return this.commit({ op: 'popFront' })
  }
  async insert(index: number, value: T): Promise<Version> {
    return this.commit({ op: 'insert', index, value: this.value(value) })
  }
  async remove(index: number): Promise<Version> {
    return this.commit({ op: 'remove', index })
  }
  async swap(i: number, j: number): Promise<Version> {
    return this.commit({ op: 'swap', i, j })
  }
  async truncate(length: number): Promise<Version> {
    return this.commit({ op: 'truncate', length })
  }
  async clear(): Promise<Version> {
    return this.commit({ op: 'clear' })
  }
}

// ---------------------------------------------------------------------------------------------
// Set

/** A Set reader: synchronous reads of the local view. */
export class SetReaderHandle<T> extends CollectionHandle<SetChange<T>, SetView<T>> implements SetReader<T> {
  get size(): number {
    return this.view.size
  }
  has(value: T): boolean {
    return this.view.has(value)
  }
  isSubset(other: Iterable<T>): boolean {
    return this.view.isSubset(other)
  }
  values(): IterableIterator<T> {
    return this.view.values()
  }
  [Symbol.iterator](): IterableIterator<T> {
    return this.view.values()
  }
}

/** A Set writer: a reader plus the mutations. */
export class SetWriterHandle<T> extends SetReaderHandle<T> implements SetWriter<T> {
  async add(value: T): Promise<Version> {
    return this.commit({ op: 'add', value: this.key(value) })
  }
  async delete(value: T): Promise<Version> {
    return this.commit({ op: 'delete', value: this.key(value) })
  }
  async deleteMany(values: Iterable<T>): Promise<Version> {
    const list = Array.from(values, (value) => this.key(value))
    return list.length === 0 ? this.version : this.commit({ op: 'deleteMany', values: list })
  }
  async extend(values: Iterable<T>): Promise<Version> {
    const list = Array.from(values, (value) => this.key(value))
    return list.length === 0 ? this.version : this.commit({ op: 'extend', values: list })
  }
  async clear(): Promise<Version> {
    return this.commit({ op: 'clear' })
  }
}

// ---------------------------------------------------------------------------------------------
// Cell and Once

/** The reads of a one-value collection. */
abstract class SingleReaderHandle<Change, T> extends CollectionHandle<Change, CellView<T> & OnceView<T>> {
  get(): T | undefined {
    return this.view.get()
  }
  get isSet(): boolean {
    return this.view.isSet
  }
}

/** A Cell reader: the local value. */
export class CellReaderHandle<T> extends SingleReaderHandle<CellChange<T>, T> implements CellReader<T> {}

/** A Cell writer: a reader plus set, clear and compare-and-swap. */
export class CellWriterHandle<T> extends CellReaderHandle<T> implements CellWriter<T> {
  async set(value: T): Promise<Version> {
    return this.commit({ op: 'set', value: this.value(value) })
  }
  async clear(): Promise<Version> {
    return this.commit({ op: 'clear' })
  }
  async compareAndSwap(expected: T | undefined, next: T | undefined): Promise<ConditionalWriteResult> {
    const { version, result } = await this.write<boolean>({
      op: 'compareAndSwap',
      ...optional('expected', expected === undefined ? undefined : this.value(expected)),
      ...optional('next', next === undefined ? undefined : this.value(next)),
    })
    return { version, applied: result }
  }
}

/** A Once reader: the local value, and a wait for it to be set. */
export class OnceReaderHandle<T> extends SingleReaderHandle<OnceChange<T>, T> implements OnceReader<T> {
  async awaitValue(options: WaitOptions = {}): Promise<T> {
    await this.until(() => this.view.isSet, options)
    return this.view.get() as T
  }
}

/** A Once writer: the first committed `set` wins. */
export class OnceWriterHandle<T> extends OnceReaderHandle<T> implements OnceWriter<T> {
  async set(value: T): Promise<ConditionalWriteResult> {
    const { version, result } = await this.write<boolean>({ op: 'set', value: this.value(value) })
    return { version, applied: result }
  }
}

// ---------------------------------------------------------------------------------------------
// PriorityQueue

type Entry<P, K, V> = PriorityEntry<P, K, V>

/** A PriorityQueue reader: synchronous reads of the local view. */
export class PriorityQueueReaderHandle<P, K, V>
  extends CollectionHandle<PriorityQueueChange<P, K, V>, PriorityQueueView<P, K, V>>
  implements PriorityQueueReader<P, K, V>
{
  get size(): number {
    return this.view.size
  }
  get capacity(): number | undefined {
    return this.view.capacity
  }
  has(key: K): boolean {
    return this.view.has(key)
  }
  get(key: K): V | undefined {
    return this.view.get(key)
  }
  priorityOf(key: K): P | undefined {
    return this.view.priorityOf(key)
  }
  min(): Entry<P, K, V> | undefined {
    return this.view.min()
  }
  max(): Entry<P, K, V> | undefined {
    return this.view.max()
  }
  ascending(): IterableIterator<Entry<P, K, V>> {
    return this.view.ascending()
  }
  descending(): IterableIterator<Entry<P, K, V>> {
    return this.view.descending()
  }
  [Symbol.iterator](): IterableIterator<Entry<P, K, V>> {
    return this.view.ascending()
  }
}

/** A PriorityQueue writer: a reader plus the mutations. */
export class PriorityQueueWriterHandle<P, K, V>
  extends PriorityQueueReaderHandle<P, K, V>
  implements PriorityQueueWriter<P, K, V>
{
  async upsert(priority: P, key: K, value: V): Promise<Version> {
    return this.commit({ op: 'upsert', ...this.#entry({ priority, key, value }) })
  }
  async extend(entries: Iterable<Entry<P, K, V>>): Promise<Version> {
    const list = Array.from(entries, (entry) => this.#entry(entry))
    return list.length === 0 ? this.version : this.commit({ op: 'extend', entries: list })
  }
  async updatePriority(key: K, priority: P): Promise<Version> {
    return this.commit({ op: 'updatePriority', key: this.key(key), priority: this.priority(priority) })
  }
  async updateValue(key: K, value: V): Promise<Version> {
    return this.commit({ op: 'updateValue', key: this.key(key), value: this.value(value) })
  }
  async compareAndSwap(key: K, expected: V, next: V | undefined): Promise<ConditionalWriteResult> {
    const { version, result } = await this.write<boolean>({
      op: 'compareAndSwap',
      key: this.key(key),
      expected: this.value(expected),
      ...optional('next', next === undefined ? undefined : this.value(next)),
    })
    return { version, applied: result }
  }
  async remove(key: K): Promise<Version> {
    return this.commit({ op: 'remove', key: this.key(key) })
  }
  async removeMany(keys: Iterable<K>): Promise<Version> {
    const list = Array.from(keys, (key) => this.key(key))
    return list.length === 0 ? this.version : this.commit({ op: 'removeMany', keys: list })
  }
  async removeRange(range: PriorityRange<P>): Promise<Version> {
    const bound = (name: 'gt' | 'gte' | 'lt' | 'lte') =>
      optional(name, range[name] === undefined ? undefined : this.priority(range[name]))
    const bounds = { ...bound('gt'), ...bound('gte'), ...bound('lt'), ...bound('lte') }
    return this.commit({ op: 'removeRange', range: bounds })
  }
  async clear(): Promise<Version> {
    return this.commit({ op: 'clear' })
  }

  /** A plain, validated entry (whatever object the caller passed). */
  #entry(entry: Entry<P, K, V>): Entry<P, K, V> {
    return {
      priority: this.priority(entry.priority),
      key: this.key(entry.key),
      value: this.value(entry.value),
    }
  }
}
