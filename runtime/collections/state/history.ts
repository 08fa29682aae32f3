/**
 * The bounded change history behind `watch(fromVersion)`.
 *
 * Every applied version that changed something contributes one `ChangeBatch` (its change records,
 * in order). The history keeps the newest batches up to `limit` change records in total — always at
 * least the newest batch whole, even if it alone is larger — and drops the oldest beyond that. Its
 * `floor` is the version after which every change is still held: resuming at `v ≥ floor` replays
 * every change after `v`; resuming below it throws `HistoryTruncatedError` (the watcher must start
 * again from a fresh read). Installing a snapshot resets the history, with the snapshot's version as
 * the new floor.
 *
 * Bulk removals (clear, truncate) are recorded lazily: the batch holds the O(1) view of the state
 * before the removal and produces its one-record-per-element changes only when iterated.
 */
import type { Version } from '../../codegen/collections.ts'
import { MosaikError } from '../../primitives/errors.ts'

/** Default bound of a history, in change records. */
export const DEFAULT_HISTORY_LIMIT = 10_000

/** The change records of one version, in the order they happened. */
export interface ChangeBatch<C> extends Iterable<C> {
  readonly version: Version
  /** Number of records. */
  readonly count: number
}

/** A part of a batch: records at hand, or a count and a generator producing them on demand. */
export interface ChangeSegment<C> {
  readonly count: number
  records(): Iterable<C>
}

/** Builds the batch of `version` from its segments. */
export function changeBatch<C>(version: Version, segments: readonly ChangeSegment<C>[]): ChangeBatch<C> {
  let count = 0
  for (const segment of segments) count += segment.count
  return {
    version,
    count,
    *[Symbol.iterator]() {
      for (const segment of segments) yield* segment.records()
    },
  }
}

/** Resuming a change feed from a version older than the history holds. */
export class HistoryTruncatedError extends MosaikError {
  constructor(requested: Version, floor: Version) {
    super(
      'ERR_HISTORY_TRUNCATED',
      `changes after version ${requested} are no longer held (history starts after version ${floor}); read the current state and watch from its version`,
      { details: { requested, floor } },
    )
  }
}

export class ChangeHistory<C> {
  readonly limit: number
  #batches: ChangeBatch<C>[] = []
  #head = 0
  #records = 0
  #floor: Version

  constructor(limit: number, floor: Version) {
    this.limit = limit
    this.#floor = floor
  }

  /** Every change after this version is held. */
  get floor(): Version {
    return this.#floor
  }

  /** Change records currently held. */
  get records(): number {
    return this.#records
  }

  /** Appends the batch of a newer version, then drops the oldest batches beyond the limit. */
  record(batch: ChangeBatch<C>): void {
    if (batch.count === 0) return
    this.#batches.push(batch)
    this.#records += batch.count
    while (this.#records > this.limit && this.#batches.length - this.#head > 1) {
      const oldest = this.#batches[this.#head] as ChangeBatch<C>
      this.#batches[this.#head] = undefined as unknown as ChangeBatch<C>
      this.#head++
      this.#records -= oldest.count
      this.#floor = oldest.version
    }
    if (this.#head > 1024 && this.#head * 2 > this.#batches.length) {
      this.#batches = this.#batches.slice(this.#head)
      this.#head = 0
    }
  }

  /** The batches of every version after `version`, oldest first; throws if some were dropped. */
  since(version: Version): ChangeBatch<C>[] {
    if (version < this.#floor) throw new HistoryTruncatedError(version, this.#floor)
    const out: ChangeBatch<C>[] = []
    for (let i = this.#batches.length - 1; i >= this.#head; i--) {
      const batch = this.#batches[i] as ChangeBatch<C>
      if (batch.version <= version) break
      out.push(batch)
    }
    return out.reverse()
  }

  /** Forgets everything: the state was replaced by a snapshot at `floor`. */
  reset(floor: Version): void {
    this.#batches = []
    this.#head = 0
    this.#records = 0
    this.#floor = floor
  }
}
