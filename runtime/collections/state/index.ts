/**
 * The pure, deterministic state machines of the six replicated collections, their immutable views,
 * change history and feed, and snapshot transfer in batches. No networking: the Groups runtime
 * drives them with committed commands in log order.
 */
export { type CellCommand, type CellResults, CellState } from './cell.ts'
export { type ChangeSource, type FeedOptions, watchChanges } from './feed.ts'
export {
  type ChangeBatch,
  ChangeHistory,
  DEFAULT_HISTORY_LIMIT,
  HistoryTruncatedError,
} from './history.ts'
export { compareKeys, decodeKey, type EncodedKey, encodeKey } from './keys.ts'
export {
  CollectionState,
  type CommandShape,
  type StateEvent,
  type StateOptions,
  type Validator,
} from './machine.ts'
export { type MapCommand, type MapResults, MapState, MapStateView } from './map.ts'
export { type OnceCommand, type OnceResults, OnceState } from './once.ts'
export {
  type Applied,
  type ApplyOutcome,
  CommandRejectedError,
  type Rejected,
  type RejectionReason,
} from './outcome.ts'
export {
  comparePriorities,
  type PriorityQueueCommand,
  type PriorityQueueOptions,
  type PriorityQueueResults,
  PriorityQueueState,
  PriorityQueueStateView,
} from './priority-queue.ts'
export { type SetCommand, type SetResults, SetState, SetStateView } from './set.ts'
export { SingleValueView } from './single.ts'
export {
  SNAPSHOT_FORMAT,
  SnapshotAssembler,
  type SnapshotInfo,
  type SnapshotItems,
  type SnapshotRange,
  SnapshotSource,
} from './snapshot.ts'
export { toStored, valuesEqual } from './values.ts'
export { type VecCommand, type VecResults, VecState, VecStateView } from './vec.ts'
