/**
 * The segment files of one WAL: `wal-<seq as 16 hex digits>.log`, appended one frame per flush. A
 * segment's first frame begins with a header record stating where the log ended when the segment
 * started; that lets recovery start from any segment once the ones before it were deleted, and lets
 * compaction delete a segment as soon as the next one starts at or below the compacted index.
 */
import { closeSync, openSync, readSync } from 'node:fs'
import { type FileHandle, open, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from '../../../primitives/errors.ts'
import { fsyncDir } from './durable-file.ts'
import { FRAME_HEADER_BYTES, frameHeader } from './frame.ts'
import { encodeHeader, type Frontier } from './records.ts'

const NAME = /^wal-([0-9a-f]{16})\.log$/

export function segmentName(seq: number): string {
  return `wal-${seq.toString(16).padStart(16, '0')}.log`
}

/** The sequence number of a segment file name, or undefined for any other file. */
export function parseSegmentName(name: string): number | undefined {
  const match = NAME.exec(name)
  if (match === null) return undefined
  const seq = Number.parseInt(match[1] as string, 16)
  return Number.isSafeInteger(seq) ? seq : undefined
}

export interface SegmentInfo {
  readonly seq: number
  readonly path: string
  /** Bytes of valid frames. */
  size: number
  /** Where the log ended when the segment started (its header). */
  readonly start: Frontier
}

export interface SegmentOptions {
  segmentBytes: number
  fsync: boolean
}

export class SegmentFiles {
  readonly dir: string
  readonly #segments: SegmentInfo[]
  readonly #options: SegmentOptions
  /** Write handle of the last segment, opened on first use. */
  #active: FileHandle | null = null
  /** Read descriptors by segment seq; reads are synchronous so a close can never race one. */
  readonly #readers = new Map<number, number>()

  constructor(dir: string, segments: SegmentInfo[], options: SegmentOptions) {
    this.dir = dir
    this.#segments = segments
    this.#options = options
  }

  get list(): readonly SegmentInfo[] {
    return this.#segments
  }

  /**
   * Writes one frame holding `records` and makes it durable. When the last segment is full (or
   * there is none) a new one is started whose header states `frontier`, the log's end before these
   * records. Returns the segment and the file offset where `records[0]` landed.
   */
  async append(records: readonly Uint8Array[], frontier: Frontier): Promise<{ seq: number; offset: number }> {
    let segment = this.#segments.at(-1)
    let parts = records
    let headerBytes = 0
    if (segment === undefined || segment.size >= this.#options.segmentBytes) {
      const seq = (segment?.seq ?? 0) + 1
      await this.#active?.close()
      this.#active = null
      const path = join(this.dir, segmentName(seq))
      this.#active = await open(path, 'wx')
      segment = { seq, path, size: 0, start: frontier }
      this.#segments.push(segment)
      const header = encodeHeader(seq, frontier)
      parts = [header, ...records]
      headerBytes = header.length
    }
    this.#active ??= await open(segment.path, 'r+')
    const frame = Buffer.concat([frameHeader(parts), ...parts])
    let written = 0
    while (written < frame.length) {
      const { bytesWritten } = await this.#active.write(
        frame,
        written,
        frame.length - written,
        segment.size + written,
      )
      written += bytesWritten
    }
    if (this.#options.fsync) {
      await this.#active.datasync()
      if (headerBytes > 0) await fsyncDir(this.dir)
    }
    const offset = segment.size + FRAME_HEADER_BYTES + headerBytes
    segment.size += frame.length
    return { seq: segment.seq, offset }
  }

  /** Reads `length` bytes at `position` of segment `seq`, synchronously. */
  read(seq: number, position: number, length: number): Buffer {
    const segment = this.#segments.find((s) => s.seq === seq)
    if (segment === undefined)
      throw new StorageError(`WAL segment ${seq} is gone`, { details: { dir: this.dir, seq } })
    let fd = this.#readers.get(seq)
    if (fd === undefined) {
      fd = openSync(segment.path, 'r')
      this.#readers.set(seq, fd)
    }
    const out = Buffer.allocUnsafe(length)
    let done = 0
    while (done < length) {
      const n = readSync(fd, out, done, length - done, position + done)
      if (n === 0) {
        throw new StorageError(`WAL segment ${segment.path} ended at ${position + done}`, {
          details: { file: segment.path, offset: position + done },
        })
      }
      done += n
    }
    return out
  }

  /** Deletes the leading segments whose successor starts at or below `base`; returns how many. */
  async removeBefore(base: number): Promise<number> {
    let removed = 0
    while (this.#segments.length > 1 && (this.#segments[1] as SegmentInfo).start.lastIndex <= base) {
      const [old] = this.#segments.splice(0, 1) as [SegmentInfo]
      this.#closeReader(old.seq)
      await unlink(old.path)
      removed++
    }
    if (removed > 0 && this.#options.fsync) await fsyncDir(this.dir)
    return removed
  }

  async close(): Promise<void> {
    for (const seq of [...this.#readers.keys()]) this.#closeReader(seq)
    await this.#active?.close()
    this.#active = null
  }

  #closeReader(seq: number): void {
    const fd = this.#readers.get(seq)
    if (fd === undefined) return
    this.#readers.delete(seq)
    closeSync(fd)
  }
}
