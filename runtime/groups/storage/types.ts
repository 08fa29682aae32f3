/**
 * The log store of one Raft group: the log entries, the hard state and the latest snapshot, with an
 * explicit durability point. The Groups runtime drives it from the Raft core's output: it appends
 * entries and sets the hard state (visible at once), calls `sync()` and acknowledges only after that
 * promise resolves.
 */

/** One log entry; `data` is the opaque encoded entry (kind and command travel inside it). */
export interface LogEntry {
  readonly index: number
  readonly term: number
  readonly data: Uint8Array
}

/** What must survive a crash before a node may vote or acknowledge. `vote` is a peer id. */
export interface HardState {
  readonly term: number
  readonly vote: string | null
  readonly commit: number
}

/** Identifies a snapshot: the last entry it covers and an opaque configuration blob (membership). */
export interface SnapshotMeta {
  readonly index: number
  readonly term: number
  readonly config: Uint8Array
}

/** A stored snapshot's metadata and the size of its data in bytes. */
export interface SnapshotInfo extends SnapshotMeta {
  readonly size: number
}

/** Snapshot data: all bytes at once, or chunks (sync or async) streamed to the store. */
export type SnapshotData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>

/**
 * The pluggable storage of one group's Raft log.
 *
 * The log is `firstIndex..lastIndex`; entries at or below `firstIndex - 1` (the *base*) were
 * compacted into a snapshot, and `term(firstIndex - 1)` still answers (Raft needs the term of the
 * entry before the first one it sends). An empty log has `lastIndex === firstIndex - 1`.
 *
 * Mutations (`append`, `setHardState`, `compact`, `saveSnapshot`) take effect in memory at once;
 * `sync()` resolves when every mutation made before the call is durable. Stores that keep nothing
 * on disk resolve at once. Callers must not mutate an entry's `data` after handing it over.
 */
export interface LogStore {
  /** Index of the first entry held (base + 1). */
  readonly firstIndex: number
  /** Index of the last entry held; `firstIndex - 1` when the log is empty. */
  readonly lastIndex: number
  /** The last hard state set (or recovered). */
  readonly hardState: HardState
  /** The latest durable snapshot, or null. */
  readonly snapshot: SnapshotInfo | null

  /** Term of entry `index`, for `firstIndex - 1 <= index <= lastIndex`; undefined outside. */
  term(index: number): number | undefined

  /**
   * Entries `from` (inclusive) to `to` (exclusive), within `firstIndex..lastIndex + 1`. With
   * `maxBytes`, stops before the data would exceed it, but always returns at least one entry.
   * Throws InvalidInputError for a range outside the log (e.g. compacted meanwhile).
   */
  entries(from: number, to: number, maxBytes?: number): LogEntry[]

  /**
   * Appends contiguous entries. If the first index is at or below `lastIndex`, the entries from
   * there on are replaced (a conflicting suffix); committed entries, and those a saved snapshot
   * covers, can never be replaced. Terms must not decrease along the log.
   */
  append(entries: readonly LogEntry[]): void

  /** Sets the hard state: the term never decreases, a vote is never changed within a term, the commit index never decreases and stays within the log. */
  setHardState(state: HardState): void

  /** Resolves when every mutation made before this call is durable (group commit: one fsync per batch). */
  sync(): Promise<void>

  /**
   * Stores a snapshot covering the log up to `meta.index`, durably, replacing the previous one. If
   * the log does not hold the entry (`meta.index`, `meta.term`), the log is reset to start right
   * after the snapshot (the Raft rule for an installed snapshot); otherwise the log is kept as is.
   * The snapshot may not go back in time, nor contradict a committed entry. Resolves when durable.
   */
  saveSnapshot(meta: SnapshotMeta, data: SnapshotData): Promise<void>

  /** Bytes `offset..offset + length` of the current snapshot's data (all of it by default). */
  readSnapshot(offset?: number, length?: number): Promise<Uint8Array>

  /**
   * Drops the entries up to and including `through`, which a saved snapshot must cover
   * (`through <= snapshot.index`). A `through` at or below the base is a no-op. Resolves when durable.
   */
  compact(through: number): Promise<void>

  /** Makes everything durable and releases files; every later call throws ClosedError. */
  close(): Promise<void>
}

/** Options of the durable store; `dir` is where its files live (one directory per group). */
export interface WalOptions {
  /** Directory of the WAL segments, hard state and snapshot files (created if missing). */
  dir: string
  /** A new segment is started once the current one reaches this size. Default 64 MiB. */
  segmentBytes?: number
  /** Entry data kept in memory for the most recent entries; older entries are read from disk. Default 16 MiB. */
  cacheBytes?: number
  /** fdatasync each batch (default true). `false` keeps the format but survives only process crashes, not power loss. */
  fsync?: boolean
}

/** `storage` option of a group: absent for the in-memory store, `{ dir }` for the WAL. */
export type StorageOptions = WalOptions | undefined
