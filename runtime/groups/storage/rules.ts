/**
 * What a caller may ask of a log store. Both stores check requests here before changing anything,
 * so they accept and refuse exactly the same operations; a refusal is an InvalidInputError, since it
 * means a bug in the caller (usually a Raft safety violation the store will not make durable).
 */
import { InvalidInputError } from '../../primitives/errors.ts'
import type { LogTable } from './log-table.ts'
import type { HardState, LogEntry, SnapshotMeta } from './types.ts'

/** Largest entry data a store accepts. */
export const MAX_ENTRY_BYTES = 16 * 1024 * 1024
/** Largest snapshot configuration blob. */
export const MAX_CONFIG_BYTES = 1024 * 1024
/** Longest peer id accepted as a vote. */
export const MAX_VOTE_LENGTH = 256

/** What the rules look at. */
export interface LogView {
  readonly table: LogTable<unknown>
  readonly hardState: HardState
  readonly snapshot: SnapshotMeta | null
}

/** True for a safe non-negative integer: indexes and terms. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function assertCount(value: unknown, what: string): asserts value is number {
  if (!isCount(value))
    throw new InvalidInputError(`${what} must be a non-negative safe integer, got ${String(value)}`)
}

/** Checks an append: contiguous, within first..last+1, terms not decreasing, no committed (or snapshotted) entry replaced. */
export function checkAppend(view: LogView, entries: readonly LogEntry[]): void {
  const { table, hardState } = view
  let previousTerm: number | undefined
  for (const [i, entry] of entries.entries()) {
    assertCount(entry.index, 'entry index')
    assertCount(entry.term, 'entry term')
    if (!(entry.data instanceof Uint8Array))
      throw new InvalidInputError(`entry ${entry.index}: data must be a Uint8Array`)
    if (entry.data.length > MAX_ENTRY_BYTES) {
      throw new InvalidInputError(
        `entry ${entry.index}: ${entry.data.length} bytes exceed ${MAX_ENTRY_BYTES}`,
      )
    }
    if (i === 0) {
      if (entry.index < table.firstIndex || entry.index > table.lastIndex + 1) {
        throw new InvalidInputError(
          `append at ${entry.index} is not within ${table.firstIndex}..${table.lastIndex + 1}`,
        )
      }
      // A snapshot holds committed state only, so the entries it covers are committed as well.
      const committed = Math.max(hardState.commit, view.snapshot?.index ?? 0)
      if (entry.index <= table.lastIndex && entry.index <= committed) {
        throw new InvalidInputError(
          `append at ${entry.index} would replace committed entries (through ${committed})`,
        )
      }
      previousTerm = table.term(entry.index - 1)
    } else if (entry.index !== (entries[i - 1] as LogEntry).index + 1) {
      throw new InvalidInputError(`entries are not contiguous at ${entry.index}`)
    }
    if (entry.term < (previousTerm as number)) {
      throw new InvalidInputError(
        `entry ${entry.index} has term ${entry.term} below the previous term ${previousTerm}`,
      )
    }
    previousTerm = entry.term
  }
}

/** Checks a hard state change (see LogStore.setHardState). */
export function checkHardState(view: LogView, next: HardState): void {
  const current = view.hardState
  assertCount(next.term, 'term')
  assertCount(next.commit, 'commit')
  if (
    next.vote !== null &&
    (typeof next.vote !== 'string' || next.vote.length === 0 || next.vote.length > MAX_VOTE_LENGTH)
  ) {
    throw new InvalidInputError(`vote must be null or a peer id of 1..${MAX_VOTE_LENGTH} characters`)
  }
  if (next.term < current.term)
    throw new InvalidInputError(`term may not decrease (${current.term} → ${next.term})`)
  if (next.term === current.term && current.vote !== null && next.vote !== current.vote) {
    throw new InvalidInputError(`vote in term ${next.term} already cast for ${current.vote}`)
  }
  if (next.commit < current.commit)
    throw new InvalidInputError(`commit may not decrease (${current.commit} → ${next.commit})`)
  if (next.commit > view.table.lastIndex) {
    throw new InvalidInputError(`commit ${next.commit} is beyond the last entry ${view.table.lastIndex}`)
  }
}

/** Checks a snapshot to save: not older than the current one and not contradicting a committed entry. */
export function checkSnapshot(view: LogView, meta: SnapshotMeta): void {
  assertCount(meta.index, 'snapshot index')
  assertCount(meta.term, 'snapshot term')
  if (!(meta.config instanceof Uint8Array) || meta.config.length > MAX_CONFIG_BYTES) {
    throw new InvalidInputError(`snapshot config must be a Uint8Array of at most ${MAX_CONFIG_BYTES} bytes`)
  }
  const current = view.snapshot
  if (
    current !== null &&
    (meta.index < current.index || (meta.index === current.index && meta.term !== current.term))
  ) {
    throw new InvalidInputError(
      `snapshot (${meta.index}, ${meta.term}) is older than the saved (${current.index}, ${current.term})`,
    )
  }
  if (meta.index < view.table.baseIndex) {
    throw new InvalidInputError(`snapshot ${meta.index} is below the compacted log (${view.table.baseIndex})`)
  }
  if (!view.table.holds(meta.index, meta.term) && meta.index <= view.hardState.commit) {
    throw new InvalidInputError(
      `snapshot (${meta.index}, ${meta.term}) contradicts committed entries (commit ${view.hardState.commit})`,
    )
  }
}

/** Checks a compaction; returns false when it is a no-op (at or below the base). */
export function checkCompact(view: LogView, through: number): boolean {
  assertCount(through, 'compaction index')
  if (through <= view.table.baseIndex) return false
  const covered = view.snapshot?.index ?? 0
  if (through > covered)
    throw new InvalidInputError(`cannot compact through ${through}: the snapshot covers only ${covered}`)
  if (through > view.table.lastIndex) {
    throw new InvalidInputError(
      `cannot compact through ${through}: beyond the last entry ${view.table.lastIndex}`,
    )
  }
  return true
}

/** Checks an entries() range and its optional byte budget. */
export function checkRange(
  table: LogTable<unknown>,
  from: number,
  to: number,
  maxBytes: number | undefined,
): void {
  assertCount(from, 'from')
  assertCount(to, 'to')
  if (maxBytes !== undefined) assertCount(maxBytes, 'maxBytes')
  if (from > to || from < table.firstIndex || to > table.lastIndex + 1) {
    throw new InvalidInputError(
      `range ${from}..${to} is not within ${table.firstIndex}..${table.lastIndex + 1}`,
    )
  }
}

/** Checks a snapshot read range against the snapshot's size; returns the resolved length. */
export function checkSnapshotRange(size: number, offset: number, length: number | undefined): number {
  assertCount(offset, 'offset')
  const resolved = length ?? Math.max(0, size - offset)
  assertCount(resolved, 'length')
  if (offset + resolved > size)
    throw new InvalidInputError(`range ${offset}+${resolved} exceeds the snapshot (${size} bytes)`)
  return resolved
}
