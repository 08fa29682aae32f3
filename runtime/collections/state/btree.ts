/**
 * sorted-btree is CommonJS with `exports.default = BTree`. An ESM default import of it is the whole
 * `module.exports` under Node but the class itself under Vite's interop, so this shim loads it with
 * `require`, which means the same thing everywhere.
 */
import { createRequire } from 'node:module'
import type * as BTreeModule from 'sorted-btree'
import type * as BulkLoadModule from 'sorted-btree/extended/bulkLoad.js'

const require = createRequire(import.meta.url)
// TypeScript types a CommonJS module's `module.exports` as the `default` of its ESM namespace.
const btreeModule = require('sorted-btree') as typeof BTreeModule.default
const bulkLoadModule = require('sorted-btree/extended/bulkLoad.js') as typeof BulkLoadModule.default

/** The B+ tree class: sorted, O(1) copy-on-write `clone()`. */
export const BTree = btreeModule.default
export type BTree<K, V> = InstanceType<typeof btreeModule.default<K, V>>

/** Node size used by every tree here (the library default). */
const NODE_SIZE = 64

/** Builds a tree in O(n) from keys in strictly ascending order (throws otherwise). */
export function bulkLoad<K, V>(keys: K[], values: V[], compare: (a: K, b: K) => number): BTree<K, V> {
  return bulkLoadModule.bulkLoad(keys, values, NODE_SIZE, compare)
}
