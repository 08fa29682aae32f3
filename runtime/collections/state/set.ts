/** The replicated Set state machine: elements of any plain-data type, encoded canonically. */
import type { SetChange, SetView, Version } from '../../codegen/collections.ts'
import { assertAscending, type KeyedChunk, KeyedStore, TreeView, treeItems } from './keyed.ts'
import { compareKeys, decodeKey, type EncodedKey, tryEncodeKey } from './keys.ts'
import { type ChangeRecorder, CollectionState, type KeyPair } from './machine.ts'
import type { SnapshotItems } from './snapshot.ts'

/** Set commands (plain data, one per mutation). */
export type SetCommand<T> =
  | { readonly op: 'add'; readonly value: T }
  | { readonly op: 'delete'; readonly value: T }
  | { readonly op: 'deleteMany'; readonly values: readonly T[] }
  | { readonly op: 'extend'; readonly values: readonly T[] }
  | { readonly op: 'clear' }

/** The result of each Set command. */
export interface SetResults {
  /** Whether the element was new. */
  add: boolean
  /** Whether the element was present. */
  delete: boolean
  /** Number of elements removed. */
  deleteMany: number
  /** Number of elements that were new. */
  extend: number
  /** Number of elements removed. */
  clear: number
}

/** An immutable Set view; iterates in canonical element order. */
export class SetStateView<T> extends TreeView<undefined> implements SetView<T> {
  has(value: T): boolean {
    const encoded = tryEncodeKey(value)
    return encoded !== undefined && this.frozen.has(encoded)
  }

  isSubset(other: Iterable<T>): boolean {
    if (this.size === 0) return true
    const members = new Set<EncodedKey | undefined>()
    for (const value of other) members.add(tryEncodeKey(value))
    for (const encoded of this.frozen.tree.keys()) if (!members.has(encoded)) return false
    return true
  }

  *values(): IterableIterator<T> {
    for (const encoded of this.frozen.tree.keys()) yield decodeKey(encoded) as T
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.values()
  }
}

type Change<T> = SetChange<T>

export class SetState<T> extends CollectionState<
  SetCommand<T>,
  SetResults,
  Change<T>,
  SetStateView<T>,
  KeyedChunk<EncodedKey, undefined>
> {
  readonly kind = 'set'
  #store = new KeyedStore<undefined>()

  get size(): number {
    return this.#store.size
  }

  protected execute(command: SetCommand<T>, changes: ChangeRecorder<Change<T>>): unknown {
    switch (command.op) {
      case 'add':
        return this.#add(this.key(command.value), changes)
      case 'delete':
        return this.#delete(this.key(command.value), changes)
      case 'deleteMany':
        return this.#elements(command.values).filter((value) => this.#delete(value, changes)).length
      case 'extend':
        return this.#elements(command.values).filter((value) => this.#add(value, changes)).length
      case 'clear': {
        const before = this.view()
        const { version } = changes
        changes.emitLazy(before.size, function* () {
          for (const value of before) yield { version, type: 'delete', value }
        })
        this.#store = new KeyedStore<undefined>()
        return before.size
      }
      default:
        throw this.unknownOp(command)
    }
  }

  #elements(raw: unknown): KeyPair[] {
    return this.list(raw, 'values').map((value) => this.key(value))
  }

  #add(element: KeyPair, changes: ChangeRecorder<Change<T>>): boolean {
    if (this.#store.has(element.encoded)) return false
    this.#store.set(element.encoded, undefined)
    changes.emit({ version: changes.version, type: 'add', value: element.key as T })
    return true
  }

  #delete(element: KeyPair, changes: ChangeRecorder<Change<T>>): boolean {
    if (!this.#store.delete(element.encoded)) return false
    changes.emit({ version: changes.version, type: 'delete', value: element.key as T })
    return true
  }

  protected createView(version: Version): SetStateView<T> {
    return new SetStateView(this.#store.frozen(), version)
  }

  protected snapshotItems(): SnapshotItems {
    return treeItems(this.#store.cloneTree(), this.itemWidth, (encoded, _value, out, at) => {
      out[at] = decodeKey(encoded)
    })
  }

  protected parseChunk(fields: unknown[]): KeyedChunk<EncodedKey, undefined> {
    const keys = fields.map((field) => this.encodedKey(field))
    assertAscending(keys, compareKeys, 'Set elements')
    return { keys, values: new Array<undefined>(keys.length).fill(undefined) }
  }

  protected install(chunks: KeyedChunk<EncodedKey, undefined>[]): void {
    this.#store = KeyedStore.load(chunks)
  }
}
