/**
 * Settings of one Raft core. Time is counted in ticks: the driver calls `tick()` at a fixed rate
 * (the runtime every few tens of milliseconds, the simulator in virtual time), so the core never
 * reads a clock.
 */
import { ConfigError } from '../../primitives/errors.ts'

/**
 * How eager this node is to lead. `reluctant` multiplies its election timeout, so it only campaigns
 * when normal members did not; `observer` never campaigns and never grants a vote (the runtime keeps
 * observers as learners, so they also never count toward a quorum).
 */
export type LeadershipPreference =
  | { kind: 'normal' }
  | { kind: 'reluctant'; factor: number }
  | { kind: 'observer' }

/**
 * How a leader confirms it may serve a linearizable read.
 * - `read-index`: one heartbeat round acknowledged by a quorum after the read arrived (no clock
 *   assumption).
 * - `lease`: serve at once while a quorum acknowledged a heartbeat sent less than
 *   `electionTicks − leaseMarginTicks` ticks ago. Safe only if every node's tick rate is within
 *   `leaseMarginTicks / electionTicks` of every other's (bounded clock drift, no pauses longer than
 *   that margin): followers refuse to vote for `electionTicks` of their own ticks after hearing
 *   from a leader, and the lease ends before that refusal can end anywhere. Falls back to
 *   `read-index` whenever the lease is not known to hold.
 */
export type ReadMode = 'read-index' | 'lease'

/**
 * Deliberate bugs for the simulator's mutation check (proof that the harness can fail). Never set
 * in production.
 */
export interface RaftDebugFlags {
  /** Commit entries of earlier terms by counting replicas (Raft §5.4.2, figure 8). */
  commitEarlierTerms?: boolean
  /** Grant votes without checking that the candidate's log is at least as up to date. */
  voteWithoutLogCheck?: boolean
  /** Answer ReadIndex requests from the leader's commit index without confirming leadership. */
  readWithoutQuorum?: boolean
  /** Put every message in `Ready.messages`: votes and acknowledgements leave before they are durable. */
  sendBeforePersist?: boolean
}

export interface RaftConfig {
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
  electionTicks: number
  /** Ticks between leader heartbeats; must be less than electionTicks. */
  heartbeatTicks: number
  /** Ask for pre-votes before disrupting the cluster with a real election. Voters refuse a pre-vote
   * while they hear from a leader (within an election timeout). */
  preVote: boolean
  /** Leader steps down after an election timeout without hearing from a quorum; followers that
   * heard from a leader within an election timeout refuse to vote (leader stickiness). */
  checkQuorum: boolean
  readMode: ReadMode
  /** Safety margin of lease reads, in ticks (see {@link ReadMode}). */
  leaseMarginTicks: number
  leadership: LeadershipPreference
  /** Upper bound on the entry bytes in one append message (at least one entry is always sent). */
  maxSizePerMsg: number
  /** Append messages in flight to one follower before the leader waits for acknowledgements. */
  maxInflightMsgs: number
  /** Entry bytes in flight to one follower before the leader waits (0: no limit). */
  maxInflightBytes: number
  /** Entry bytes a leader holds uncommitted before it refuses proposals (0: no limit). */
  maxUncommittedBytes: number
  /** The largest single proposal accepted. */
  maxEntryBytes: number
  /** Upper bound on the entry bytes handed out for applying in one Ready (at least one entry). */
  maxApplyBytesPerReady: number
  /** Ask for a snapshot after this many entries were applied since the last one (0: never). */
  snapshotEntries: number
  /** Entries kept in the log before a saved snapshot, to serve slightly lagging followers. */
  compactionMargin: number
  debug: RaftDebugFlags
}

/** The defaults: 10-tick election timeout, 1-tick heartbeat, pre-vote and check-quorum on. */
export const DEFAULT_RAFT_CONFIG: Readonly<RaftConfig> = Object.freeze<RaftConfig>({
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  readMode: 'read-index',
  leaseMarginTicks: 2,
  leadership: { kind: 'normal' },
  maxSizePerMsg: 1 << 20,
  maxInflightMsgs: 256,
  maxInflightBytes: 0,
  maxUncommittedBytes: 64 << 20,
  maxEntryBytes: 16 << 20,
  maxApplyBytesPerReady: 64 << 20,
  snapshotEntries: 10_000,
  compactionMargin: 1_000,
  debug: {},
})

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`raft config '${name}' must be an integer ≥ ${min}, got ${value}`)
  }
}

/** Fills in defaults and rejects inconsistent settings with a ConfigError. */
export function resolveRaftConfig(partial: Partial<RaftConfig> = {}): RaftConfig {
  const config: RaftConfig = { ...DEFAULT_RAFT_CONFIG, ...partial }
  requireInteger('electionTicks', config.electionTicks, 2)
  requireInteger('heartbeatTicks', config.heartbeatTicks, 1)
  if (config.heartbeatTicks >= config.electionTicks) {
    throw new ConfigError('raft config: heartbeatTicks must be less than electionTicks')
  }
  requireInteger('leaseMarginTicks', config.leaseMarginTicks, 1)
  if (config.readMode === 'lease') {
    if (!config.checkQuorum) throw new ConfigError('raft config: lease reads need checkQuorum')
    if (config.leaseMarginTicks >= config.electionTicks) {
      throw new ConfigError('raft config: leaseMarginTicks must be less than electionTicks')
    }
  }
  if (config.leadership.kind === 'reluctant') requireInteger('leadership.factor', config.leadership.factor, 1)
  requireInteger('maxSizePerMsg', config.maxSizePerMsg, 1)
  requireInteger('maxInflightMsgs', config.maxInflightMsgs, 1)
  requireInteger('maxInflightBytes', config.maxInflightBytes, 0)
  requireInteger('maxUncommittedBytes', config.maxUncommittedBytes, 0)
  requireInteger('maxEntryBytes', config.maxEntryBytes, 1)
  requireInteger('maxApplyBytesPerReady', config.maxApplyBytesPerReady, 1)
  requireInteger('snapshotEntries', config.snapshotEntries, 0)
  requireInteger('compactionMargin', config.compactionMargin, 0)
  return config
}
