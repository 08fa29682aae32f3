/** What Cell and Once share: one optional value, its view and its snapshot (zero or one item). */
import type { CellView, OnceView, Version } from '../../codegen/collections.ts'
import { ProtocolError } from '../../primitives/errors.ts'
import { CollectionState, type CommandShape } from './machine.ts'
import type { SnapshotItems } from './snapshot.ts'

/** An immutable view of a Cell or Once. */
export class SingleValueView<T> implements CellView<T>, OnceView<T> {
  readonly version: Version
  readonly #value: T | undefined

  constructor(value: T | undefined, version: Version) {
    this.#value = value
    this.version = version
  }

  get(): T | undefined {
    return this.#value
  }

  get isSet(): boolean {
    return this.#value !== undefined
  }
}

export abstract class SingleValueState<
  Command extends CommandShape,
  Results extends Record<Command['op'], unknown>,
  Change,
  T,
> extends CollectionState<Command, Results, Change, SingleValueView<T>, T[]> {
  /** The current value; undefined when empty. */
  protected current: T | undefined

  get size(): number {
    return this.current === undefined ? 0 : 1
  }

  protected createView(version: Version): SingleValueView<T> {
    return new SingleValueView(this.current, version)
  }

  protected snapshotItems(): SnapshotItems {
    const items = this.current === undefined ? [] : [this.current]
    return { count: items.length, width: 1, fields: (offset, end) => items.slice(offset, end) }
  }

  protected parseChunk(fields: unknown[]): T[] {
    return fields.map((field) => this.value(field) as T)
  }

  protected install(chunks: T[][]): void {
    const items = chunks.flat()
    if (items.length > 1)
      throw new ProtocolError(`a ${this.kind} snapshot holds at most one value, got ${items.length}`)
    this.current = items[0]
  }
}
