/**
 * The in-memory view of one node's log: the entries after the latest compaction point, the commit
 * and apply positions, what is durable, and the membership at every index. The core keeps the
 * uncompacted suffix in memory (snapshots bound it); storage holds the durable copy.
 */
import { decodeMembership, NO_MEMBERS } from './membership.ts'
import type { Entry, Membership, SnapshotMeta } from './types.ts'

/** Bytes an entry counts for in size limits: its data plus a fixed allowance for index/term/kind. */
export function entrySize(entry: Entry): number {
  return entry.data.length + 16
}

interface ConfigPoint {
  index: number
  membership: Membership
}

export class RaftLog {
  /** The entry just before `entries[0]`: the compaction point (a snapshot, or index 0). */
  #base: SnapshotMeta
  #entries: Entry[]
  /** Config entries among `#entries`, in index order. */
  #configs: ConfigPoint[] = []
  /** Highest index that is durable and still matches the in-memory log. */
  #persisted: number
  /** Lowest index that must still be written to storage. */
  #unstableFrom: number
  commit: number
  /** Highest index handed out to be applied (confirmed by `advance`). */
  applied: number

  constructor(base: SnapshotMeta, entries: readonly Entry[], commit: number) {
    this.#base = base
    this.#entries = [...entries]
    for (const entry of this.#entries) this.#noteConfig(entry)
    this.#persisted = this.lastIndex()
    this.#unstableFrom = this.lastIndex() + 1
    this.commit = Math.max(commit, base.index)
    this.applied = base.index
  }

  get base(): SnapshotMeta {
    return this.#base
  }

  firstIndex(): number {
    return this.#base.index + 1
  }

  lastIndex(): number {
    return this.#base.index + this.#entries.length
  }

  lastTerm(): number {
    return this.#entries.length === 0 ? this.#base.term : (this.#entries.at(-1) as Entry).term
  }

  /** The term at `index`, or undefined when the index is compacted away or beyond the log. */
  term(index: number): number | undefined {
    if (index === this.#base.index) return this.#base.term
    return this.#entries[index - this.#base.index - 1]?.term
  }

  entry(index: number): Entry | undefined {
    return this.#entries[index - this.#base.index - 1]
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** Raft's voting rule: a candidate whose log ends at (index, term) is at least as up to date. */
  isUpToDate(index: number, term: number): boolean {
    const lastTerm = this.lastTerm()
    return term > lastTerm || (term === lastTerm && index >= this.lastIndex())
  }

  /** Entries lo..hi (inclusive), cut at `maxBytes` but always at least one. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    const out: Entry[] = []
    let bytes = 0
    for (let i = lo; i <= hi; i++) {
      const entry = this.entry(i)
      if (entry === undefined) break
      bytes += entrySize(entry)
      if (out.length > 0 && bytes > maxBytes) break
      out.push(entry)
    }
    return out
  }

  /** The latest membership in the log, committed or not (it is the one in force). */
  membership(): Membership {
    return this.#configs.at(-1)?.membership ?? this.#base.membership
  }

  /** Index of the latest config entry (0 if none since the compaction point). */
  lastConfigIndex(): number {
    return this.#configs.at(-1)?.index ?? 0
  }

  membershipAt(index: number): Membership {
    for (let i = this.#configs.length - 1; i >= 0; i--) {
      const point = this.#configs[i] as ConfigPoint
      if (point.index <= index) return point.membership
    }
    return this.#base.membership
  }

  /** Appends entries that follow the last one (the leader's own proposals). */
  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      this.#entries.push(entry)
      this.#noteConfig(entry)
    }
  }

  /**
   * A follower's append: if the log matches at (prevIndex, prevTerm), writes `entries` (dropping
   * a conflicting suffix) and returns the index of the last entry the leader sent; otherwise null.
   */
  appendFrom(prevIndex: number, prevTerm: number, entries: readonly Entry[]): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null
    const lastNew = prevIndex + entries.length
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k] as Entry
      if (this.matchTerm(entry.index, entry.term)) continue
      if (entry.index <= this.commit) {
        throw new Error(`raft invariant: entry ${entry.index} conflicts with the committed log`)
      }
      this.#truncateFrom(entry.index)
      this.append(entries.slice(k))
      break
    }
    return lastNew
  }

  /**
   * For a rejected append at (index, term): the largest index ≤ `index` whose term is ≤ `term`,
   * with its term. The leader can skip back to it in one round trip.
   */
  conflictHint(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex())
    while (i > this.#base.index) {
      const t = this.term(i) as number
      if (t <= term) return { index: i, term: t }
      i--
    }
    return { index: this.#base.index, term: this.#base.term }
  }

  commitTo(index: number): boolean {
    if (index <= this.commit) return false
    if (index > this.lastIndex())
      throw new Error(`raft invariant: commit ${index} beyond last ${this.lastIndex()}`)
    this.commit = index
    return true
  }

  /** Entries after `applied` up to the commit index, at most `maxBytes` (at least one). */
  committedToApply(maxBytes: number): Entry[] {
    if (this.applied >= this.commit) return []
    return this.slice(this.applied + 1, this.commit, maxBytes)
  }

  hasUnstable(): boolean {
    return this.#unstableFrom <= this.lastIndex()
  }

  /** Entries storage does not have yet. */
  unstable(): Entry[] {
    return this.#entries.slice(this.#unstableFrom - this.#base.index - 1)
  }

  /** Marks everything up to `index` as handed to storage (called when a Ready is built). */
  markWriting(index: number): void {
    this.#unstableFrom = Math.max(this.#unstableFrom, index + 1)
  }

  /** Storage confirmed a Ready whose entries ended at `index`. */
  persistedTo(index: number): void {
    this.#persisted = Math.max(this.#persisted, Math.min(index, this.#unstableFrom - 1, this.lastIndex()))
  }

  get persisted(): number {
    return this.#persisted
  }

  /** Drops entries up to `index` (covered by a saved snapshot); keeps the membership history right. */
  compact(index: number): void {
    if (index <= this.#base.index) return
    if (index > this.applied)
      throw new Error(`raft invariant: compacting ${index} beyond applied ${this.applied}`)
    const term = this.term(index) as number
    const membership = this.membershipAt(index)
    this.#entries = this.#entries.slice(index - this.#base.index)
    this.#configs = this.#configs.filter((point) => point.index > index)
    this.#base = { index, term, membership }
  }

  /**
   * Moves the compaction point to a snapshot (a follower installing state). Entries after it are
   * kept if the log matches the snapshot's last entry (they may already be acknowledged to the
   * leader, so dropping them would lose acknowledged data); otherwise the whole log goes. Kept
   * entries are written again after the snapshot.
   */
  restore(snapshot: SnapshotMeta): void {
    const kept = this.matchTerm(snapshot.index, snapshot.term)
      ? this.#entries.slice(snapshot.index - this.#base.index)
      : []
    this.#base = snapshot
    this.#entries = []
    this.#configs = []
    this.append(kept)
    this.commit = snapshot.index
    this.applied = snapshot.index
    // Durable entries beyond the old commit may diverge from the snapshot's history; nothing counts
    // as durable until storage confirms the snapshot.
    this.#persisted = 0
    this.#unstableFrom = snapshot.index + 1
  }

  #truncateFrom(index: number): void {
    this.#entries.length = index - this.#base.index - 1
    this.#configs = this.#configs.filter((point) => point.index < index)
    this.#persisted = Math.min(this.#persisted, index - 1)
    this.#unstableFrom = Math.min(this.#unstableFrom, index)
  }

  #noteConfig(entry: Entry): void {
    if (entry.kind === 'config')
      this.#configs.push({ index: entry.index, membership: decodeMembership(entry.data) })
  }
}

/** The compaction point of a log that starts empty. */
export function emptyBase(): SnapshotMeta {
  return { index: 0, term: 0, membership: NO_MEMBERS }
}
