/**
 * The in-memory shape of a Raft log shared by every store: a base (the last compacted entry's index
 * and term) followed by contiguous entries, each with its term and a store-specific item (the data
 * itself in memory, a disk location in the WAL). It performs the moves; `rules.ts` decides whether
 * a caller's request is allowed.
 */
import { InvalidInputError } from '../../primitives/errors.ts'

/** Above this many dropped slots at the front, compaction re-packs the arrays. */
const REPACK_SLOTS = 1024

export class LogTable<T> {
  #baseIndex = 0
  #baseTerm = 0
  #terms: number[] = []
  #items: T[] = []
  /** Slots before `#head` were compacted away and are waiting for a re-pack. */
  #head = 0

  get baseIndex(): number {
    return this.#baseIndex
  }

  get baseTerm(): number {
    return this.#baseTerm
  }

  get firstIndex(): number {
    return this.#baseIndex + 1
  }

  get lastIndex(): number {
    return this.#baseIndex + this.#terms.length - this.#head
  }

  get lastTerm(): number {
    return this.term(this.lastIndex) as number
  }

  get size(): number {
    return this.#terms.length - this.#head
  }

  /** Term of `index` for base..last, else undefined. */
  term(index: number): number | undefined {
    if (index === this.#baseIndex) return this.#baseTerm
    if (index < this.#baseIndex || index > this.lastIndex) return undefined
    return this.#terms[this.#slot(index)]
  }

  /** True when the log holds entry (index, term), the base included. */
  holds(index: number, term: number): boolean {
    return this.term(index) === term
  }

  item(index: number): T {
    this.#assertHeld(index)
    return this.#items[this.#slot(index)] as T
  }

  setItem(index: number, item: T): void {
    this.#assertHeld(index)
    this.#items[this.#slot(index)] = item
  }

  /** Appends at `index`, which must lie in first..last+1; anything from `index` on is replaced. */
  append(index: number, term: number, item: T): void {
    if (index < this.firstIndex || index > this.lastIndex + 1) {
      throw new InvalidInputError(`entry ${index} is not within ${this.firstIndex}..${this.lastIndex + 1}`)
    }
    if (index <= this.lastIndex) this.truncateFrom(index)
    this.#terms.push(term)
    this.#items.push(item)
  }

  /** Drops the entries from `index` on. */
  truncateFrom(index: number): void {
    if (index > this.lastIndex) return
    const keep = Math.max(index, this.firstIndex) - this.firstIndex + this.#head
    this.#terms.length = keep
    this.#items.length = keep
  }

  /** Drops the entries up to and including `index` (which the log holds); it becomes the base. */
  compactThrough(index: number): void {
    if (index <= this.#baseIndex) return
    const term = this.term(index)
    if (term === undefined)
      throw new InvalidInputError(`cannot compact through ${index}: beyond ${this.lastIndex}`)
    const drop = index - this.#baseIndex
    for (let slot = this.#head; slot < this.#head + drop; slot++) this.#items[slot] = undefined as T
    this.#head += drop
    this.#baseIndex = index
    this.#baseTerm = term
    if (this.#head >= REPACK_SLOTS && this.#head * 2 >= this.#terms.length) {
      this.#terms.splice(0, this.#head)
      this.#items.splice(0, this.#head)
      this.#head = 0
    }
  }

  /** Discards the whole log; (index, term) becomes the base (a snapshot the log does not hold). */
  reset(index: number, term: number): void {
    this.#terms = []
    this.#items = []
    this.#head = 0
    this.#baseIndex = index
    this.#baseTerm = term
  }

  #slot(index: number): number {
    return index - this.firstIndex + this.#head
  }

  #assertHeld(index: number): void {
    if (index < this.firstIndex || index > this.lastIndex) {
      throw new InvalidInputError(`entry ${index} is not within ${this.firstIndex}..${this.lastIndex}`)
    }
  }
}

/** The read side every store answers straight from its table. */
export abstract class TableStore<T> {
  readonly table: LogTable<T>

  constructor(table: LogTable<T> = new LogTable<T>()) {
    this.table = table
  }

  get firstIndex(): number {
    return this.table.firstIndex
  }

  get lastIndex(): number {
    return this.table.lastIndex
  }

  term(index: number): number | undefined {
    return this.table.term(index)
  }
}
