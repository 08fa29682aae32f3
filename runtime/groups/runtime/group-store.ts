/**
 * A group's log store: opening it, the formation it records, and what a merge discards (the local
 * log, described for the report; a WAL directory is moved aside rather than deleted).
 */
import { rename } from 'node:fs/promises'
import { decodeSnapshotConfig, fromLogEntry } from '../entries.ts'
import { type Formation, readFoundingEntry } from '../formation.ts'
import { MemoryLogStore } from '../storage/memory.ts'
import type { LogEntry, LogStore } from '../storage/types.ts'
import { WalLogStore } from '../storage/wal/wal-store.ts'
import type { GroupSpec } from './spec.ts'

/** What a merge discarded, as reported in the `merged` event. */
export interface Discarded {
  /** Entries discarded (including those covered by a snapshot). */
  readonly entries: number
  readonly commands: number
  readonly firstIndex: number
  readonly lastIndex: number
  readonly snapshotIndex: number | null
  /** The first 1000 discarded entries still in the log. */
  readonly indexes: { readonly index: number; readonly term: number; readonly kind: string }[]
}

/** The store a group's `storage` option asks for. */
export async function openStore(storage: GroupSpec['storage']): Promise<LogStore> {
  if (storage === undefined) return new MemoryLogStore()
  const options =
    storage.fsync === undefined ? { dir: storage.dir } : { dir: storage.dir, fsync: storage.fsync }
  return WalLogStore.open(options)
}

/** The formation a store's log or snapshot records, if any. */
export function formationInStore(store: LogStore): Formation | null {
  if (store.snapshot !== null) return decodeSnapshotConfig(store.snapshot.config).formation
  if (store.firstIndex === 1 && store.lastIndex >= 1) {
    const first = fromLogEntry(store.entries(1, 2)[0] as LogEntry)
    if (first.kind === 'config') {
      try {
        return readFoundingEntry(first.data).formation
      } catch {
        return null
      }
    }
  }
  return null
}

/** What a merge discards: the local log beyond the founding entry. */
export function describeDiscarded(store: LogStore): Discarded {
  const first = Math.max(2, store.firstIndex)
  const list = store.lastIndex >= first ? store.entries(first, store.lastIndex + 1).map(fromLogEntry) : []
  const snapshotIndex = store.snapshot?.index ?? null
  return {
    entries: list.length + Math.max(0, (snapshotIndex ?? 1) - 1),
    commands: list.filter((e) => e.kind === 'command').length,
    firstIndex: first,
    lastIndex: store.lastIndex,
    snapshotIndex,
    indexes: list.slice(0, 1000).map((e) => ({ index: e.index, term: e.term, kind: e.kind })),
  }
}

/** Closes a store whose group was discarded; a WAL directory is kept aside, not deleted. */
export async function discardStore(
  store: LogStore,
  storage: GroupSpec['storage'],
): Promise<string | undefined> {
  await store.close()
  if (storage === undefined) return undefined
  const aside = `${storage.dir}.discarded-${Date.now()}`
  await rename(storage.dir, aside)
  return aside
}
