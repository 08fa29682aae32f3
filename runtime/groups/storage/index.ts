/**
 * Log storage for Raft groups: the `LogStore` interface, the in-memory default and the durable WAL.
 */
import { MemoryLogStore } from './memory.ts'
import type { LogStore, StorageOptions } from './types.ts'
import { WalLogStore } from './wal/wal-store.ts'

export { MemoryLogStore } from './memory.ts'
export { MAX_CONFIG_BYTES, MAX_ENTRY_BYTES } from './rules.ts'
export type {
  HardState,
  LogEntry,
  LogStore,
  SnapshotData,
  SnapshotInfo,
  SnapshotMeta,
  StorageOptions,
  WalOptions,
} from './types.ts'
export type { RecoveryReport } from './wal/recover.ts'
export { WalLogStore, type WalStats } from './wal/wal-store.ts'

/** The store a group's `storage` option asks for: in memory when absent, the WAL in `storage.dir` otherwise. */
export async function openLogStore(storage: StorageOptions): Promise<LogStore> {
  return storage === undefined ? new MemoryLogStore() : WalLogStore.open(storage)
}
