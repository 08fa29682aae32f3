/**
 * The data the Raft core consumes and produces. Everything here is plain data: the runtime encodes
 * it for the wire and for storage, the simulator passes it around in memory.
 */

/** A member's id (the libp2p peer id string in the runtime, `n1`… in the simulator). */
export type PeerId = string

/**
 * What an entry carries: a user `command`, a `config` change (the data is an encoded
 * {@link Membership}), or the empty `noop` a new leader appends to commit its term.
 */
export type EntryKind = 'command' | 'config' | 'noop'

/**
 * One log entry. `{ index, term, data }` is the shape the storage layer persists (as opaque bytes);
 * `kind` travels inside the encoded entry.
 */
export interface Entry {
  index: number
  term: number
  kind: EntryKind
  data: Uint8Array
}

/** What must be durable before a node may vote or acknowledge: term, vote and commit index. */
export interface HardState {
  term: number
  /** The peer this node voted for in `term`, or null. */
  vote: PeerId | null
  commit: number
}

/**
 * Who takes part: voters elect leaders and form quorums; learners replicate the log but never vote
 * and never count toward a quorum (the runtime's readers and "observers"). Both lists are sorted
 * and disjoint.
 */
export interface Membership {
  voters: readonly PeerId[]
  learners: readonly PeerId[]
}

/** Identifies a snapshot of the state machine: the last entry it covers and the membership then. */
export interface SnapshotMeta {
  index: number
  term: number
  membership: Membership
}

/**
 * What storage hands the core on start-up: the durable hard state, the latest saved snapshot (the
 * driver restores the state machine from it), and the entries after it, contiguous.
 */
export interface PersistedState {
  hardState: HardState
  snapshot: SnapshotMeta | null
  entries: readonly Entry[]
}

/** Where a node stands. */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader'

/** Volatile state the runtime shows to users (leader, role); reported in a Ready when it changes. */
export interface SoftState {
  role: Role
  term: number
  leader: PeerId | null
}

/** A confirmed linearizable read: serve it once the state machine has applied `index`. */
export interface ReadState {
  requestId: string
  index: number
}

interface Envelope {
  from: PeerId
  to: PeerId
  term: number
}

/** Leader → follower: entries after (prevIndex, prevTerm), and the leader's commit index. */
export interface AppendMessage extends Envelope {
  type: 'append'
  prevIndex: number
  prevTerm: number
  entries: Entry[]
  commit: number
}

/**
 * Follower → leader. On success `index` is the follower's last index that now matches the leader.
 * On reject, `index` is the rejected prevIndex and (`hintIndex`, `hintTerm`) let the leader skip
 * back over a whole conflicting term at once.
 */
export interface AppendResponseMessage extends Envelope {
  type: 'append-response'
  reject: boolean
  index: number
  hintIndex: number
  hintTerm: number
}

/** Leader → member: keeps followers quiet, carries commit, and confirms leadership for reads. */
export interface HeartbeatMessage extends Envelope {
  type: 'heartbeat'
  commit: number
  /** The leader's heartbeat round; echoed back, it confirms ReadIndex batches and leases. */
  round: number
}

/** Member → leader: the heartbeat's round, echoed. */
export interface HeartbeatResponseMessage extends Envelope {
  type: 'heartbeat-response'
  round: number
}

/** A (pre-)vote request. Pre-votes carry the term the candidate would use, without adopting it. */
export interface VoteMessage extends Envelope {
  type: 'vote'
  pre: boolean
  lastIndex: number
  lastTerm: number
  /** Set by a leadership-transfer campaign: voters skip the "recently heard from a leader" check. */
  transfer: boolean
}

/** A (pre-)vote answer. A granted pre-vote carries the requested term; a refusal the voter's own. */
export interface VoteResponseMessage extends Envelope {
  type: 'vote-response'
  pre: boolean
  reject: boolean
}

/**
 * Leader → follower that is behind the leader's compacted log: fetch the state machine at
 * `snapshot.index` or later (from any peers) and install it. Only metadata travels here; the
 * runtime moves the data.
 */
export interface SnapshotMessage extends Envelope {
  type: 'snapshot'
  snapshot: SnapshotMeta
}

/** Leader → transfer target: campaign now, ignoring election timers and pre-vote. */
export interface TimeoutNowMessage extends Envelope {
  type: 'timeout-now'
}

/** Follower → leader: confirm leadership and tell me your commit index for these reads. */
export interface ReadIndexMessage extends Envelope {
  type: 'read-index'
  requestIds: string[]
}

/** Leader → follower: reads confirmed at `index`, or rejected (`index` −1: not leader). */
export interface ReadIndexResponseMessage extends Envelope {
  type: 'read-index-response'
  requestIds: string[]
  index: number
}

/** Every message the core exchanges with its peers. */
export type Message =
  | AppendMessage
  | AppendResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | SnapshotMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage

/** The message type names, for metrics and validation. */
export type MessageType = Message['type']

/**
 * Everything the driver must do after the core changed, in this order:
 * 1. send `messages` (they never depend on unpersisted state);
 * 2. persist `snapshot` (replacing the whole stored log), `entries` (dropping any stored entries at
 *    or after `entries[0].index` first) and `hardState`, durably;
 * 3. send `messagesAfterPersist`;
 * 4. restore the state machine from `snapshot` if set, then apply `committed` in order;
 * 5. if `snapshotDue` is set, take a snapshot of the state machine (it is now at that index) and call
 *    `snapshotSaved`; if `fetchSnapshot` is set, fetch a snapshot at that index or later from peers
 *    and call `installSnapshot`;
 * 6. serve `readStates` once applied ≥ their index; fail `droppedReads`;
 * 7. call `advance()`.
 */
export interface Ready {
  softState: SoftState | null
  hardState: HardState | null
  snapshot: SnapshotMeta | null
  entries: Entry[]
  messages: Message[]
  messagesAfterPersist: Message[]
  committed: Entry[]
  readStates: ReadState[]
  droppedReads: string[]
  snapshotDue: SnapshotMeta | null
  fetchSnapshot: SnapshotMeta | null
}

/** Why the core refused a proposal, a read or a membership change. */
export type RefusalReason =
  | 'not-leader'
  | 'transferring'
  | 'uncommitted-limit'
  | 'too-large'
  | 'config-pending'
  | 'term-not-committed'
  | 'invalid-membership'
  | 'unknown-peer'

/** The outcome of a proposal: the (index, term) it was appended at, or why it was refused. */
export type ProposeResult = { ok: true; index: number; term: number } | { ok: false; reason: RefusalReason }

/** Replication state of one follower, as seen by the leader. */
export interface PeerProgress {
  id: PeerId
  voter: boolean
  match: number
  next: number
  state: 'probe' | 'replicate' | 'snapshot'
  /** Heard from this peer during the current check-quorum window. */
  recentActive: boolean
}

/** A read-only picture of the core for the runtime (autopilot, metrics, diagnostics). */
export interface RaftStatus {
  id: PeerId
  role: Role
  term: number
  vote: PeerId | null
  leader: PeerId | null
  commit: number
  applied: number
  lastIndex: number
  firstIndex: number
  membership: Membership
  /** Filled on the leader only. */
  progress: PeerProgress[]
  transferee: PeerId | null
}
