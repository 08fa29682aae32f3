/**
 * The Raft core: a pure state machine in the style of etcd-io/raft. It never does I/O, reads a
 * clock or draws random numbers of its own. The driver feeds it `tick()`, peer messages (`step`),
 * proposals, reads, membership changes and storage results, and repeatedly drains `ready()` —
 * messages to send, state to persist, entries to apply, reads to serve — acknowledging each with
 * `advance()` (see {@link Ready} for the order of work).
 *
 * Implemented: leader election with pre-vote and check-quorum (with leader stickiness), the
 * current-term commit rule, membership in the log (single-voter steps, learners), reluctant and
 * observer leadership preferences, leadership transfer, ReadIndex and lease reads, snapshots with
 * compaction and an install hook whose data the runtime may fetch from any peers, and pipelined
 * replication with flow control (in-flight messages/bytes, uncommitted bytes).
 */
import { InvalidInputError, StorageError } from '../../primitives/errors.ts'
import { type RaftConfig, resolveRaftConfig } from './config.ts'
import { emptyBase, entrySize, RaftLog } from './log.ts'
import {
  decodeMembership,
  encodeMembership,
  isMember,
  isVoter,
  members,
  membership,
  quorumIndex,
  singleStepViolation,
  voteOutcome,
} from './membership.ts'
import { Progress } from './progress.ts'
import { ReadQueue } from './reads.ts'
import type {
  AppendMessage,
  AppendResponseMessage,
  Entry,
  HardState,
  HeartbeatMessage,
  Membership,
  Message,
  PeerId,
  PersistedState,
  ProposeResult,
  RaftStatus,
  ReadIndexMessage,
  ReadIndexResponseMessage,
  ReadState,
  Ready,
  RefusalReason,
  Role,
  SnapshotMessage,
  SnapshotMeta,
  SoftState,
  VoteMessage,
  VoteResponseMessage,
} from './types.ts'

/** What the driver injects. */
export interface RaftNodeOptions {
  id: PeerId
  /** Uniform random numbers in [0, 1): the only source of randomness (election timeouts). */
  random: () => number
  config?: Partial<RaftConfig>
  /** Durable state from storage; omitted for a node that joins with nothing. */
  state?: PersistedState
}

/** A refusal or success without a value. */
export type CommandResult = { ok: true } | { ok: false; reason: RefusalReason }

/** Messages a leader sends that never depend on its own unpersisted entries. */
const SEND_NOW = new Set<Message['type']>(['append', 'heartbeat', 'snapshot', 'timeout-now', 'read-index'])

interface OutstandingReady {
  hardState: HardState | null
  lastEntry: number
  snapshot: SnapshotMeta | null
}

type CampaignKind = 'pre' | 'election' | 'transfer'

/** A message before the sender stamps its id on it. */
type Outgoing = Message extends infer M ? (M extends Message ? Omit<M, 'from'> : never) : never

export class RaftNode {
  readonly id: PeerId
  readonly #config: RaftConfig
  readonly #random: () => number
  readonly #log: RaftLog

  #term: number
  #vote: PeerId | null
  #role: Role = 'follower'
  #leader: PeerId | null = null

  /** Ticks since start; only compared with itself. */
  #now = 0
  #electionElapsed = 0
  #heartbeatElapsed = 0
  #randomizedTimeout = 0
  /** Tick of the last message from a leader. Starts at boot, so a restarted node is "sticky" too. */
  #heardFromLeaderAt = 0

  #votes = new Map<PeerId, boolean>()
  #progress = new Map<PeerId, Progress>()
  #reads = new ReadQueue()
  #transferee: PeerId | null = null
  /** Lease reads are off for the rest of a term once a transfer started (a forced vote ignores leases). */
  #leaseRevoked = false
  #uncommittedBytes = 0

  /** The latest snapshot held locally (saved or installed): what a lagging follower is told to fetch. */
  #snapshot: SnapshotMeta | null
  #snapshotInProgress = false
  #snapshotWanted = false
  #fetching: SnapshotMeta | null = null
  #fetchRequest: SnapshotMeta | null = null
  #restore: SnapshotMeta | null = null

  #messages: Message[] = []
  #forwardReads: string[] = []
  #readStates: ReadState[] = []
  #droppedReads: string[] = []
  #lastSoft: SoftState
  #lastHard: HardState
  #durableHard: HardState
  #outstanding: OutstandingReady | null = null
  readonly #dropped = new Map<string, number>()

  constructor(options: RaftNodeOptions) {
    if (typeof options.id !== 'string' || options.id.length === 0)
      throw new InvalidInputError('raft: empty node id')
    this.id = options.id
    this.#config = resolveRaftConfig(options.config)
    this.#random = options.random
    const state = options.state ?? {
      hardState: { term: 0, vote: null, commit: 0 },
      snapshot: null,
      entries: [],
    }
    const base = state.snapshot ?? emptyBase()
    checkPersisted(state, base)
    this.#log = new RaftLog(base, state.entries, state.hardState.commit)
    this.#snapshot = state.snapshot
    this.#term = state.hardState.term
    this.#vote = state.hardState.vote
    this.#durableHard = { ...state.hardState }
    this.#lastHard = this.#hardState()
    this.#lastSoft = this.#softState()
    this.#resetElectionTimer()
  }

  // ---------------------------------------------------------------- inputs

  /** Advances logical time by one tick: election timeouts, heartbeats, check-quorum. */
  tick(): void {
    this.#now++
    if (this.#role === 'leader') this.#tickLeader()
    else this.#tickElection()
  }

  /** Starts an election now, as if the election timer had fired (pre-vote first if enabled). */
  campaign(): void {
    if (this.#role !== 'leader' && this.#promotable())
      this.#campaign(this.#config.preVote ? 'pre' : 'election')
  }

  /** Handles a message from a peer. Messages for another node, or with invalid contents, are dropped. */
  step(m: Message): void {
    if (this.#admit(m)) this.#dispatch(m)
  }

  /** The checks every message passes first: addressing, content, and term (Raft's §5.1 rules). */
  #admit(m: Message): boolean {
    if (m.to !== this.id || m.from === this.id) {
      this.#drop('misaddressed')
      return false
    }
    if (m.type === 'append' && !validConfigEntries(m.entries)) {
      this.#drop('invalid-config-entry')
      return false
    }
    if (m.term > this.#term) {
      // Leader stickiness: a pre-vote is refused while a leader is known to be alive (thesis
      // §9.6); a real vote too when check-quorum is on, which is what makes leases safe.
      const sticky = m.type === 'vote' && !m.transfer && (m.pre || this.#config.checkQuorum)
      if (sticky && this.#heardFromLeaderRecently()) {
        this.#drop('vote-in-lease')
        return false
      }
      const keepsTerm = (m.type === 'vote' && m.pre) || (m.type === 'vote-response' && m.pre && !m.reject)
      if (!keepsTerm) {
        const leader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' ? m.from : null
        this.#becomeFollower(m.term, leader)
      }
    } else if (m.term < this.#term) {
      this.#answerStale(m)
      return false
    }
    return true
  }

  #dispatch(m: Message): void {
    switch (m.type) {
      case 'vote':
        this.#handleVote(m)
        break
      case 'vote-response':
        this.#handleVoteResponse(m)
        break
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.#handleFromLeader(m)
        break
      case 'append-response':
        this.#handleAppendResponse(m)
        break
      case 'heartbeat-response':
        this.#handleHeartbeatResponse(m.from, m.round)
        break
      case 'timeout-now':
        if (this.#role !== 'leader' && this.#promotable()) this.#campaign('transfer')
        break
      case 'read-index':
        this.#handleReadIndex(m)
        break
      case 'read-index-response':
        this.#handleReadIndexResponse(m)
        break
    }
  }

  /** A message only a leader of the current term sends. */
  #handleFromLeader(m: AppendMessage | HeartbeatMessage | SnapshotMessage): void {
    if (this.#role === 'leader') {
      this.#drop('rival-leader')
      return
    }
    if (this.#role !== 'follower') this.#becomeFollower(m.term, m.from)
    this.#leader = m.from
    this.#electionElapsed = 0
    this.#heardFromLeaderAt = this.#now
    if (m.type === 'append') this.#handleAppend(m)
    else if (m.type === 'heartbeat') this.#handleHeartbeat(m)
    else this.#handleSnapshotRequest(m.snapshot)
  }

  /** Appends a command if this node is the leader. Resolve it when (index, term) is applied. */
  propose(data: Uint8Array): ProposeResult {
    if (this.#role !== 'leader') return { ok: false, reason: 'not-leader' }
    if (this.#transferee !== null) return { ok: false, reason: 'transferring' }
    if (data.length > this.#config.maxEntryBytes) return { ok: false, reason: 'too-large' }
    const size = data.length + 16
    const limit = this.#config.maxUncommittedBytes
    if (limit > 0 && this.#uncommittedBytes > 0 && this.#uncommittedBytes + size > limit) {
      return { ok: false, reason: 'uncommitted-limit' }
    }
    const entry = this.#appendOwn('command', data)
    return { ok: true, index: entry.index, term: entry.term }
  }

  /**
   * Proposes a new membership. Allowed only on a leader that has committed an entry of its term,
   * with no other membership change in flight, and when at most one voter changes (promoting a
   * learner, demoting or removing a voter, adding a voter; learners may change freely).
   */
  proposeMembership(next: Membership): ProposeResult {
    if (this.#role !== 'leader') return { ok: false, reason: 'not-leader' }
    if (this.#transferee !== null) return { ok: false, reason: 'transferring' }
    if (this.#log.term(this.#log.commit) !== this.#term) return { ok: false, reason: 'term-not-committed' }
    if (this.#log.lastConfigIndex() > this.#log.commit) return { ok: false, reason: 'config-pending' }
    let normalized: Membership
    try {
      normalized = membership(next.voters, next.learners)
    } catch {
      return { ok: false, reason: 'invalid-membership' }
    }
    if (singleStepViolation(this.#log.membership(), normalized) !== null) {
      return { ok: false, reason: 'invalid-membership' }
    }
    const entry = this.#appendOwn('config', encodeMembership(normalized))
    this.#syncProgress()
    return { ok: true, index: entry.index, term: entry.term }
  }

  /** Hands leadership to `target`, a voter: catches it up, then tells it to campaign at once. */
  transferLeadership(target: PeerId): CommandResult {
    if (this.#role !== 'leader') return { ok: false, reason: 'not-leader' }
    if (target === this.id) return { ok: true }
    if (!isVoter(this.#log.membership(), target)) return { ok: false, reason: 'unknown-peer' }
    if (this.#transferee === target) return { ok: true }
    this.#transferee = target
    this.#leaseRevoked = true
    this.#electionElapsed = 0
    const pr = this.#progress.get(target) as Progress
    if (pr.match === this.#log.lastIndex()) this.#send({ type: 'timeout-now', to: target, term: this.#term })
    else if (pr.state === 'replicate') pr.becomeProbe() // resend from what it surely has: catch it up now
    return { ok: true }
  }

  /** The transport could not reach `peer`: stop pipelining to it and probe again. */
  reportUnreachable(peer: PeerId): void {
    const pr = this.#role === 'leader' ? this.#progress.get(peer) : undefined
    if (pr?.state === 'replicate') pr.becomeProbe()
  }

  /**
   * Asks for a linearizable read. It comes back in a later Ready as a ReadState (serve it once
   * applied ≥ its index) or in `droppedReads` (no leader; retry).
   */
  readIndex(requestId: string): void {
    if (this.#role === 'leader') this.#leaderRead([requestId], null)
    else if (this.#leader !== null) this.#forwardReads.push(requestId)
    else this.#droppedReads.push(requestId)
  }

  /** The driver saved the snapshot asked for by `snapshotDue`; the log before it may go. */
  snapshotSaved(meta: SnapshotMeta): void {
    this.#snapshotInProgress = false
    if (this.#snapshot !== null && meta.index <= this.#snapshot.index) return
    if (meta.index > this.#log.applied || this.#log.term(meta.index) !== meta.term) {
      throw new InvalidInputError(`raft: saved snapshot ${meta.index}/${meta.term} is not in the applied log`)
    }
    this.#snapshot = meta
    this.#log.compact(Math.max(this.#log.base.index, meta.index - this.#config.compactionMargin))
  }

  /** The driver could not take the snapshot asked for; it will be asked again later. */
  snapshotFailed(): void {
    this.#snapshotInProgress = false
  }

  /** Asks for a snapshot in the next Ready (operator command, tests). */
  requestSnapshot(): void {
    this.#snapshotWanted = true
  }

  /**
   * The driver fetched state at `meta` (asked for by `fetchSnapshot`, from any peers). Returns
   * whether the core takes it: if so, the next Ready carries it in `snapshot`, and the driver must
   * restore the state machine from it at that point; if not, the driver discards it.
   */
  installSnapshot(meta: SnapshotMeta): boolean {
    if (this.#fetching !== null && meta.index >= this.#fetching.index) this.#fetching = null
    if (this.#role === 'leader' || meta.index <= this.#log.commit) return false
    this.#log.restore(meta)
    this.#snapshot = meta
    this.#restore = meta
    if (this.#leader !== null) this.#respondAppend(this.#leader, meta.index)
    return true
  }

  /** The driver gave up fetching the snapshot; the leader will ask again. */
  snapshotFetchFailed(): void {
    this.#fetching = null
  }

  // ---------------------------------------------------------------- outputs

  /** Whether `ready()` has anything to hand out. */
  hasReady(): boolean {
    if (this.#outstanding !== null) return false
    this.#flush()
    const log = this.#log
    return (
      this.#messages.length > 0 ||
      log.hasUnstable() ||
      log.commit > log.applied ||
      !sameHard(this.#hardState(), this.#lastHard) ||
      !sameSoft(this.#softState(), this.#lastSoft) ||
      this.#readStates.length > 0 ||
      this.#droppedReads.length > 0 ||
      this.#restore !== null ||
      this.#fetchRequest !== null ||
      this.#snapshotDue(log.applied) !== null
    )
  }

  /** Hands out everything to do; the driver must call `advance()` before the next `ready()`. */
  ready(): Ready {
    if (this.#outstanding !== null) throw new InvalidInputError('raft: ready() called again before advance()')
    this.#flush()
    const soft = this.#softState()
    const hard = this.#hardState()
    const softChanged = !sameSoft(soft, this.#lastSoft)
    const hardChanged = !sameHard(hard, this.#lastHard)
    const entries = this.#log.unstable()
    const lastEntry = entries.at(-1)?.index ?? 0
    if (lastEntry > 0) this.#log.markWriting(lastEntry)
    const committed = this.#log.committedToApply(this.#config.maxApplyBytesPerReady)
    if (committed.length > 0) this.#log.applied = (committed.at(-1) as Entry).index
    const snapshotDue = this.#snapshotDue(this.#log.applied)
    if (snapshotDue !== null) {
      this.#snapshotInProgress = true
      this.#snapshotWanted = false
    }
    // Until the current term and vote are durable, nothing may leave: a restarted node could
    // otherwise reuse a term it already acted in.
    const termDurable =
      (hard.term === this.#durableHard.term && hard.vote === this.#durableHard.vote) ||
      this.#config.debug.sendBeforePersist === true
    const messages: Message[] = []
    const messagesAfterPersist: Message[] = []
    for (const m of this.#messages) {
      if (termDurable && (SEND_NOW.has(m.type) || this.#config.debug.sendBeforePersist === true))
        messages.push(m)
      else messagesAfterPersist.push(m)
    }
    const rd: Ready = {
      softState: softChanged ? soft : null,
      hardState: hardChanged ? hard : null,
      snapshot: this.#restore,
      entries,
      messages,
      messagesAfterPersist,
      committed,
      readStates: this.#readStates,
      droppedReads: this.#droppedReads,
      snapshotDue,
      fetchSnapshot: this.#fetchRequest,
    }
    this.#outstanding = { hardState: rd.hardState, lastEntry, snapshot: this.#restore }
    this.#lastSoft = soft
    this.#lastHard = hard
    this.#messages = []
    this.#readStates = []
    this.#droppedReads = []
    this.#restore = null
    this.#fetchRequest = null
    return rd
  }

  /** The driver finished the last Ready: its state is durable and its entries applied. */
  advance(): void {
    const done = this.#outstanding
    if (done === null) throw new InvalidInputError('raft: advance() without an outstanding ready()')
    this.#outstanding = null
    if (done.hardState !== null) this.#durableHard = done.hardState
    if (done.snapshot !== null) this.#log.persistedTo(done.snapshot.index)
    if (done.lastEntry > 0) this.#log.persistedTo(done.lastEntry)
    if (this.#role === 'leader') this.#maybeCommit()
  }

  // ---------------------------------------------------------------- inspection

  get role(): Role {
    return this.#role
  }

  get term(): number {
    return this.#term
  }

  get leader(): PeerId | null {
    return this.#leader
  }

  get commit(): number {
    return this.#log.commit
  }

  get lastIndex(): number {
    return this.#log.lastIndex()
  }

  /** The membership in force (the latest in the log, committed or not). */
  get membership(): Membership {
    return this.#log.membership()
  }

  /** The term of the entry at `index`, or undefined if compacted or absent. */
  termAt(index: number): number | undefined {
    return this.#log.term(index)
  }

  /** The entry at `index` if it is in the in-memory log. */
  entryAt(index: number): Entry | undefined {
    return this.#log.entry(index)
  }

  status(): RaftStatus {
    const m = this.#log.membership()
    return {
      id: this.id,
      role: this.#role,
      term: this.#term,
      vote: this.#vote,
      leader: this.#leader,
      commit: this.#log.commit,
      applied: this.#log.applied,
      lastIndex: this.#log.lastIndex(),
      firstIndex: this.#log.firstIndex(),
      membership: m,
      progress: [...this.#progress.values()].map((pr) => pr.snapshotOf(isVoter(m, pr.id))),
      transferee: this.#transferee,
    }
  }

  /** Counts of dropped inputs by reason (stale terms, misaddressed or invalid messages…). */
  droppedCounts(): ReadonlyMap<string, number> {
    return this.#dropped
  }

  // ---------------------------------------------------------------- roles

  #promotable(): boolean {
    return this.#config.leadership.kind !== 'observer' && isVoter(this.#log.membership(), this.id)
  }

  /** This node leads, or follows a leader it heard from within an election timeout (or since boot). */
  #heardFromLeaderRecently(): boolean {
    if (this.#role === 'leader') return true
    return this.#role === 'follower' && this.#now - this.#heardFromLeaderAt < this.#config.electionTicks
  }

  #reset(term: number): void {
    if (term !== this.#term) {
      this.#term = term
      this.#vote = null
    }
    this.#leader = null
    this.#electionElapsed = 0
    this.#heartbeatElapsed = 0
    this.#resetElectionTimer()
    this.#votes.clear()
    this.#transferee = null
    this.#leaseRevoked = false
    this.#uncommittedBytes = 0
    this.#progress.clear()
    this.#dropPendingReads()
  }

  #becomeFollower(term: number, leader: PeerId | null): void {
    this.#reset(term)
    this.#role = 'follower'
    this.#leader = leader
    if (leader !== null) this.#heardFromLeaderAt = this.#now
  }

  #campaign(kind: CampaignKind): void {
    if (kind === 'pre') {
      this.#reset(this.#term)
      this.#role = 'pre-candidate'
    } else {
      this.#reset(this.#term + 1)
      this.#vote = this.id
      this.#role = 'candidate'
    }
    const pre = kind === 'pre'
    const term = pre ? this.#term + 1 : this.#term
    this.#votes.set(this.id, true)
    if (this.#tallyVotes()) return
    for (const voter of this.#log.membership().voters) {
      if (voter === this.id) continue
      this.#send({
        type: 'vote',
        to: voter,
        term,
        pre,
        lastIndex: this.#log.lastIndex(),
        lastTerm: this.#log.lastTerm(),
        transfer: kind === 'transfer',
      })
    }
  }

  /** Acts on the votes so far; returns true when the campaign is decided. */
  #tallyVotes(): boolean {
    const outcome = voteOutcome(this.#log.membership().voters, this.#votes)
    if (outcome === 'pending') return false
    if (outcome === 'lost') this.#becomeFollower(this.#term, null)
    else if (this.#role === 'pre-candidate') this.#campaign('election')
    else this.#becomeLeader()
    return true
  }

  #becomeLeader(): void {
    this.#reset(this.#term)
    this.#role = 'leader'
    this.#leader = this.id
    this.#reads = new ReadQueue()
    this.#syncProgress()
    this.#appendOwn('noop', new Uint8Array(0))
  }

  /** Keeps one Progress per member other than this node (leader only). */
  #syncProgress(): void {
    const m = this.#log.membership()
    for (const id of [...this.#progress.keys()]) if (!isMember(m, id)) this.#progress.delete(id)
    for (const id of members(m)) {
      if (id !== this.id && !this.#progress.has(id)) {
        const pr = new Progress(id, this.#log.lastIndex() + 1)
        pr.recentActive = true
        this.#progress.set(id, pr)
      }
    }
    if (this.#transferee !== null && !isVoter(m, this.#transferee)) this.#transferee = null
  }

  #tickElection(): void {
    this.#electionElapsed++
    if (this.#electionElapsed >= this.#randomizedTimeout && this.#promotable()) {
      this.#electionElapsed = 0
      this.#campaign(this.#config.preVote ? 'pre' : 'election')
    }
  }

  #tickLeader(): void {
    this.#heartbeatElapsed++
    this.#electionElapsed++
    if (this.#electionElapsed >= this.#config.electionTicks) {
      this.#electionElapsed = 0
      if (this.#config.checkQuorum) {
        if (!this.#quorumActive()) {
          this.#becomeFollower(this.#term, null)
          return
        }
        for (const pr of this.#progress.values()) pr.recentActive = false
      }
      this.#transferee = null
    }
    if (this.#heartbeatElapsed >= this.#config.heartbeatTicks) {
      this.#heartbeatElapsed = 0
      this.#reads.roundWanted = true
    }
  }

  #quorumActive(): boolean {
    const voters = this.#log.membership().voters
    const active = (id: PeerId) => (id === this.id || this.#progress.get(id)?.recentActive === true ? 1 : 0)
    return quorumIndex(voters, active) === 1
  }

  #resetElectionTimer(): void {
    const { electionTicks, leadership } = this.#config
    const factor = leadership.kind === 'reluctant' ? leadership.factor : 1
    this.#randomizedTimeout = (electionTicks + Math.floor(this.#random() * electionTicks)) * factor
  }

  // ---------------------------------------------------------------- elections

  #handleVote(m: VoteMessage): void {
    const canVote =
      this.#vote === m.from ||
      (this.#vote === null && this.#leader === null) ||
      (m.pre && m.term > this.#term)
    const mayVote = this.#config.leadership.kind !== 'observer' && isVoter(this.#log.membership(), this.id)
    const logOk =
      this.#config.debug.voteWithoutLogCheck === true || this.#log.isUpToDate(m.lastIndex, m.lastTerm)
    if (canVote && mayVote && logOk) {
      this.#send({ type: 'vote-response', to: m.from, term: m.term, pre: m.pre, reject: false })
      if (!m.pre) {
        this.#vote = m.from
        this.#electionElapsed = 0
      }
    } else {
      this.#send({ type: 'vote-response', to: m.from, term: this.#term, pre: m.pre, reject: true })
    }
  }

  #handleVoteResponse(m: VoteResponseMessage): void {
    const expecting = (this.#role === 'pre-candidate' && m.pre) || (this.#role === 'candidate' && !m.pre)
    if (!expecting) return
    this.#votes.set(m.from, !m.reject)
    this.#tallyVotes()
  }

  /** A message from an older term: tell stale leaders and pre-candidates about the newer term. */
  #answerStale(m: Message): void {
    this.#drop('stale-term')
    if (
      (m.type === 'append' || m.type === 'heartbeat') &&
      (this.#config.checkQuorum || this.#config.preVote)
    ) {
      this.#send({
        type: 'append-response',
        to: m.from,
        term: this.#term,
        reject: false,
        index: 0,
        hintIndex: 0,
        hintTerm: 0,
      })
    } else if (m.type === 'vote' && m.pre) {
      this.#send({ type: 'vote-response', to: m.from, term: this.#term, pre: true, reject: true })
    }
  }

  // ---------------------------------------------------------------- replication (follower side)

  #handleAppend(m: AppendMessage): void {
    const log = this.#log
    // Everything up to the commit index already matches the leader.
    const lastNew = m.prevIndex < log.commit ? log.commit : log.appendFrom(m.prevIndex, m.prevTerm, m.entries)
    if (lastNew !== null) {
      if (m.prevIndex >= log.commit) log.commitTo(Math.min(m.commit, lastNew))
      this.#respondAppend(m.from, lastNew)
      return
    }
    const hint = log.conflictHint(Math.min(m.prevIndex, log.lastIndex()), m.prevTerm)
    this.#send({
      type: 'append-response',
      to: m.from,
      term: this.#term,
      reject: true,
      index: m.prevIndex,
      hintIndex: hint.index,
      hintTerm: hint.term,
    })
  }

  #respondAppend(to: PeerId, index: number): void {
    this.#send({
      type: 'append-response',
      to,
      term: this.#term,
      reject: false,
      index,
      hintIndex: 0,
      hintTerm: 0,
    })
  }

  #handleHeartbeat(m: HeartbeatMessage): void {
    this.#log.commitTo(Math.min(m.commit, this.#log.lastIndex()))
    this.#send({ type: 'heartbeat-response', to: m.from, term: this.#term, round: m.round })
  }

  #handleSnapshotRequest(meta: SnapshotMeta): void {
    if (meta.index <= this.#log.commit) this.#respondAppend(this.#leader as PeerId, this.#log.commit)
    else if (this.#fetching === null || this.#fetching.index < meta.index) {
      this.#fetching = meta
      this.#fetchRequest = meta
    }
  }

  // ---------------------------------------------------------------- replication (leader side)

  #appendOwn(kind: Entry['kind'], data: Uint8Array): Entry {
    const entry: Entry = { index: this.#log.lastIndex() + 1, term: this.#term, kind, data }
    this.#log.append([entry])
    this.#uncommittedBytes += entrySize(entry)
    return entry
  }

  #handleAppendResponse(m: AppendResponseMessage): void {
    if (this.#role !== 'leader') return
    const pr = this.#progress.get(m.from)
    if (pr === undefined) return
    pr.recentActive = true
    if (m.reject) {
      const probeFrom = m.hintTerm > 0 ? this.#log.conflictHint(m.hintIndex, m.hintTerm).index : m.hintIndex
      if (pr.maybeDecrTo(m.index, probeFrom) && pr.state === 'replicate') pr.becomeProbe()
      return
    }
    const moved = pr.maybeUpdate(m.index)
    // A probe answered at the current match (e.g. an empty follower at 0) also ends probing.
    if (!moved && !(pr.state === 'probe' && pr.match === m.index)) return
    pr.lastAckAt = this.#now
    if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe()
    if (pr.state === 'probe') pr.becomeReplicate()
    this.#maybeCommit()
    if (this.#role === 'leader' && m.from === this.#transferee && pr.match === this.#log.lastIndex()) {
      this.#send({ type: 'timeout-now', to: m.from, term: this.#term })
    }
  }

  #handleHeartbeatResponse(from: PeerId, round: number): void {
    if (this.#role !== 'leader') return
    const pr = this.#progress.get(from)
    if (pr === undefined) return
    pr.recentActive = true
    pr.probeSent = false
    // Recover from lost messages: a snapshot that never completed, or a pipeline whose
    // appends went unanswered, restarts from a probe.
    const patience = this.#config.electionTicks
    if (pr.state === 'snapshot' && this.#now - pr.snapshotSentAt >= 2 * patience) pr.becomeProbe()
    if (
      pr.state === 'replicate' &&
      pr.match < this.#log.lastIndex() &&
      this.#now - pr.lastAckAt >= patience
    ) {
      pr.becomeProbe()
    }
    if (round > pr.ackedRound) {
      pr.ackedRound = round
      this.#confirmReads()
    }
  }

  /** Commits the highest index a quorum holds — only if it is of the current term (§5.4.2). */
  #maybeCommit(): void {
    const log = this.#log
    const voters = log.membership().voters
    const index = quorumIndex(voters, (id) =>
      id === this.id ? log.persisted : (this.#progress.get(id)?.match ?? 0),
    )
    if (index <= log.commit) return
    if (log.term(index) !== this.#term && this.#config.debug.commitEarlierTerms !== true) return
    const before = log.commit
    log.commitTo(index)
    for (let i = before + 1; i <= index; i++) {
      const entry = log.entry(i)
      if (entry !== undefined && entry.term === this.#term) this.#uncommittedBytes -= entrySize(entry)
    }
    this.#uncommittedBytes = Math.max(0, this.#uncommittedBytes)
    if (log.term(before) !== this.#term && log.term(index) === this.#term) this.#reads.commitKnown(index)
    // A leader that is no longer a voter hands over once its removal is committed.
    if (log.lastConfigIndex() <= index && !isVoter(log.membership(), this.id))
      this.#becomeFollower(this.#term, null)
  }

  /** Builds the messages that replication owes to followers (run when the driver asks for a Ready). */
  #flush(): void {
    if (this.#role === 'leader') {
      if (this.#reads.roundWanted) this.#broadcastHeartbeat()
      for (const pr of this.#progress.values()) this.#sendAppends(pr)
    } else if (this.#forwardReads.length > 0) {
      if (this.#leader === null) this.#droppedReads.push(...this.#forwardReads)
      else
        this.#send({ type: 'read-index', to: this.#leader, term: this.#term, requestIds: this.#forwardReads })
      this.#forwardReads = []
    }
  }

  #sendAppends(pr: Progress): void {
    const log = this.#log
    const { maxInflightMsgs, maxInflightBytes, maxSizePerMsg } = this.#config
    while (!pr.isPaused(maxInflightMsgs, maxInflightBytes)) {
      const prevIndex = pr.next - 1
      const prevTerm = log.term(prevIndex)
      if (prevTerm === undefined) {
        this.#sendSnapshot(pr)
        return
      }
      const last = log.lastIndex()
      const entries = pr.next <= last ? log.slice(pr.next, last, maxSizePerMsg) : []
      if (entries.length === 0 && pr.sentCommit >= log.commit && pr.state === 'replicate') return
      let bytes = 0
      for (const e of entries) bytes += entrySize(e)
      this.#send({
        type: 'append',
        to: pr.id,
        term: this.#term,
        prevIndex,
        prevTerm,
        entries,
        commit: log.commit,
      })
      pr.sentCommit = log.commit
      pr.sent(prevIndex + entries.length, bytes)
      if (entries.length === 0 || pr.state !== 'replicate') return
    }
  }

  #sendSnapshot(pr: Progress): void {
    const snapshot = this.#snapshot
    if (snapshot === null || snapshot.index < this.#log.base.index) {
      throw new Error('raft invariant: the log is compacted but no snapshot covers it')
    }
    this.#send({ type: 'snapshot', to: pr.id, term: this.#term, snapshot })
    pr.becomeSnapshot(snapshot.index, this.#now)
  }

  #broadcastHeartbeat(): void {
    const round = this.#reads.startRound(this.#now)
    for (const pr of this.#progress.values()) {
      const commit = Math.min(pr.match, this.#log.commit)
      this.#send({ type: 'heartbeat', to: pr.id, term: this.#term, commit, round })
    }
    this.#confirmReads()
  }

  // ---------------------------------------------------------------- reads

  #leaderRead(requestIds: string[], from: PeerId | null): void {
    const log = this.#log
    if (log.term(log.commit) !== this.#term && this.#config.debug.readWithoutQuorum !== true) {
      this.#reads.wait(requestIds, from) // the commit index is not known to be current yet
    } else if (this.#leaseValid() || this.#config.debug.readWithoutQuorum === true) {
      this.#releaseReads(requestIds, from, log.commit)
    } else {
      this.#reads.enqueue(requestIds, from, log.commit)
    }
  }

  #leaseValid(): boolean {
    if (this.#config.readMode !== 'lease' || this.#leaseRevoked) return false
    const start = this.#reads.leaseStart
    return start !== null && this.#now < start + this.#config.electionTicks - this.#config.leaseMarginTicks
  }

  #confirmReads(): void {
    const voters = this.#log.membership().voters
    const round = quorumIndex(voters, (id) =>
      id === this.id ? this.#reads.round : (this.#progress.get(id)?.ackedRound ?? 0),
    )
    for (const read of this.#reads.confirm(round)) this.#releaseReads(read.requestIds, read.from, read.index)
  }

  #releaseReads(requestIds: string[], from: PeerId | null, index: number): void {
    if (from === null) for (const requestId of requestIds) this.#readStates.push({ requestId, index })
    else this.#send({ type: 'read-index-response', to: from, term: this.#term, requestIds, index })
  }

  #dropPendingReads(): void {
    for (const read of this.#reads.drain()) {
      if (read.from === null) this.#droppedReads.push(...read.requestIds)
      else this.#releaseReads(read.requestIds, read.from, -1)
    }
    this.#droppedReads.push(...this.#forwardReads)
    this.#forwardReads = []
  }

  #handleReadIndex(m: ReadIndexMessage): void {
    if (this.#role === 'leader') this.#leaderRead(m.requestIds, m.from)
    else
      this.#send({
        type: 'read-index-response',
        to: m.from,
        term: this.#term,
        requestIds: m.requestIds,
        index: -1,
      })
  }

  #handleReadIndexResponse(m: ReadIndexResponseMessage): void {
    if (m.index < 0) this.#droppedReads.push(...m.requestIds)
    else for (const requestId of m.requestIds) this.#readStates.push({ requestId, index: m.index })
  }

  // ---------------------------------------------------------------- helpers

  #snapshotDue(appliedAfter: number): SnapshotMeta | null {
    if (this.#snapshotInProgress) return null
    const last = this.#snapshot?.index ?? 0
    const every = this.#config.snapshotEntries
    const due = this.#snapshotWanted || (every > 0 && appliedAfter - last >= every)
    if (!due || appliedAfter <= last || appliedAfter < this.#log.firstIndex()) return null
    return {
      index: appliedAfter,
      term: this.#log.term(appliedAfter) as number,
      membership: this.#log.membershipAt(appliedAfter),
    }
  }

  #send(m: Outgoing): void {
    this.#messages.push({ ...m, from: this.id } as Message)
  }

  #drop(reason: string): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1)
  }

  #hardState(): HardState {
    return { term: this.#term, vote: this.#vote, commit: this.#log.commit }
  }

  #softState(): SoftState {
    return { role: this.#role, term: this.#term, leader: this.#leader }
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.term === b.term && a.leader === b.leader
}

function validConfigEntries(entries: readonly Entry[]): boolean {
  for (const entry of entries) {
    if (entry.kind !== 'config') continue
    try {
      decodeMembership(entry.data)
    } catch {
      return false
    }
  }
  return true
}

/** Rejects durable state that cannot be a log: gaps, a commit beyond the last entry. */
function checkPersisted(state: PersistedState, base: SnapshotMeta): void {
  let expected = base.index + 1
  for (const entry of state.entries) {
    if (entry.index !== expected) {
      throw new StorageError(
        `raft: persisted entries are not contiguous at index ${entry.index} (expected ${expected})`,
      )
    }
    expected++
  }
  if (state.hardState.commit > expected - 1) {
    throw new StorageError(
      `raft: persisted commit ${state.hardState.commit} is beyond the last entry ${expected - 1}`,
    )
  }
}
