/**
 * Replicated collections on the Groups runtime: `network.collections` and the reader/writer
 * handles generated `x.writer(network)` / `x.reader(network)` return.
 */
export { type CollectionRuntimeOptions, Collections } from './collections.ts'
export { CollectionHandle, type Committed, type HandleParts } from './handle.ts'
export {
  CellReaderHandle,
  CellWriterHandle,
  MapReaderHandle,
  MapWriterHandle,
  OnceReaderHandle,
  OnceWriterHandle,
  PriorityQueueReaderHandle,
  PriorityQueueWriterHandle,
  SetReaderHandle,
  SetWriterHandle,
  VecReaderHandle,
  VecWriterHandle,
} from './kinds.ts'
export { CollectionMetrics } from './metrics.ts'
export { type AnyState, DEFAULT_SNAPSHOT_BATCH, Replica } from './replica.ts'
export { stateFactory, type Validators, validatorsOf } from './states.ts'
