/**
 * The durable log store: a write-ahead log of checksummed frames in segment files, a `hardstate`
 * file for term and vote, and a `snapshot` file, all in one directory.
 *
 * Group commit: mutations are queued as records; one flush at a time writes everything queued so
 * far (up to 4 MiB) as a single frame and fdatasyncs it, and every `sync()` waiting on those records
 * resolves together. Appends made while a flush is in flight go into the next one: one fsync per
 * batch, however many writers.
 *
 * Memory: the index keeps a small record (term, segment, offset, length) per live entry; entry data
 * stays in memory only for the most recent `cacheBytes` of appends, older entries are read back from
 * their segment (synchronously, checksum verified). Compaction bounds the number of live entries.
 *
 * A failed write or fsync poisons the store: after an fsync error the kernel's page cache can no
 * longer be trusted to match the disk, so every pending and later call fails with StorageError and
 * the group must reopen the store (which recovers from what is really on disk).
 */
import { mkdir, readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { ClosedError, InvalidInputError, StorageError } from '../../../primitives/errors.ts'
import { TableStore } from '../log-table.ts'
import {
  checkAppend,
  checkCompact,
  checkHardState,
  checkRange,
  checkSnapshot,
  checkSnapshotRange,
  isCount,
} from '../rules.ts'
import type {
  HardState,
  LogEntry,
  LogStore,
  SnapshotData,
  SnapshotInfo,
  SnapshotMeta,
  WalOptions,
} from '../types.ts'
import { lockDir } from './dir-lock.ts'
import { TEMP_SUFFIX } from './durable-file.ts'
import { readTermAndVote, type TermAndVote, writeTermAndVote } from './hard-state-file.ts'
import {
  decodeEntry,
  ENTRY_HEADER_BYTES,
  encodeCommit,
  encodeCompact,
  encodeEntry,
  encodeReset,
  type Frontier,
  RecordError,
} from './records.ts'
import { type EntryRef, type RecoveryReport, recoverSegments } from './recover.ts'
import { SegmentFiles } from './segments.ts'
import { openSnapshotFile, type SnapshotFile, writeSnapshotFile } from './snapshot-file.ts'

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024
/** A flush takes queued records up to this size into its frame; the rest waits for the next flush. */
const BATCH_BYTES = 4 * 1024 * 1024
/** Cached entries dropped from the front of the FIFO before it is re-packed. */
const REPACK_SLOTS = 1024

type Queued =
  | { kind: 'record'; bytes: Uint8Array; after: Frontier; ref?: EntryRef }
  | { kind: 'term-vote'; state: TermAndVote }

interface Waiter {
  seq: number
  resolve: () => void
  reject: (err: unknown) => void
}

/** Counters for benchmarks and metrics. */
export interface WalStats {
  /** Frames written (one per flush). */
  batches: number
  /** fdatasync calls on segments, plus hard state and snapshot file syncs. */
  fsyncs: number
  entriesWritten: number
  bytesWritten: number
  /** Entries read back from segment files (not in the cache). */
  diskReads: number
}

export class WalLogStore extends TableStore<EntryRef> implements LogStore {
  readonly dir: string
  /** What recovery found when the store opened. */
  readonly recovery: RecoveryReport
  readonly #segments: SegmentFiles
  readonly #fsync: boolean
  readonly #cacheBytes: number
  readonly #release: () => Promise<void>
  #hardState: HardState
  #snapshotFile: SnapshotFile | null
  /** The log's end after the last record handed to a flush: the next segment header. */
  #written: Frontier
  readonly #queue: Queued[] = []
  #submitted = 0
  #durable = 0
  readonly #waiters: Waiter[] = []
  #flushing = false
  #failure: StorageError | null = null
  #closing: Promise<void> | null = null
  #snapshotQueue: Promise<void> = Promise.resolve()
  #maintenance: Promise<void> = Promise.resolve()
  /** Entries whose data is in memory, oldest first; `#cacheHead` skips the evicted ones. */
  #cached: EntryRef[] = []
  #cacheHead = 0
  #cachedBytes = 0
  readonly #stats: WalStats = { batches: 0, fsyncs: 0, entriesWritten: 0, bytesWritten: 0, diskReads: 0 }

  private constructor(
    options: Required<WalOptions>,
    parts: {
      release: () => Promise<void>
      termVote: TermAndVote
      snapshot: SnapshotFile | null
      recovered: Awaited<ReturnType<typeof recoverSegments>>
    },
  ) {
    super(parts.recovered.table)
    this.dir = options.dir
    this.#fsync = options.fsync
    this.#cacheBytes = options.cacheBytes
    this.#release = parts.release
    this.#snapshotFile = parts.snapshot
    this.recovery = parts.recovered.report
    this.#written = parts.recovered.frontier
    this.#hardState = { ...parts.termVote, commit: parts.recovered.commit }
    this.#segments = new SegmentFiles(options.dir, parts.recovered.segments, {
      segmentBytes: options.segmentBytes,
      fsync: options.fsync,
    })
  }

  /** Opens (creating if needed) the WAL in `options.dir` and recovers its log, hard state and snapshot. */
  static async open(options: WalOptions): Promise<WalLogStore> {
    const resolved = resolveOptions(options)
    await mkdir(resolved.dir, { recursive: true })
    const release = await lockDir(resolved.dir)
    let snapshot: SnapshotFile | null = null
    let store: WalLogStore | undefined
    try {
      await removeTempFiles(resolved.dir)
      const termVote = await readTermAndVote(resolved.dir)
      snapshot = await openSnapshotFile(resolved.dir)
      const recovered = await recoverSegments(resolved.dir)
      store = new WalLogStore(resolved, { release, termVote, snapshot, recovered })
      await store.#reconcileSnapshot()
      return store
    } catch (err) {
      if (store !== undefined) await store.close().catch(() => {})
      else {
        await snapshot?.close()
        await release()
      }
      throw err
    }
  }

  get hardState(): HardState {
    return this.#hardState
  }

  get snapshot(): SnapshotInfo | null {
    return this.#snapshotFile?.info ?? null
  }

  get stats(): Readonly<WalStats> {
    return this.#stats
  }

  entries(from: number, to: number, maxBytes?: number): LogEntry[] {
    this.#assertOpen()
    checkRange(this.table, from, to, maxBytes)
    const out: LogEntry[] = []
    let budget = maxBytes ?? Number.POSITIVE_INFINITY
    let index = from
    while (index < to) {
      const ref = this.table.item(index)
      if (ref.data !== undefined) {
        if (ref.data.length > budget && out.length > 0) break
        out.push({ index, term: this.table.term(index) as number, data: ref.data })
        budget -= ref.data.length
        index++
        continue
      }
      const run = this.#diskRun(index, to, budget, out.length === 0)
      if (run === 0) break
      for (const entry of this.#readRun(index, run)) {
        out.push(entry)
        budget -= entry.data.length
      }
      index += run
    }
    return out
  }

  append(entries: readonly LogEntry[]): void {
    this.#assertUsable()
    checkAppend(this, entries)
    for (const entry of entries) {
      const bytes = encodeEntry(entry.index, entry.term, entry.data)
      const ref: EntryRef = { seq: 0, pos: 0, len: bytes.length, data: bytes.subarray(ENTRY_HEADER_BYTES) }
      this.table.append(entry.index, entry.term, ref)
      this.#cached.push(ref)
      this.#cachedBytes += entry.data.length
      this.#enqueue({ kind: 'record', bytes, ref, after: this.#frontier() })
    }
  }

  setHardState(state: HardState): void {
    this.#assertUsable()
    checkHardState(this, state)
    const previous = this.#hardState
    this.#hardState = { term: state.term, vote: state.vote, commit: state.commit }
    if (state.term !== previous.term || state.vote !== previous.vote) {
      this.#enqueue({ kind: 'term-vote', state: { term: state.term, vote: state.vote } })
    }
    if (state.commit !== previous.commit) {
      this.#enqueue({ kind: 'record', bytes: encodeCommit(state.commit), after: this.#frontier() })
    }
  }

  async sync(): Promise<void> {
    this.#assertOpen()
    return this.#whenDurable()
  }

  #whenDurable(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#durable >= this.#submitted) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.#waiters.push({ seq: this.#submitted, resolve, reject })
    })
  }

  async saveSnapshot(meta: SnapshotMeta, data: SnapshotData): Promise<void> {
    this.#assertUsable()
    checkSnapshot(this, meta)
    const saved = this.#snapshotQueue.then(async () => {
      const file = await writeSnapshotFile(this.dir, meta, data, this.#fsync)
      if (this.#fsync) this.#stats.fsyncs += 2
      try {
        checkSnapshot(this, meta)
      } catch (err) {
        // The file is durable but contradicts what the log became meanwhile: only a reopen can settle it.
        await file.close()
        this.#fail(err)
        throw err
      }
      const previous = this.#snapshotFile
      this.#snapshotFile = file
      await previous?.close()
      if (!this.table.holds(meta.index, meta.term)) await this.#reset(meta.index, meta.term)
    })
    this.#snapshotQueue = saved.catch(() => {})
    return saved
  }

  async readSnapshot(offset = 0, length?: number): Promise<Uint8Array> {
    this.#assertOpen()
    const file = this.#snapshotFile
    const resolved = checkSnapshotRange(file?.info.size ?? 0, offset, length)
    if (file === null || resolved === 0) return new Uint8Array(0)
    return file.read(offset, resolved)
  }

  async compact(through: number): Promise<void> {
    this.#assertUsable()
    if (!checkCompact(this, through)) return
    this.table.compactThrough(through)
    this.#enqueue({ kind: 'record', bytes: encodeCompact(through), after: this.#frontier() })
    await this.#whenDurable()
    await this.#removeSegments(through)
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  /** Finishes queued work, then releases every file even if that failed; the first error is rethrown. */
  async #shutdown(): Promise<void> {
    const outcomes = await Promise.allSettled([this.#finishWork()])
    outcomes.push(...(await Promise.allSettled([this.#segments.close(), this.#snapshotFile?.close()])))
    outcomes.push(...(await Promise.allSettled([this.#release()])))
    const failed = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }

  async #finishWork(): Promise<void> {
    await this.#snapshotQueue
    if (!this.#failure) await this.#whenDurable()
    await this.#maintenance
  }

  /** Applies the snapshot found on disk if the log is older than it (a crash between the two writes). */
  async #reconcileSnapshot(): Promise<void> {
    const snapshot = this.snapshot
    const base = this.table.baseIndex
    if (snapshot === null) {
      if (base > 0) throw new StorageError(`WAL ${this.dir} is compacted through ${base} but has no snapshot`)
      return
    }
    if (snapshot.index < base) {
      throw new StorageError(
        `WAL ${this.dir} is compacted through ${base}, beyond its snapshot ${snapshot.index}`,
      )
    }
    if (!this.table.holds(snapshot.index, snapshot.term)) await this.#reset(snapshot.index, snapshot.term)
  }

  /** Discards the log down to a snapshot it does not hold, durably recorded as a reset record. */
  async #reset(index: number, term: number): Promise<void> {
    this.table.reset(index, term)
    this.#enqueue({ kind: 'record', bytes: encodeReset(index, term), after: this.#frontier() })
    await this.#whenDurable()
    await this.#removeSegments(index)
  }

  #frontier(): Frontier {
    return { lastIndex: this.table.lastIndex, lastTerm: this.table.lastTerm, commit: this.#hardState.commit }
  }

  #enqueue(item: Queued): void {
    this.#queue.push(item)
    this.#submitted++
    if (!this.#flushing) {
      this.#flushing = true
      // Let everything queued in this turn of the event loop join the first batch.
      setImmediate(() => void this.#drain())
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && this.#failure === null) await this.#flushOnce()
    } catch (err) {
      this.#fail(err)
    } finally {
      this.#flushing = false
    }
  }

  async #flushOnce(): Promise<void> {
    const batch = this.#takeBatch()
    const records = batch.filter((item) => item.kind === 'record')
    const termVote = batch.findLast((item) => item.kind === 'term-vote')
    // Term and vote first: a durable entry then never has a term above the durable hard state.
    if (termVote !== undefined) {
      await writeTermAndVote(this.dir, termVote.state, this.#fsync)
      if (this.#fsync) this.#stats.fsyncs += 2
    }
    if (records.length > 0) {
      const bytes = records.map((r) => r.bytes)
      const { seq, offset } = await this.#segments.append(bytes, this.#written)
      this.#written = (records.at(-1) as Queued & { kind: 'record' }).after
      let pos = offset
      for (const record of records) {
        if (record.ref !== undefined) {
          record.ref.seq = seq
          record.ref.pos = pos
          this.#stats.entriesWritten++
        }
        pos += record.bytes.length
        this.#stats.bytesWritten += record.bytes.length
      }
      this.#stats.batches++
      if (this.#fsync) this.#stats.fsyncs++
    }
    this.#durable += batch.length
    while (this.#waiters.length > 0 && (this.#waiters[0] as Waiter).seq <= this.#durable) {
      ;(this.#waiters.shift() as Waiter).resolve()
    }
    this.#evict()
  }

  #takeBatch(): Queued[] {
    let bytes = 0
    let count = 0
    for (const item of this.#queue) {
      if (item.kind === 'record') {
        if (count > 0 && bytes + item.bytes.length > BATCH_BYTES) break
        bytes += item.bytes.length
      }
      count++
    }
    return this.#queue.splice(0, count)
  }

  /** Drops cached data of written entries, oldest first, down to the cache budget. */
  #evict(): void {
    while (this.#cachedBytes > this.#cacheBytes && this.#cacheHead < this.#cached.length) {
      const ref = this.#cached[this.#cacheHead] as EntryRef
      if (ref.seq === 0) break
      this.#cachedBytes -= ref.len - ENTRY_HEADER_BYTES
      ref.data = undefined
      this.#cacheHead++
    }
    if (this.#cacheHead >= REPACK_SLOTS && this.#cacheHead * 2 >= this.#cached.length) {
      this.#cached = this.#cached.slice(this.#cacheHead)
      this.#cacheHead = 0
    }
  }

  /** How many entries from `index` to read in one go: same segment, adjacent records, within budget. */
  #diskRun(index: number, to: number, budget: number, first: boolean): number {
    const head = this.table.item(index)
    let run = 0
    let end = head.pos
    let bytes = 0
    while (index + run < to) {
      const ref = this.table.item(index + run)
      if (ref.data !== undefined || ref.seq !== head.seq || ref.pos !== end) break
      bytes += ref.len - ENTRY_HEADER_BYTES
      if (bytes > budget && !(first && run === 0)) break
      end += ref.len
      run++
    }
    return run
  }

  #readRun(index: number, count: number): LogEntry[] {
    const head = this.table.item(index)
    const last = this.table.item(index + count - 1)
    const buf = this.#segments.read(head.seq, head.pos, last.pos + last.len - head.pos)
    const out: LogEntry[] = []
    let offset = 0
    for (let i = index; i < index + count; i++) {
      const term = this.table.term(i) as number
      try {
        const entry = decodeEntry(buf, offset)
        if (entry.index !== i || entry.term !== term) {
          throw new RecordError(
            `holds entry (${entry.index}, ${entry.term}), expected (${i}, ${term})`,
            offset,
          )
        }
        out.push({ index: i, term, data: entry.data })
        offset += entry.length
      } catch (err) {
        if (!(err instanceof RecordError)) throw err
        const file = this.#segments.list.find((s) => s.seq === head.seq)?.path ?? String(head.seq)
        throw new StorageError(
          `corrupt WAL segment ${file} at offset ${head.pos + err.offset}: ${err.message}`,
          {
            details: { file, offset: head.pos + err.offset },
          },
        )
      }
    }
    this.#stats.diskReads += count
    return out
  }

  /** Deletes segments made obsolete by a durable compaction or reset through `base`. */
  #removeSegments(base: number): Promise<void> {
    const run = this.#maintenance.then(async () => {
      await this.#segments.removeBefore(base)
    })
    this.#maintenance = run.catch((err) => {
      this.#fail(err)
    })
    return run
  }

  /** Poisons the store; returns the StorageError every later call gets. */
  #fail(err: unknown): StorageError {
    if (this.#failure === null) {
      this.#failure =
        err instanceof StorageError
          ? err
          : new StorageError(
              `WAL ${this.dir} failed; reopen the store to recover: ${(err as Error).message}`,
              {
                cause: err,
                details: { dir: this.dir },
              },
            )
      for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure)
      this.#queue.length = 0
    }
    return this.#failure
  }

  #assertOpen(): void {
    if (this.#closing) throw new ClosedError('log store is closed')
  }

  #assertUsable(): void {
    this.#assertOpen()
    if (this.#failure) throw this.#failure
  }
}

function resolveOptions(options: WalOptions): Required<WalOptions> {
  const {
    dir,
    segmentBytes = DEFAULT_SEGMENT_BYTES,
    cacheBytes = DEFAULT_CACHE_BYTES,
    fsync = true,
  } = options
  if (typeof dir !== 'string' || dir.length === 0)
    throw new InvalidInputError('storage.dir must be a directory path')
  if (!isCount(segmentBytes) || segmentBytes < 1)
    throw new InvalidInputError('segmentBytes must be a positive integer')
  if (!isCount(cacheBytes)) throw new InvalidInputError('cacheBytes must be a non-negative integer')
  return { dir, segmentBytes, cacheBytes, fsync }
}

async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.endsWith(TEMP_SUFFIX)) await unlink(join(dir, name))
  }
}
