/**
 * Recovery: rebuilds the log by replaying the records of every segment in order.
 *
 * - Every frame is checksummed. Only the last frame of the last segment can be torn by a crash (one
 *   frame per fsync), so an invalid frame there, with no valid frame after it, is cut off. Any other
 *   invalid frame or record is damage: a StorageError naming the file and offset, never skipped.
 * - Segments before a gap in the sequence numbers are leftovers of an interrupted compaction and
 *   are deleted. When the first replayed segment does not start the log, a later compact or reset
 *   record must make the entries before it irrelevant; otherwise segments went missing: an error.
 * - Repairs (cutting the tail, deleting leftovers) happen only once the whole log checked out.
 */
import { readdir, readFile, truncate, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { isMosaikError, StorageError } from '../../../primitives/errors.ts'
import { LogTable } from '../log-table.ts'
import { findValidFrame, readFrame } from './frame.ts'
import { decodeRecords, type Frontier, RecordError, type WalRecord } from './records.ts'
import { parseSegmentName, type SegmentInfo, segmentName } from './segments.ts'

/**
 * Where an entry lives: its record's segment and offset, and its data while it is cached in memory.
 * `seq` 0 means not written yet (the data is then always present).
 */
export interface EntryRef {
  seq: number
  pos: number
  len: number
  data: Uint8Array | undefined
}

/** What recovery found and repaired, for logs and metrics. */
export interface RecoveryReport {
  segments: number
  frames: number
  entries: number
  /** Bytes cut off a torn tail. */
  truncatedBytes: number
  /** Files deleted: a torn empty segment, leftovers of an interrupted compaction. */
  removedFiles: string[]
}

export interface Recovered {
  table: LogTable<EntryRef>
  commit: number
  segments: SegmentInfo[]
  frontier: Frontier
  report: RecoveryReport
}

function damage(file: string, offset: number, reason: string): StorageError {
  return new StorageError(`corrupt WAL segment ${file} at offset ${offset}: ${reason}`, {
    details: { file, offset },
  })
}

/** The segments to replay: after the last gap in the sequence; the ones before it are returned apart. */
async function listSegments(dir: string): Promise<{ replay: number[]; leftovers: number[] }> {
  const seqs = (await readdir(dir))
    .map(parseSegmentName)
    .filter((seq): seq is number => seq !== undefined)
    .sort((a, b) => a - b)
  let start = 0
  for (let i = 1; i < seqs.length; i++) if ((seqs[i] as number) !== (seqs[i - 1] as number) + 1) start = i
  return { replay: seqs.slice(start), leftovers: seqs.slice(0, start) }
}

/** Term of a base inside a deleted prefix (known only once a later record covers it). */
const UNKNOWN_TERM = -1

/**
 * Replays records into a log table. When the segments before the first replayed one are gone, the
 * entries up to its start are unknown: `unknownThrough` tracks that prefix as records shrink it
 * (an entry replacing part of it, a compaction past it, a reset); recovery fails unless it ends empty.
 */
class Replay {
  readonly table = new LogTable<EntryRef>()
  commit = 0
  unknownThrough = 0
  started = false
  entries = 0

  apply(record: WalRecord, seq: number, pos: number, length: number, atSegmentStart: boolean): void {
    if (atSegmentStart !== (record.type === 'header')) {
      throw new RecordError(
        atSegmentStart ? 'segment does not start with a header' : 'header inside a segment',
        0,
      )
    }
    switch (record.type) {
      case 'header':
        this.#header(record.seq, seq, record.frontier)
        return
      case 'entry':
        if (this.unknownThrough > 0 && record.index <= this.unknownThrough) {
          this.unknownThrough = record.index - 1
          this.table.reset(this.unknownThrough, this.unknownThrough === 0 ? 0 : UNKNOWN_TERM)
        }
        this.table.append(record.index, record.term, { seq, pos, len: length, data: undefined })
        this.entries++
        return
      case 'compact':
        if (record.through >= this.unknownThrough) this.unknownThrough = 0
        this.table.compactThrough(record.through)
        return
      case 'reset':
        if (this.unknownThrough === 0 && record.index < this.table.baseIndex) {
          throw new RecordError(`reset to ${record.index} below the base ${this.table.baseIndex}`, 0)
        }
        this.unknownThrough = 0
        this.table.reset(record.index, record.term)
        return
      case 'commit':
        this.commit = record.commit
        return
    }
  }

  #header(recordSeq: number, fileSeq: number, start: Frontier): void {
    if (recordSeq !== fileSeq) throw new RecordError(`header names segment ${recordSeq}`, 0)
    if (!this.started) {
      this.started = true
      this.unknownThrough = start.lastIndex
      this.table.reset(start.lastIndex, start.lastTerm)
      this.commit = start.commit
    } else if (this.table.lastIndex !== start.lastIndex || this.table.lastTerm !== start.lastTerm) {
      throw new RecordError(
        `segment starts after (${start.lastIndex}, ${start.lastTerm}) but the log ends at (${this.table.lastIndex}, ${this.table.lastTerm})`,
        0,
      )
    }
  }
}

/** Replays the WAL segments of `dir`, repairing a torn tail. */
export async function recoverSegments(dir: string): Promise<Recovered> {
  const { replay: seqs, leftovers } = await listSegments(dir)
  const report: RecoveryReport = { segments: 0, frames: 0, entries: 0, truncatedBytes: 0, removedFiles: [] }
  const state = new Replay()
  const segments: SegmentInfo[] = []
  let tornTail: { path: string; offset: number } | undefined
  for (const [i, seq] of seqs.entries()) {
    const path = join(dir, segmentName(seq))
    const buf = await readFile(path)
    const isLast = i === seqs.length - 1
    let offset = 0
    let start: Frontier | undefined
    while (offset < buf.length) {
      const frame = readFrame(buf, offset)
      if (!frame.ok) {
        if (!isLast || findValidFrame(buf, offset + 1) !== -1) throw damage(path, offset, frame.reason)
        report.truncatedBytes += buf.length - offset
        break
      }
      const records = decodeRecords(frame.payload)
      try {
        for (let next = records.next(); !next.done; next = records.next()) {
          const record = next.value
          const atStart = offset === 0 && record.offset === 0
          state.apply(record, seq, frame.payloadOffset + record.offset, record.length, atStart)
          if (record.type === 'header') start = record.frontier
        }
      } catch (err) {
        // The log table refuses impossible moves with InvalidInputError: damage as well.
        if (!(err instanceof RecordError) && !isMosaikError(err, 'ERR_INVALID_INPUT')) throw err
        const at = err instanceof RecordError ? err.offset : 0
        throw damage(path, frame.payloadOffset + at, (err as Error).message)
      }
      report.frames++
      offset = frame.end
    }
    if (start === undefined && !isLast) throw damage(path, 0, 'segment holds no valid frame')
    if (offset < buf.length || start === undefined) tornTail = { path, offset }
    if (start !== undefined) segments.push({ seq, path, size: offset, start })
  }
  if (state.unknownThrough > 0) {
    throw new StorageError(`WAL ${dir}: entries up to ${state.unknownThrough} are in missing segments`, {
      details: { dir, missingThrough: state.unknownThrough },
    })
  }
  const { table, commit } = state
  if (commit > table.lastIndex) {
    throw new StorageError(`WAL ${dir}: commit ${commit} is beyond the last entry ${table.lastIndex}`, {
      details: { dir },
    })
  }
  // Repairs only once the whole log is known to be sound.
  if (tornTail !== undefined) await cutTail(tornTail.path, tornTail.offset, report)
  for (const seq of leftovers) await removeFile(join(dir, segmentName(seq)), report)
  report.segments = segments.length
  report.entries = state.entries
  return {
    table,
    commit,
    segments,
    frontier: { lastIndex: table.lastIndex, lastTerm: table.lastTerm, commit },
    report,
  }
}

/** Cuts a torn tail off; a segment left without any valid frame is deleted. */
async function cutTail(path: string, offset: number, report: RecoveryReport): Promise<void> {
  if (offset === 0) {
    await removeFile(path, report)
    return
  }
  await truncate(path, offset)
}

async function removeFile(path: string, report: RecoveryReport): Promise<void> {
  await unlink(path)
  report.removedFiles.push(path)
}
