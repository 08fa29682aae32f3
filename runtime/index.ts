/**
 * `mosaik`: the runtime API. Subsystems are re-exported here as they land.
 */

export { type CollectionRuntimeOptions, Collections } from './collections/runtime/index.ts'
export {
  CommandRejectedError,
  HistoryTruncatedError,
  type RejectionReason,
} from './collections/state/index.ts'
export * from './discovery/index.ts'
export * from './groups/index.ts'
export {
  type HardState as LogHardState,
  type LogEntry,
  type LogStore,
  MemoryLogStore,
  openLogStore,
  type RecoveryReport,
  type SnapshotData,
  type SnapshotInfo,
  type SnapshotMeta as LogSnapshotMeta,
  type StorageOptions,
  WalLogStore,
  type WalOptions,
  type WalStats,
} from './groups/storage/index.ts'
export * from './metrics/index.ts'
export * from './network/index.ts'
export * from './primitives/index.ts'
export * from './streams/index.ts'
export * from './tickets/index.ts'
