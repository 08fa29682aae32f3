/**
 * B+ trees ordered by encoded key: the storage of Map, Set and the PriorityQueue key index.
 *
 * The live tree is mutated in place by `apply`; a view holds a frozen `clone()`, which is O(1)
 * (copy-on-write: later mutations of the live tree copy the nodes they touch). Iteration is in
 * canonical key order on every replica, whatever the history, so snapshot batches are slices of one
 * in-order walk and a restored replica iterates exactly like one that applied every command.
 *
 * Point lookups (`get`, `has`) of the newest version go through a hash index of the same entries
 * (`KeyedStore`): a tree lookup at 1M string keys costs ~20 cache misses, the index ~3.
 */
import type { Version } from '../../codegen/collections.ts'
import { ProtocolError } from '../../primitives/errors.ts'
import { type BTree, bulkLoad } from './btree.ts'
import { compareKeys, type EncodedKey } from './keys.ts'
import { ABSENT, PointIndex } from './point-index.ts'
import type { SnapshotItems } from './snapshot.ts'

/** The value of `key`: from the index when it can answer, else from the tree. */
function lookUp<V>(
  index: PointIndex<V> | undefined,
  tree: BTree<EncodedKey, V>,
  key: EncodedKey,
): V | undefined {
  if (index !== undefined) {
    const entry = index.entryOf(key)
    if (entry >= 0) return index.valueAt(entry)
    if (entry === ABSENT) return undefined
  }
  return tree.get(key)
}

/** Whether `key` is there: from the index when it can answer, else from the tree. */
function contains<V>(index: PointIndex<V> | undefined, tree: BTree<EncodedKey, V>, key: EncodedKey): boolean {
  if (index !== undefined) {
    const entry = index.entryOf(key)
    if (entry >= 0) return true
    if (entry === ABSENT) return false
  }
  return tree.has(key)
}

/**
 * The live entries of a keyed collection: a tree by encoded key and, once a view has looked a key
 * up, a PointIndex of the same entries, kept in step from then on. The index is built on that first
 * read rather than on restore, so a late joiner's restore (on the sync path) and a node that only
 * writes pay nothing for it. Every change bumps a generation; a frozen copy (`frozen()`) uses the
 * index only while the generation is still the one it was taken at (the index then holds exactly
 * its entries), and its own tree after that.
 */
export class KeyedStore<V> {
  readonly #tree: BTree<EncodedKey, V>
  #index: PointIndex<V> | undefined
  #generation = 0

  /** A store of `keys[i] → values[i]`, keys in strictly ascending canonical order (O(n)). */
  constructor(keys: EncodedKey[] = [], values: V[] = []) {
    this.#tree = bulkLoad(keys, values, compareKeys)
  }

  /** A store built from the chunks of a complete snapshot (in offset order). */
  static load<V>(chunks: readonly KeyedChunk<EncodedKey, V>[]): KeyedStore<V> {
    const { keys, values } = concatChunks(chunks, compareKeys)
    return new KeyedStore(keys, values)
  }

  /** Number of entries. */
  get size(): number {
    return this.#tree.size
  }

  /** The value of `key` now. */
  get(key: EncodedKey): V | undefined {
    return lookUp(this.#index, this.#tree, key)
  }

  /** Whether `key` is there now. */
  has(key: EncodedKey): boolean {
    return contains(this.#index, this.#tree, key)
  }

  /** Sets the value of `key`, adding it if new. */
  set(key: EncodedKey, value: V): void {
    this.#generation++
    this.#tree.set(key, value)
    this.#index?.set(key, value)
  }

  /** Removes `key`; true if it was there. */
  delete(key: EncodedKey): boolean {
    if (!this.#tree.delete(key)) return false
    this.#generation++
    this.#index?.delete(key)
    return true
  }

  /** An O(1) copy of the tree, for snapshot items. */
  cloneTree(): BTree<EncodedKey, V> {
    return this.#tree.clone()
  }

  /** A frozen O(1) copy of the entries now, for a view. */
  frozen(): FrozenKeys<V> {
    return new FrozenKeys(frozenClone(this.#tree), this, this.#generation)
  }

  /** The index (built now if need be), if the entries are still those of `generation`. */
  indexAt(generation: number): PointIndex<V> | undefined {
    if (generation !== this.#generation) return undefined
    if (this.#index === undefined) {
      const { keys, values } = pairsOf(this.#tree)
      this.#index = new PointIndex(keys, values)
    }
    return this.#index
  }
}

/** The entries of a keyed collection at one version (see `KeyedStore.frozen`). */
export class FrozenKeys<V> {
  /** The frozen tree, for iteration in canonical key order. */
  readonly tree: BTree<EncodedKey, V>
  readonly #store: KeyedStore<V>
  readonly #generation: number

  constructor(tree: BTree<EncodedKey, V>, store: KeyedStore<V>, generation: number) {
    this.tree = tree
    this.#store = store
    this.#generation = generation
  }

  /** Number of entries. */
  get size(): number {
    return this.tree.size
  }

  /** The value of `key` at this version. */
  get(key: EncodedKey): V | undefined {
    return lookUp(this.#store.indexAt(this.#generation), this.tree, key)
  }

  /** Whether `key` is there at this version. */
  has(key: EncodedKey): boolean {
    return contains(this.#store.indexAt(this.#generation), this.tree, key)
  }
}

/** What the Map and Set views share: the frozen entries at one version. */
export abstract class TreeView<V> {
  readonly version: Version
  protected readonly frozen: FrozenKeys<V>

  constructor(frozen: FrozenKeys<V>, version: Version) {
    this.frozen = frozen
    this.version = version
  }

  get size(): number {
    return this.frozen.size
  }
}

/** A frozen O(1) copy of `tree` for a view. */
export function frozenClone<K, V>(tree: BTree<K, V>): BTree<K, V> {
  const copy = tree.clone()
  copy.freeze()
  return copy
}

/**
 * Snapshot items of `tree` in key order, `width` fields each from `fieldsOf`. The in-order walk
 * happens once, on first use.
 */
export function treeItems<K, V>(
  tree: BTree<K, V>,
  width: number,
  fieldsOf: (key: K, value: V, out: unknown[], at: number) => void,
): SnapshotItems {
  let pairs: { keys: K[]; values: V[] } | undefined
  return {
    count: tree.size,
    width,
    fields(offset, end) {
      pairs ??= pairsOf(tree)
      const { keys, values } = pairs
      const out = new Array<unknown>((end - offset) * width)
      for (let i = offset; i < end; i++) fieldsOf(keys[i] as K, values[i] as V, out, (i - offset) * width)
      return out
    },
  }
}

/** The keys and values of `tree` in key order, from one in-order walk. */
function pairsOf<K, V>(tree: BTree<K, V>): { keys: K[]; values: V[] } {
  const keys = new Array<K>(tree.size)
  const values = new Array<V>(tree.size)
  tree.forEachPair((key, value, i) => {
    keys[i] = key
    values[i] = value
  })
  return { keys, values }
}

/** The validated items of one snapshot batch of a keyed collection, in key order. */
export interface KeyedChunk<K, V> {
  readonly keys: K[]
  readonly values: V[]
}

/** Throws ProtocolError unless `keys` is strictly ascending under `compare`. */
export function assertAscending<K>(keys: readonly K[], compare: (a: K, b: K) => number, what: string): void {
  for (let i = 1; i < keys.length; i++) {
    if (compare(keys[i - 1] as K, keys[i] as K) >= 0) {
      throw new ProtocolError(`snapshot ${what} are not in strictly ascending canonical order (item ${i})`)
    }
  }
}

/** Builds a tree in O(n) from the chunks of a complete snapshot (in offset order). */
export function loadTree<K, V>(
  chunks: readonly KeyedChunk<K, V>[],
  compare: (a: K, b: K) => number,
): BTree<K, V> {
  const { keys, values } = concatChunks(chunks, compare)
  return bulkLoad(keys, values, compare)
}

/** The items of a complete snapshot's chunks (in offset order) as one chunk; checks their order. */
function concatChunks<K, V>(
  chunks: readonly KeyedChunk<K, V>[],
  compare: (a: K, b: K) => number,
): { keys: K[]; values: V[] } {
  // Sized once: growing two arrays of a million items by push costs several times the copy.
  let total = 0
  for (const chunk of chunks) total += chunk.keys.length
  const keys = new Array<K>(total)
  const values = new Array<V>(total)
  let at = 0
  for (const chunk of chunks) {
    const first = chunk.keys[0]
    if (at > 0 && first !== undefined && compare(keys[at - 1] as K, first) >= 0) {
      throw new ProtocolError('snapshot batches overlap or are out of canonical order')
    }
    for (let i = 0; i < chunk.keys.length; i++) {
      keys[at] = chunk.keys[i] as K
      values[at] = chunk.values[i] as V
      at++
    }
  }
  return { keys, values }
}
