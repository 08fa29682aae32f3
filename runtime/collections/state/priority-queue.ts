/**
 * The replicated double-ended PriorityQueue state machine.
 *
 * Two B+ trees hold the same frozen entries: one by encoded key (a `KeyedStore`, whose hash index
 * serves `get`/`has`/`priorityOf`), one by `(priority, encoded key)`.
 * Entries are therefore totally ordered — by priority, ties by canonical key order — so `min()`,
 * `max()`, iteration and eviction are the same on every replica (mosaik picked an arbitrary key of
 * the bucket, §1.5).
 *
 * Priorities are numbers, bigints or strings: numbers and bigints compare numerically with each
 * other and sort before strings; strings compare by UTF-16 code units.
 *
 * Capacity (optional): after each upsert — `extend` is a sequence of upserts — while the queue holds
 * more than `capacity` entries, the lowest entry (lowest priority, ties: smallest key) is evicted,
 * which may be the entry just written. Changing the priority or value of an entry never evicts.
 */
import type {
  PriorityEntry,
  PriorityQueueChange,
  PriorityQueueView,
  PriorityRange,
  Version,
} from '../../codegen/collections.ts'
import { InvalidInputError, ProtocolError } from '../../primitives/errors.ts'
import { BTree } from './btree.ts'
import {
  assertAscending,
  type FrozenKeys,
  frozenClone,
  type KeyedChunk,
  KeyedStore,
  loadTree,
  treeItems,
} from './keyed.ts'
import { compareKeys, type EncodedKey, tryEncodeKey } from './keys.ts'
import {
  type ChangeRecorder,
  CollectionState,
  type KeyPair,
  type StateOptions,
  type Validator,
} from './machine.ts'
import type { SnapshotItems } from './snapshot.ts'
import { valuesEqual } from './values.ts'

/** PriorityQueue commands (plain data, one per mutation). An absent `next` means "remove". */
export type PriorityQueueCommand<P, K, V> =
  | { readonly op: 'upsert'; readonly priority: P; readonly key: K; readonly value: V }
  | { readonly op: 'extend'; readonly entries: readonly PriorityEntry<P, K, V>[] }
  | { readonly op: 'updatePriority'; readonly key: K; readonly priority: P }
  | { readonly op: 'updateValue'; readonly key: K; readonly value: V }
  | { readonly op: 'compareAndSwap'; readonly key: K; readonly expected: V; readonly next?: V }
  | { readonly op: 'remove'; readonly key: K }
  | { readonly op: 'removeMany'; readonly keys: readonly K[] }
  | { readonly op: 'removeRange'; readonly range: PriorityRange<P> }
  | { readonly op: 'clear' }

/** The result of each PriorityQueue command. */
export interface PriorityQueueResults<P, K, V> {
  /** The entry the key had before, if any. */
  upsert: PriorityEntry<P, K, V> | undefined
  /** Number of entries written. */
  extend: number
  /** Whether the key was present. */
  updatePriority: boolean
  /** Whether the key was present. */
  updateValue: boolean
  /** Whether the value matched `expected` (and was replaced or removed). */
  compareAndSwap: boolean
  /** The removed entry, if any. */
  remove: PriorityEntry<P, K, V> | undefined
  /** Number of entries removed. */
  removeMany: number
  /** Number of entries removed. */
  removeRange: number
  /** Number of entries removed. */
  clear: number
}

/** Options of a PriorityQueue state. */
export interface PriorityQueueOptions extends StateOptions {
  /** Maximum number of entries (a positive integer); unbounded when absent. */
  readonly capacity?: number
  /** Checks every priority before it is applied or restored. */
  readonly validatePriority?: Validator
}

/** The canonical order of priorities. */
export function comparePriorities(a: unknown, b: unknown): number {
  const aText = typeof a === 'string'
  const bText = typeof b === 'string'
  if (aText !== bText) return aText ? 1 : -1
  const x = a as number
  const y = b as number
  return x < y ? -1 : x > y ? 1 : 0
}

/** Position of an entry in priority order. */
type Slot = readonly [priority: unknown, key: EncodedKey]

function compareSlots(a: Slot, b: Slot): number {
  return comparePriorities(a[0], b[0]) || compareKeys(a[1], b[1])
}

/** A stored entry: the frozen object handed to readers. */
type Entry<P, K, V> = PriorityEntry<P, K, V>

/** An immutable PriorityQueue view; iterates by priority, then key. */
export class PriorityQueueStateView<P, K, V> implements PriorityQueueView<P, K, V> {
  readonly version: Version
  readonly capacity: number | undefined
  readonly #byKey: FrozenKeys<Entry<P, K, V>>
  readonly #byPriority: BTree<Slot, Entry<P, K, V>>

  constructor(
    byKey: FrozenKeys<Entry<P, K, V>>,
    byPriority: BTree<Slot, Entry<P, K, V>>,
    capacity: number | undefined,
    version: Version,
  ) {
    this.#byKey = byKey
    this.#byPriority = byPriority
    this.capacity = capacity
    this.version = version
  }

  get size(): number {
    return this.#byKey.size
  }

  has(key: K): boolean {
    return this.#entry(key) !== undefined
  }

  get(key: K): V | undefined {
    return this.#entry(key)?.value
  }

  priorityOf(key: K): P | undefined {
    return this.#entry(key)?.priority
  }

  min(): PriorityEntry<P, K, V> | undefined {
    return this.#byPriority.nextHigherPair(undefined)?.[1]
  }

  max(): PriorityEntry<P, K, V> | undefined {
    return this.#byPriority.nextLowerPair(undefined)?.[1]
  }

  ascending(): IterableIterator<PriorityEntry<P, K, V>> {
    return this.#byPriority.values()
  }

  *descending(): IterableIterator<PriorityEntry<P, K, V>> {
    for (const [, entry] of this.#byPriority.entriesReversed()) yield entry
  }

  [Symbol.iterator](): IterableIterator<PriorityEntry<P, K, V>> {
    return this.ascending()
  }

  #entry(key: K): Entry<P, K, V> | undefined {
    const encoded = tryEncodeKey(key)
    return encoded === undefined ? undefined : this.#byKey.get(encoded)
  }
}

type Change<P, K, V> = PriorityQueueChange<P, K, V>
const RANGE_BOUNDS = new Set(['gt', 'gte', 'lt', 'lte'])

export class PriorityQueueState<P, K, V> extends CollectionState<
  PriorityQueueCommand<P, K, V>,
  PriorityQueueResults<P, K, V>,
  Change<P, K, V>,
  PriorityQueueStateView<P, K, V>,
  KeyedChunk<Slot, Entry<P, K, V>>
> {
  readonly kind = 'priorityQueue'
  protected override readonly itemWidth = 3
  readonly capacity: number | undefined
  readonly #validatePriority: Validator | undefined
  #byKey = new KeyedStore<Entry<P, K, V>>()
  #byPriority = new BTree<Slot, Entry<P, K, V>>(undefined, compareSlots)

  constructor(options: PriorityQueueOptions = {}) {
    super(options)
    const { capacity } = options
    if (capacity !== undefined && (!Number.isSafeInteger(capacity) || capacity < 1)) {
      throw new InvalidInputError(`capacity must be a positive integer, got ${capacity}`)
    }
    this.capacity = capacity
    this.#validatePriority = options.validatePriority
  }

  get size(): number {
    return this.#byKey.size
  }

  protected execute(
    command: PriorityQueueCommand<P, K, V>,
    changes: ChangeRecorder<Change<P, K, V>>,
  ): unknown {
    switch (command.op) {
      case 'upsert':
        return this.#upsert(
          this.#priority(command.priority),
          this.key(command.key),
          this.value(command.value) as V,
          changes,
        )
      case 'extend': {
        const entries = this.list(command.entries, 'entries').map((raw) => {
          if (typeof raw !== 'object' || raw === null)
            throw this.reject('malformed', 'an entry is { priority, key, value }')
          const entry = raw as Record<string, unknown>
          return [this.#priority(entry.priority), this.key(entry.key), this.value(entry.value) as V] as const
        })
        for (const [priority, key, value] of entries) this.#upsert(priority, key, value, changes)
        return entries.length
      }
      case 'updatePriority': {
        const key = this.key(command.key)
        const priority = this.#priority(command.priority)
        const current = this.#byKey.get(key.encoded)
        if (current === undefined) return false
        this.#write(key, priority, current.value, current, changes)
        return true
      }
      case 'updateValue': {
        const key = this.key(command.key)
        const value = this.value(command.value) as V
        const current = this.#byKey.get(key.encoded)
        if (current === undefined) return false
        this.#write(key, current.priority, value, current, changes)
        return true
      }
      case 'compareAndSwap': {
        const key = this.key(command.key)
        const expected = this.value(command.expected)
        const next = this.optionalValue(command.next) as V | undefined
        const current = this.#byKey.get(key.encoded)
        if (current === undefined || !valuesEqual(current.value, expected)) return false
        if (next === undefined) this.#remove(key.encoded, current, false, changes)
        else this.#write(key, current.priority, next, current, changes)
        return true
      }
      case 'remove':
        return this.#removeKey(this.key(command.key), changes)
      case 'removeMany': {
        const keys = this.list(command.keys, 'keys').map((key) => this.key(key))
        return keys.filter((key) => this.#removeKey(key, changes) !== undefined).length
      }
      case 'removeRange': {
        const victims = this.#inRange(this.#range(command.range))
        for (const [encoded, entry] of victims) this.#remove(encoded, entry, false, changes)
        return victims.length
      }
      case 'clear':
        return this.#clear(changes)
      default:
        throw this.unknownOp(command)
    }
  }

  #priority(raw: unknown): P {
    const priority = this.value(raw, 'priority', this.#validatePriority)
    if (typeof priority !== 'number' && typeof priority !== 'bigint' && typeof priority !== 'string') {
      throw this.reject('invalid-value', 'a priority is a number, bigint or string', { role: 'priority' })
    }
    return priority as P
  }

  #range(raw: unknown): PriorityRange<P> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw this.reject('malformed', '`range` must be an object with optional gt/gte/lt/lte')
    }
    const bounds = raw as Record<string, unknown>
    const extra = Object.keys(bounds).filter((name) => !RANGE_BOUNDS.has(name))
    if (extra.length > 0) throw this.reject('malformed', `unknown range bound(s): ${extra.join(', ')}`)
    if (
      (bounds.gt !== undefined && bounds.gte !== undefined) ||
      (bounds.lt !== undefined && bounds.lte !== undefined)
    ) {
      throw this.reject('malformed', 'a range has at most one lower and one upper bound')
    }
    const range: { -readonly [B in keyof PriorityRange<P>]: P } = {}
    for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
      if (bounds[name] !== undefined) range[name] = this.#priority(bounds[name])
    }
    return range
  }

  /** The entries (with their encoded keys) whose priority is within `range`, ascending. */
  #inRange(range: PriorityRange<P>): (readonly [EncodedKey, Entry<P, K, V>])[] {
    const low = range.gte ?? range.gt
    const start: Slot | undefined = low === undefined ? undefined : [low, Number.NEGATIVE_INFINITY]
    const out: (readonly [EncodedKey, Entry<P, K, V>])[] = []
    for (const [[priority, encoded], entry] of this.#byPriority.entries(start)) {
      if (range.gt !== undefined && comparePriorities(priority, range.gt) <= 0) continue
      if (range.lt !== undefined && comparePriorities(priority, range.lt) >= 0) break
      if (range.lte !== undefined && comparePriorities(priority, range.lte) > 0) break
      out.push([encoded, entry])
    }
    return out
  }

  #upsert(
    priority: P,
    key: KeyPair,
    value: V,
    changes: ChangeRecorder<Change<P, K, V>>,
  ): Entry<P, K, V> | undefined {
    const previous = this.#byKey.get(key.encoded)
    this.#write(key, priority, value, previous, changes)
    while (this.capacity !== undefined && this.#byKey.size > this.capacity) {
      const [lowest, entry] = this.#byPriority.nextHigherPair(undefined) as [Slot, Entry<P, K, V>]
      this.#remove(lowest[1], entry, true, changes)
    }
    return previous
  }

  #write(
    key: KeyPair,
    priority: P,
    value: V,
    previous: Entry<P, K, V> | undefined,
    changes: ChangeRecorder<Change<P, K, V>>,
  ): void {
    if (previous !== undefined) this.#byPriority.delete([previous.priority, key.encoded])
    const entry: Entry<P, K, V> = Object.freeze({ priority, key: key.key as K, value })
    this.#byKey.set(key.encoded, entry)
    this.#byPriority.set([priority, key.encoded], entry)
    changes.emit({
      version: changes.version,
      type: 'upsert',
      key: entry.key,
      priority,
      value,
      previous: previous === undefined ? undefined : { priority: previous.priority, value: previous.value },
    })
  }

  #removeKey(key: KeyPair, changes: ChangeRecorder<Change<P, K, V>>): Entry<P, K, V> | undefined {
    const entry = this.#byKey.get(key.encoded)
    if (entry !== undefined) this.#remove(key.encoded, entry, false, changes)
    return entry
  }

  #remove(
    encoded: EncodedKey,
    entry: Entry<P, K, V>,
    evicted: boolean,
    changes: ChangeRecorder<Change<P, K, V>>,
  ): void {
    this.#byKey.delete(encoded)
    this.#byPriority.delete([entry.priority, encoded])
    changes.emit({ version: changes.version, ...removal(entry, evicted) })
  }

  #clear(changes: ChangeRecorder<Change<P, K, V>>): number {
    const before = this.view()
    const { version } = changes
    changes.emitLazy(before.size, function* () {
      for (const entry of before) yield { version, ...removal(entry, false) }
    })
    this.#byKey = new KeyedStore<Entry<P, K, V>>()
    this.#byPriority = new BTree<Slot, Entry<P, K, V>>(undefined, compareSlots)
    return before.size
  }

  protected createView(version: Version): PriorityQueueStateView<P, K, V> {
    return new PriorityQueueStateView(
      this.#byKey.frozen(),
      frozenClone(this.#byPriority),
      this.capacity,
      version,
    )
  }

  protected snapshotItems(): SnapshotItems {
    return treeItems(this.#byPriority.clone(), this.itemWidth, (_slot, entry, out, at) => {
      out[at] = entry.priority
      out[at + 1] = entry.key
      out[at + 2] = entry.value
    })
  }

  protected parseChunk(fields: unknown[]): KeyedChunk<Slot, Entry<P, K, V>> {
    const length = fields.length / 3
    const keys: Slot[] = new Array(length)
    const values: Entry<P, K, V>[] = new Array(length)
    for (let i = 0; i < length; i++) {
      const priority = this.#priority(fields[3 * i])
      const key = this.key(fields[3 * i + 1])
      keys[i] = [priority, key.encoded]
      values[i] = Object.freeze({ priority, key: key.key as K, value: this.value(fields[3 * i + 2]) as V })
    }
    assertAscending(keys, compareSlots, 'PriorityQueue entries')
    return { keys, values }
  }

  protected install(chunks: KeyedChunk<Slot, Entry<P, K, V>>[]): void {
    const byPriority = loadTree(chunks, compareSlots)
    if (this.capacity !== undefined && byPriority.size > this.capacity) {
      throw new ProtocolError(`snapshot holds ${byPriority.size} entries, over the capacity ${this.capacity}`)
    }
    const byKey = byPriority.keysArray().map((slot, i) => [slot[1], i] as const)
    byKey.sort((a, b) => compareKeys(a[0], b[0]))
    const entries = byPriority.valuesArray()
    const keys = byKey.map(([encoded]) => encoded)
    assertAscending(keys, compareKeys, 'PriorityQueue keys')
    this.#byKey = new KeyedStore(
      keys,
      byKey.map(([, i]) => entries[i] as Entry<P, K, V>),
    )
    this.#byPriority = byPriority
  }
}

function removal<P, K, V>(entry: PriorityEntry<P, K, V>, evicted: boolean) {
  return {
    type: 'remove' as const,
    key: entry.key,
    previous: { priority: entry.priority, value: entry.value },
    evicted,
  }
}
