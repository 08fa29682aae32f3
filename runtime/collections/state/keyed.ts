/**
 * B+ trees ordered by encoded key: the storage of Map, Set and the PriorityQueue key index.
 *
 * The live tree is mutated in place by `apply`; a view holds a frozen `clone()`, which is O(1)
 * (copy-on-write: later mutations of the live tree copy the nodes they touch). Iteration is in
 * canonical key order on every replica, whatever the history, so snapshot batches are slices of one
 * in-order walk and a restored replica iterates exactly like one that applied every command.
 */
import type { Version } from '../../codegen/collections.ts'
import { ProtocolError } from '../../primitives/errors.ts'
import { BTree, bulkLoad } from './btree.ts'
import { compareKeys, type EncodedKey } from './keys.ts'
import type { SnapshotItems } from './snapshot.ts'

/** An empty tree ordered by `compareKeys`. */
export function keyedTree<V>(): BTree<EncodedKey, V> {
  return new BTree<EncodedKey, V>(undefined, compareKeys)
}

/** What the Map and Set views share: a frozen tree at one version. */
export abstract class TreeView<V> {
  readonly version: Version
  protected readonly tree: BTree<EncodedKey, V>

  constructor(tree: BTree<EncodedKey, V>, version: Version) {
    this.tree = tree
    this.version = version
  }

  get size(): number {
    return this.tree.size
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
  let keys: K[] | undefined
  let values: V[] | undefined
  const walk = (): void => {
    keys = new Array<K>(tree.size)
    values = new Array<V>(tree.size)
    const [k, v] = [keys, values]
    tree.forEachPair((key, value, i) => {
      k[i] = key
      v[i] = value
    })
  }
  return {
    count: tree.size,
    width,
    fields(offset, end) {
      if (keys === undefined) walk()
      const out = new Array<unknown>((end - offset) * width)
      for (let i = offset; i < end; i++)
        fieldsOf((keys as K[])[i] as K, (values as V[])[i] as V, out, (i - offset) * width)
      return out
    },
  }
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
  const keys: K[] = []
  const values: V[] = []
  for (const chunk of chunks) {
    const last = keys.at(-1)
    const first = chunk.keys[0]
    if (last !== undefined && first !== undefined && compare(last, first) >= 0) {
      throw new ProtocolError('snapshot batches overlap or are out of canonical order')
    }
    for (let i = 0; i < chunk.keys.length; i++) {
      keys.push(chunk.keys[i] as K)
      values.push(chunk.values[i] as V)
    }
  }
  return bulkLoad(keys, values, compare)
}
