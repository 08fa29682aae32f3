/**
 * The pure Raft core that Groups drive over libp2p and the simulator drives in memory.
 */
export { bootstrapState, emptyState } from './bootstrap.ts'
export {
  DEFAULT_RAFT_CONFIG,
  type LeadershipPreference,
  type RaftConfig,
  type RaftDebugFlags,
  type ReadMode,
  resolveRaftConfig,
} from './config.ts'
export { entrySize } from './log.ts'
export {
  decodeMembership,
  encodeMembership,
  isMember,
  isVoter,
  membership,
  NO_MEMBERS,
  quorumSize,
  singleStepViolation,
} from './membership.ts'
export { type CommandResult, RaftNode, type RaftNodeOptions } from './node.ts'
export type * from './types.ts'
