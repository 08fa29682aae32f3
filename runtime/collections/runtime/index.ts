/**
 * Replicated collections on the Groups runtime: `network.collections` and the reader/writer
 * handles generated `x.writer(network)` / `x.reader(network)` return.
 */
export { type CollectionRuntimeOptions, Collections } from './collections.ts'
export { CollectionHandle } from './handle.ts'
export * from './kinds.ts'
export { CollectionMetrics } from './metrics.ts'
export { DEFAULT_SNAPSHOT_BATCH, Replica } from './replica.ts'
