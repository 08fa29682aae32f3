/**
 * The default log store: everything in memory, nothing survives the process. `sync()` resolves at
 * once. It is also the reference model the WAL is tested against.
 */
import { Lifecycle } from '../../primitives/lifecycle.ts'
import { TableStore } from './log-table.ts'
import {
  checkAppend,
  checkCompact,
  checkHardState,
  checkRange,
  checkSnapshot,
  checkSnapshotRange,
} from './rules.ts'
import { collectSnapshot } from './snapshot-data.ts'
import type { HardState, LogEntry, LogStore, SnapshotData, SnapshotInfo, SnapshotMeta } from './types.ts'

export class MemoryLogStore extends TableStore<Uint8Array> implements LogStore {
  #hardState: HardState = { term: 0, vote: null, commit: 0 }
  #snapshot: { info: SnapshotInfo; data: Uint8Array } | null = null
  /** Snapshot saves run one at a time, in call order. */
  #snapshotQueue: Promise<void> = Promise.resolve()
  readonly #lifecycle = new Lifecycle()

  get hardState(): HardState {
    return this.#hardState
  }

  get snapshot(): SnapshotInfo | null {
    return this.#snapshot?.info ?? null
  }

  entries(from: number, to: number, maxBytes?: number): LogEntry[] {
    this.#lifecycle.assertOpen('log store')
    checkRange(this.table, from, to, maxBytes)
    const out: LogEntry[] = []
    let bytes = 0
    for (let index = from; index < to; index++) {
      const data = this.table.item(index)
      bytes += data.length
      if (maxBytes !== undefined && bytes > maxBytes && out.length > 0) break
      out.push({ index, term: this.table.term(index) as number, data })
    }
    return out
  }

  append(entries: readonly LogEntry[]): void {
    this.#lifecycle.assertOpen('log store')
    checkAppend(this, entries)
    for (const entry of entries) this.table.append(entry.index, entry.term, entry.data)
  }

  setHardState(state: HardState): void {
    this.#lifecycle.assertOpen('log store')
    checkHardState(this, state)
    this.#hardState = { term: state.term, vote: state.vote, commit: state.commit }
  }

  async sync(): Promise<void> {
    this.#lifecycle.assertOpen('log store')
  }

  async saveSnapshot(meta: SnapshotMeta, data: SnapshotData): Promise<void> {
    this.#lifecycle.assertOpen('log store')
    checkSnapshot(this, meta)
    const saved = this.#snapshotQueue.then(async () => {
      const bytes = await collectSnapshot(data)
      checkSnapshot(this, meta)
      this.#snapshot = {
        info: { index: meta.index, term: meta.term, config: meta.config, size: bytes.length },
        data: bytes,
      }
      if (!this.table.holds(meta.index, meta.term)) this.table.reset(meta.index, meta.term)
    })
    this.#snapshotQueue = saved.catch(() => {})
    return saved
  }

  async readSnapshot(offset = 0, length?: number): Promise<Uint8Array> {
    this.#lifecycle.assertOpen('log store')
    const data = this.#snapshot?.data ?? new Uint8Array(0)
    const resolved = checkSnapshotRange(data.length, offset, length)
    return data.subarray(offset, offset + resolved)
  }

  async compact(through: number): Promise<void> {
    this.#lifecycle.assertOpen('log store')
    if (checkCompact(this, through)) this.table.compactThrough(through)
  }

  async close(): Promise<void> {
    await this.#lifecycle.close()
  }
}
