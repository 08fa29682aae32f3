/**
 * The replicated Vec state machine on an immutable.js `List`: O(log n) push/pop at both ends, get
 * and set; insert/remove in the middle are O(n). Index errors are rejected commands
 * (`out-of-range`), never crashes (mosaik's `im::Vector::insert` panicked on every replica, §9.3).
 * Popping an empty Vec and truncating to a length it does not exceed are no-ops.
 */
import { List } from 'immutable'
import type { VecChange, VecView, Version } from '../../codegen/collections.ts'
import { type ChangeRecorder, CollectionState } from './machine.ts'
import type { SnapshotItems } from './snapshot.ts'
import { toStored, valuesEqual } from './values.ts'

/** Vec commands (plain data, one per mutation). */
export type VecCommand<T> =
  | { readonly op: 'pushBack'; readonly value: T }
  | { readonly op: 'pushFront'; readonly value: T }
  | { readonly op: 'extend'; readonly values: readonly T[] }
  | { readonly op: 'popBack' }
  | { readonly op: 'popFront' }
  | { readonly op: 'insert'; readonly index: number; readonly value: T }
  | { readonly op: 'remove'; readonly index: number }
  | { readonly op: 'swap'; readonly i: number; readonly j: number }
  | { readonly op: 'truncate'; readonly length: number }
  | { readonly op: 'clear' }

/** The result of each Vec command. */
export interface VecResults<T> {
  /** The new size. */
  pushBack: number
  /** The new size. */
  pushFront: number
  /** The new size. */
  extend: number
  /** The removed element (undefined when empty). */
  popBack: T | undefined
  /** The removed element (undefined when empty). */
  popFront: T | undefined
  /** The new size. */
  insert: number
  /** The removed element. */
  remove: T
  swap: undefined
  /** Number of elements removed. */
  truncate: number
  /** Number of elements removed. */
  clear: number
}

/** An immutable Vec view. */
export class VecStateView<T> implements VecView<T> {
  readonly version: Version
  readonly #list: List<T>

  constructor(list: List<T>, version: Version) {
    this.#list = list
    this.version = version
  }

  get size(): number {
    return this.#list.size
  }

  get(index: number): T | undefined {
    return Number.isSafeInteger(index) && index >= 0 ? this.#list.get(index) : undefined
  }

  front(): T | undefined {
    return this.#list.first()
  }

  back(): T | undefined {
    return this.#list.last()
  }

  indexOf(value: T): number {
    let probe: unknown
    try {
      probe = toStored(value)
    } catch {
      return -1
    }
    return this.#list.findIndex((item) => valuesEqual(item, probe))
  }

  includes(value: T): boolean {
    return this.indexOf(value) !== -1
  }

  values(): IterableIterator<T> {
    return this.#list.values()
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.values()
  }
}

type Change<T> = VecChange<T>

export class VecState<T> extends CollectionState<
  VecCommand<T>,
  VecResults<T>,
  Change<T>,
  VecStateView<T>,
  T[]
> {
  readonly kind = 'vec'
  #list = List<T>()

  get size(): number {
    return this.#list.size
  }

  protected execute(command: VecCommand<T>, changes: ChangeRecorder<Change<T>>): unknown {
    switch (command.op) {
      case 'pushBack':
        return this.#insert(this.#list.size, this.value(command.value) as T, changes)
      case 'pushFront':
        return this.#insert(0, this.value(command.value) as T, changes)
      case 'extend': {
        const values = this.list(command.values, 'values').map((value) => this.value(value) as T)
        for (const value of values) this.#insert(this.#list.size, value, changes)
        return this.#list.size
      }
      case 'popBack':
        return this.#list.size === 0 ? undefined : this.#remove(this.#list.size - 1, changes)
      case 'popFront':
        return this.#list.size === 0 ? undefined : this.#remove(0, changes)
      case 'insert': {
        const index = this.#index(command.index, 'index', this.#list.size + 1)
        return this.#insert(index, this.value(command.value) as T, changes)
      }
      case 'remove':
        return this.#remove(this.#index(command.index, 'index', this.#list.size), changes)
      case 'swap':
        this.#swap(
          this.#index(command.i, 'i', this.#list.size),
          this.#index(command.j, 'j', this.#list.size),
          changes,
        )
        return undefined
      case 'truncate':
        return this.#truncate(this.integer(command.length, 'length'), changes)
      case 'clear':
        return this.#truncate(0, changes)
      default:
        throw this.unknownOp(command)
    }
  }

  /** An index in `[0, end)`. */
  #index(raw: unknown, field: string, end: number): number {
    const index = this.integer(raw, field)
    if (index >= end) {
      throw this.reject('out-of-range', `\`${field}\` ${index} is out of range [0, ${end})`, {
        [field]: index,
        size: this.#list.size,
      })
    }
    return index
  }

  #insert(index: number, value: T, changes: ChangeRecorder<Change<T>>): number {
    this.#list =
      index === this.#list.size
        ? this.#list.push(value)
        : index === 0
          ? this.#list.unshift(value)
          : this.#list.insert(index, value)
    changes.emit({ version: changes.version, type: 'insert', index, value })
    return this.#list.size
  }

  #remove(index: number, changes: ChangeRecorder<Change<T>>): T {
    const previous = this.#list.get(index) as T
    this.#list =
      index === this.#list.size - 1
        ? this.#list.pop()
        : index === 0
          ? this.#list.shift()
          : this.#list.remove(index)
    changes.emit({ version: changes.version, type: 'remove', index, previous })
    return previous
  }

  #swap(i: number, j: number, changes: ChangeRecorder<Change<T>>): void {
    if (i === j) return
    const a = this.#list.get(i) as T
    const b = this.#list.get(j) as T
    this.#list = this.#list.set(i, b).set(j, a)
    changes.emit({ version: changes.version, type: 'set', index: i, value: b, previous: a })
    changes.emit({ version: changes.version, type: 'set', index: j, value: a, previous: b })
  }

  /** Removes the elements from `length` on, reported last to first so each index is valid in turn. */
  #truncate(length: number, changes: ChangeRecorder<Change<T>>): number {
    const before = this.#list
    if (length >= before.size) return 0
    const { version } = changes
    changes.emitLazy(before.size - length, function* () {
      for (let index = before.size - 1; index >= length; index--) {
        yield { version, type: 'remove', index, previous: before.get(index) as T }
      }
    })
    this.#list = before.setSize(length)
    return before.size - length
  }

  protected createView(version: Version): VecStateView<T> {
    return new VecStateView(this.#list, version)
  }

  protected snapshotItems(): SnapshotItems {
    const list = this.#list
    return { count: list.size, width: 1, fields: (offset, end) => list.slice(offset, end).toArray() }
  }

  protected parseChunk(fields: unknown[]): T[] {
    return fields.map((field) => this.value(field) as T)
  }

  protected install(chunks: T[][]): void {
    this.#list = List<T>().withMutations((list) => {
      for (const chunk of chunks) for (const value of chunk) list.push(value)
    })
  }
}
