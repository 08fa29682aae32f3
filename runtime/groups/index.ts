/**
 * Groups: Raft groups between real nodes (SPEC §6). `network.groups` opens them; generated clients
 * join through `network.groups.join`, replicated collections through `network.groups.open`.
 */
export {
  type AutopilotChange,
  type AutopilotInput,
  nextMembershipChange,
  type PeerView,
} from './autopilot/autopilot.ts'
export { GROUPS_PROTOCOL } from './bonds/bond-set.ts'
export { type Formation, formationWins } from './formation.ts'
export {
  type ConsensusTiming,
  GROUP_PROFILES,
  type GroupProfileName,
  type GroupTiming,
  groupTiming,
  type LocalTiming,
  storeIdWithConsensus,
} from './profiles.ts'
export type { GroupEvent, GroupFormedEvent, GroupMergedEvent } from './runtime/events.ts'
export {
  type Executed,
  Group,
  type GroupCallOptions,
  type GroupReadOptions,
  type GroupSpec,
  type GroupStateMachine,
  type Leadership,
  MAX_COMMAND_BYTES,
} from './runtime/group.ts'
export { Groups } from './runtime/groups.ts'
