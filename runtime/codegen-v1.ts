/**
 * `mosaik/codegen-v1`: the frozen surface that generated code imports. Generated modules import
 * nothing else from the runtime, so this module is the contract between `mosaik generate` and the
 * runtime; it only grows, and a breaking change means a new `codegen-v2`.
 *
 * It has three parts:
 * - the typed factories generated code calls per declaration (`stream`, `group`, `map`, `vec`,
 *   `set`, `cell`, `once`, `priorityQueue`) and the handles they return;
 * - the user-facing interfaces those handles produce (`Producer`, `Consumer`, `GroupClient`,
 *   `GroupMachine`, `MapWriter`/`MapReader`, …), which the runtime subsystems implement;
 * - the seam a `Network` implements (`StreamsRuntime`, `GroupsRuntime`, `CollectionsRuntime`), plus
 *   the identity and validation helpers the runtime uses with the embedded descriptors.
 */

export { groupIdOf, networkIdOf, storeIdOf, streamIdOf } from '../schemas/identity.ts'
export type {
  CellChange,
  CellReader,
  CellView,
  CellWriter,
  CollectionHandleBase,
  CollectionOptions,
  CollectionRole,
  CollectionWhen,
  ConditionalWriteResult,
  MapChange,
  MapReader,
  MapView,
  MapWriter,
  OnceChange,
  OnceReader,
  OnceView,
  OnceWriter,
  PriorityEntry,
  PriorityQueueChange,
  PriorityQueueReader,
  PriorityQueueView,
  PriorityQueueWriter,
  PriorityRange,
  ReadOptions,
  SetChange,
  SetReader,
  SetView,
  SetWriter,
  VecChange,
  VecReader,
  VecView,
  VecWriter,
  Version,
  WatchOptions,
} from './codegen/collections.ts'
export type {
  CanonicalSchema,
  CellDescriptor,
  CollectionDescriptor,
  CollectionDescriptorOf,
  CollectionKind,
  DeclarationKind,
  Descriptor,
  GroupDescriptor,
  HexDigest,
  JsonValue,
  MapDescriptor,
  OnceDescriptor,
  PriorityQueueDescriptor,
  QueryDescriptor,
  SchemaDescriptor,
  SetDescriptor,
  StreamDescriptor,
  VecDescriptor,
} from './codegen/descriptors.ts'
export type {
  ApplyContext,
  CommandMap,
  CommandOptions,
  Consistency,
  ExecuteMethods,
  FeedMethods,
  GroupClient,
  GroupMachine,
  GroupMembers,
  GroupOptions,
  GroupWhen,
  Index,
  IndexWatcher,
  LeadershipPreference,
  QueryMap,
  QueryMethods,
  QueryOptions,
  SnapshotMethods,
} from './codegen/groups.ts'
export {
  type CellHandle,
  type CollectionHandle,
  cell,
  type GroupHandle,
  group,
  type MapHandle,
  map,
  type OnceHandle,
  once,
  type PriorityQueueHandle,
  priorityQueue,
  type SetHandle,
  type StreamHandle,
  set,
  stream,
  type VecHandle,
  vec,
} from './codegen/handles.ts'
export { idsOf, type ReplicatedIds } from './codegen/ids.ts'
export type {
  CodegenNetwork,
  CollectionApi,
  CollectionApis,
  CollectionsHost,
  CollectionsRuntime,
  GroupSession,
  GroupsHost,
  GroupsRuntime,
  MachineAdapter,
  StreamsHost,
  StreamsRuntime,
} from './codegen/seam.ts'
export type {
  BackoffOptions,
  ChannelCondition,
  ChannelInfo,
  ChannelState,
  Consumer,
  ConsumerOptions,
  PeerInfo,
  Producer,
  ProducerOptions,
  SlowConsumerPolicy,
  StreamStats,
  StreamWhen,
  TrySendResult,
} from './codegen/streams.ts'
export { compileValidator, type ValidationContext, type Validator, validatorOf } from './codegen/validator.ts'
export { shapeOf, typeSignatureOfDescriptor, verifyDescriptor } from './codegen/verify.ts'
export { Digest, derive, id } from './primitives/digest.ts'
export type { WaitOptions } from './primitives/watch.ts'
