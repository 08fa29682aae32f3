/**
 * The replicated Map state machine: keys of any plain-data type (encoded canonically), values of
 * any plain data. Compare-and-swap compares values structurally, which is the same as comparing
 * their canonical encodings.
 */
import type { MapChange, MapView, Version } from '../../codegen/collections.ts'
import { assertAscending, type KeyedChunk, KeyedStore, TreeView, treeItems } from './keyed.ts'
import { compareKeys, decodeKey, type EncodedKey, tryEncodeKey } from './keys.ts'
import { type ChangeRecorder, CollectionState, type KeyPair } from './machine.ts'
import type { SnapshotItems } from './snapshot.ts'
import { valuesEqual } from './values.ts'

/** Map commands (plain data, one per mutation). An absent `expected`/`next` means "no value". */
export type MapCommand<K, V> =
  | { readonly op: 'insert'; readonly key: K; readonly value: V }
  | { readonly op: 'delete'; readonly key: K }
  | { readonly op: 'deleteMany'; readonly keys: readonly K[] }
  | { readonly op: 'extend'; readonly entries: readonly (readonly [K, V])[] }
  | { readonly op: 'clear' }
  | { readonly op: 'compareAndSwap'; readonly key: K; readonly expected?: V; readonly next?: V }

/** The result of each Map command. */
export interface MapResults<V> {
  /** The previous value, if any. */
  insert: V | undefined
  /** The removed value, if any. */
  delete: V | undefined
  /** Number of keys removed. */
  deleteMany: number
  /** Number of entries written. */
  extend: number
  /** Number of entries removed. */
  clear: number
  /** Whether the current value matched `expected` (and was replaced). */
  compareAndSwap: boolean
}

/** An immutable Map view; iterates in canonical key order. */
export class MapStateView<K, V> extends TreeView<V> implements MapView<K, V> {
  get(key: K): V | undefined {
    const encoded = tryEncodeKey(key)
    return encoded === undefined ? undefined : this.frozen.get(encoded)
  }

  has(key: K): boolean {
    const encoded = tryEncodeKey(key)
    return encoded !== undefined && this.frozen.has(encoded)
  }

  *keys(): IterableIterator<K> {
    for (const encoded of this.frozen.tree.keys()) yield decodeKey(encoded) as K
  }

  values(): IterableIterator<V> {
    return this.frozen.tree.values()
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [encoded, value] of this.frozen.tree.entries()) yield [decodeKey(encoded) as K, value]
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries()
  }
}

type Change<K, V> = MapChange<K, V>

export class MapState<K, V> extends CollectionState<
  MapCommand<K, V>,
  MapResults<V>,
  Change<K, V>,
  MapStateView<K, V>,
  KeyedChunk<EncodedKey, V>
> {
  readonly kind = 'map'
  protected override readonly itemWidth = 2
  #store = new KeyedStore<V>()

  get size(): number {
    return this.#store.size
  }

  protected execute(command: MapCommand<K, V>, changes: ChangeRecorder<Change<K, V>>): unknown {
    switch (command.op) {
      case 'insert':
        return this.#insert(this.key(command.key), this.value(command.value) as V, changes)
      case 'delete':
        return this.#delete(this.key(command.key), changes)
      case 'deleteMany': {
        const keys = this.list(command.keys, 'keys').map((key) => this.key(key))
        return keys.filter((key) => this.#delete(key, changes) !== undefined).length
      }
      case 'extend': {
        const entries = this.list(command.entries, 'entries').map((entry) => {
          if (!Array.isArray(entry) || entry.length !== 2)
            throw this.reject('malformed', 'an entry is a [key, value] pair')
          return [this.key(entry[0]), this.value(entry[1]) as V] as const
        })
        for (const [key, value] of entries) this.#insert(key, value, changes)
        return entries.length
      }
      case 'clear':
        return this.#clear(changes)
      case 'compareAndSwap':
        return this.#compareAndSwap(command, changes)
      default:
        throw this.unknownOp(command)
    }
  }

  #insert(key: KeyPair, value: V, changes: ChangeRecorder<Change<K, V>>): V | undefined {
    const previous = this.#store.get(key.encoded)
    this.#store.set(key.encoded, value)
    changes.emit({ version: changes.version, type: 'insert', key: key.key as K, value, previous })
    return previous
  }

  #delete(key: KeyPair, changes: ChangeRecorder<Change<K, V>>): V | undefined {
    const previous = this.#store.get(key.encoded)
    if (previous === undefined) return undefined
    this.#store.delete(key.encoded)
    changes.emit({ version: changes.version, type: 'delete', key: key.key as K, previous })
    return previous
  }

  #clear(changes: ChangeRecorder<Change<K, V>>): number {
    const before = this.view()
    const { version } = changes
    changes.emitLazy(before.size, function* () {
      for (const [key, previous] of before) yield { version, type: 'delete', key, previous }
    })
    this.#store = new KeyedStore<V>()
    return before.size
  }

  #compareAndSwap(
    command: Extract<MapCommand<K, V>, { op: 'compareAndSwap' }>,
    changes: ChangeRecorder<Change<K, V>>,
  ): boolean {
    const key = this.key(command.key)
    const expected = this.optionalValue(command.expected)
    const next = this.optionalValue(command.next) as V | undefined
    const current = this.#store.get(key.encoded)
    const matches =
      expected === undefined ? current === undefined : current !== undefined && valuesEqual(current, expected)
    if (!matches) return false
    if (next === undefined) this.#delete(key, changes)
    else this.#insert(key, next, changes)
    return true
  }

  protected createView(version: Version): MapStateView<K, V> {
    return new MapStateView(this.#store.frozen(), version)
  }

  protected snapshotItems(): SnapshotItems {
    return treeItems(this.#store.cloneTree(), this.itemWidth, (encoded, value, out, at) => {
      out[at] = decodeKey(encoded)
      out[at + 1] = value
    })
  }

  protected parseChunk(fields: unknown[]): KeyedChunk<EncodedKey, V> {
    const length = fields.length / 2
    const keys: EncodedKey[] = new Array(length)
    const values: V[] = new Array(length)
    for (let i = 0; i < length; i++) {
      keys[i] = this.encodedKey(fields[2 * i])
      values[i] = this.value(fields[2 * i + 1]) as V
    }
    assertAscending(keys, compareKeys, 'Map keys')
    return { keys, values }
  }

  protected install(chunks: KeyedChunk<EncodedKey, V>[]): void {
    this.#store = KeyedStore.load(chunks)
  }
}
