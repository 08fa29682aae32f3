import type { GroupMembers, GroupWhen, Index, IndexWatcher } from '../../codegen/groups.ts'
import { Emitter } from '../../discovery/events.ts'
import type { Link } from '../../network/link.ts'
import type { Network } from '../../network/network.ts'
import { decode, encode } from '../../primitives/codec.ts'
import type { Digest } from '../../primitives/digest.ts'
import {
  GroupClosedError,
  InvalidInputError,
  isMosaikError,
  NotLeaderError,
  OfflineError,
  ProtocolError,
} from '../../primitives/errors.ts'
import { Lifecycle } from '../../primitives/lifecycle.ts'
import type { Logger } from '../../primitives/logger.ts'
import { type WaitOptions, Watchable } from '../../primitives/watch.ts'
import { nextMembershipChange, peerViews } from '../autopilot/autopilot.ts'
import { FormationAgent } from '../autopilot/formation.ts'
import type { Bond, BondEnd } from '../bonds/bond.ts'
import { BondSet } from '../bonds/bond-set.ts'
import type { Hello } from '../bonds/handshake.ts'
import { bondKey } from '../bonds/proof.ts'
import { isCommandPayload, type SnapshotDescription, toLogEntry } from '../entries.ts'
import { type Formation, type FoundingEntry, formationWins, readFoundingEntry } from '../formation.ts'
import { type GroupTiming, groupTiming, storeIdWithConsensus } from '../profiles.ts'
import { NO_MEMBERS } from '../raft/membership.ts'
import type { Entry, Membership, Message, Role, SnapshotMeta, SoftState } from '../raft/types.ts'
import type { LogStore } from '../storage/types.ts'
import {
  bondProvider,
  bufferedRestore,
  SnapshotFetch,
  type SnapshotProvider,
  serveSnapshot,
} from '../sync/snapshot-sync.ts'
import { type BondMessage, type BondStatus, MAX_FORWARD_BATCH } from '../wire/bond.ts'
import { decodeRaftMessage, raftFrames } from '../wire/raft.ts'
import { Calls, raceSignal } from './calls.ts'
import { type ApplyOutcome, type DriverEvents, RaftDriver } from './driver.ts'
import type { GroupEvent } from './events.ts'
import { describeDiscarded, discardStore, formationInStore, openStore } from './group-store.ts'
import { GroupMetrics } from './metrics.ts'
import { Forwarder, Proposals } from './proposals.ts'
import { ReadBarriers } from './reads.ts'
import {
  coreLeadership,
  type Executed,
  type GroupCallOptions,
  type GroupReadOptions,
  type GroupSpec,
  MAX_COMMAND_BYTES,
} from './spec.ts'

export type {
  Executed,
  GroupCallOptions,
  GroupReadOptions,
  GroupSpec,
  GroupStateMachine,
  Leadership,
} from './spec.ts'
export { MAX_COMMAND_BYTES } from './spec.ts'

/** The subsystem a group belongs to. */
export interface GroupHost {
  readonly network: Network
  readonly logger: Logger
  emit(event: GroupEvent): void
  /** The group closed (it leaves the registry). */
  closed(group: Group): void
}

/** The autopilot and formation run every this many ticks. */
const AUTOPILOT_TICKS = 4

export class Group implements AsyncDisposable {
  readonly name: string
  readonly groupId: Digest
  readonly storeId: Digest
  readonly networkId: Digest
  readonly peerId: string
  readonly timing: GroupTiming
  /** Resolves once the group's store is open and it takes part in the group. */
  readonly ready: Promise<void>

  readonly #host: GroupHost
  readonly #spec: GroupSpec
  readonly #lifecycle = new Lifecycle()
  readonly #logger: Logger
  readonly #metrics: GroupMetrics
  readonly #bonds: BondSet
  readonly #calls = new Calls()
  readonly #proposals = new Proposals()
  readonly #forwarder: Forwarder
  readonly #reads = new ReadBarriers()
  readonly #formationAgent: FormationAgent
  readonly #observer: boolean
  readonly #events: Emitter<GroupEvent>

  readonly #leader = new Watchable<string | null>(null)
  readonly #role = new Watchable<Role>('follower')
  readonly #term = new Watchable(0)
  readonly #applied = new Watchable(0)
  readonly #online = new Watchable(false)
  readonly #members = new Watchable<Membership>(NO_MEMBERS, sameMembers)

  #store: LogStore | undefined
  #driver: RaftDriver | undefined
  /** The machine's state before anything was applied (restored when a merge empties the node). */
  #initial: readonly Uint8Array[] = []
  #formation: Formation | null = null
  /** The formation whose leader this empty node follows, before it holds the founding entry. */
  #adopting: string | null = null
  #heardFromLeader = 0
  #ticks = 0
  #syncing = false
  /** The snapshot fetch in progress, if any. */
  #fetch: SnapshotFetch | undefined
  #bondsStarted = false
  #merging = false
  #failure: Error | null = null
  /** When each member or bonded peer lost its live bond (autopilot grace), as seen by this leader. */
  readonly #absentSince = new Map<string, number>()
  #closing: Promise<void> | undefined

  constructor(host: GroupHost, spec: GroupSpec, ids: { groupId: Digest; baseStoreId: Digest }) {
    const network = host.network
    this.#host = host
    this.#spec = spec
    this.name = spec.name
    this.timing = groupTiming(spec.profile ?? 'lan', spec.timing)
    this.groupId = ids.groupId
    this.storeId = storeIdWithConsensus(ids.baseStoreId, this.timing)
    this.networkId = network.networkId
    this.peerId = network.peerId
    this.#observer = spec.leadership === 'observer'
    const minVoters = spec.minVoters ?? 1
    if (!Number.isSafeInteger(minVoters) || minVoters < 1 || minVoters > this.timing.maxVoters) {
      throw new InvalidInputError(
        `minVoters must be an integer in 1..${this.timing.maxVoters}, got ${minVoters}`,
      )
    }
    this.#logger = host.logger.child({ group: spec.name, store: this.storeId.short })
    this.#events = new Emitter((err) => this.#logger.warn({ err }, 'group event listener threw'))
    this.#metrics = new GroupMetrics(network.metrics, `${spec.name}/${this.storeId.short}`)
    this.#bonds = new BondSet({
      network,
      storeId: this.storeId,
      key: bondKey(this.storeId, this.groupId, spec.secret),
      timing: this.timing,
      validators: spec.tickets ?? [],
      require: spec.require,
      status: () => this.#status(),
      members: () => {
        const m = this.#members.value
        return [...m.voters, ...m.learners]
      },
      lifecycle: this.#lifecycle,
      logger: this.#logger,
      events: {
        message: (bond, message) => this.#onBondMessage(bond, message),
        added: (bond) => this.#onBondAdded(bond),
        removed: (bond, why) => this.#onBondRemoved(bond, why),
        refused: (_peer, reason, by) => this.#metrics.refused(reason, by),
        malformed: (bond, err) => {
          this.#metrics.dropped('malformed')
          this.#logger.debug({ peer: bond.peer, err }, 'malformed bond message')
        },
      },
    })
    this.#forwarder = new Forwarder({
      leaderBond: () => this.#leaderBond(),
      calls: this.#calls,
      forwardTimeoutMs: this.timing.forwardTimeoutMs,
    })
    this.#formationAgent = new FormationAgent(
      {
        self: this.peerId,
        observer: this.#observer,
        minVoters,
        maxVoters: this.timing.maxVoters,
        formationDelayMs: this.timing.formationDelayMs,
        handshakeMs: this.timing.handshakeMs,
      },
      {
        send: (peer, message) => this.#bonds.get(peer)?.send(message) ?? false,
        found: (entry) => this.#found(entry),
        lockChanged: () => this.#announceStatus(),
      },
      Date.now(),
    )
    this.ready = this.#start()
    // A group that cannot start (its WAL cannot be opened, say) stops, loudly: every call fails.
    this.ready.catch((err: unknown) => this.#fail(err))
    if (spec.signal) {
      const signal = spec.signal
      const leave = () => void this.close()
      if (signal.aborted) leave()
      else {
        signal.addEventListener('abort', leave, { once: true })
        this.#lifecycle.defer(() => signal.removeEventListener('abort', leave))
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State

  /** The current leader's peer id, if known. */
  get leader(): string | undefined {
    return this.#leader.value ?? undefined
  }

  get isLeader(): boolean {
    return this.#role.value === 'leader'
  }

  get role(): Role {
    return this.#role.value
  }

  get term(): number {
    return this.#term.value
  }

  /** Index of the last command applied here (what local reads reflect). */
  get committed(): Index {
    return this.#applied.value
  }

  get online(): boolean {
    return this.#online.value
  }

  /** Voters and learners in force, sorted. */
  get members(): GroupMembers {
    const m = this.#members.value
    return { voters: m.voters, learners: m.learners }
  }

  /** The group this node belongs to (null before it founded or joined one). */
  get formation(): Formation | null {
    return this.#formation
  }

  /** Peers with an open bond. */
  get bonded(): readonly string[] {
    return [...this.#bonds.bonds.keys()].sort()
  }

  /** Conditions on leadership, online state and the applied index. */
  readonly when: GroupWhen = {
    leaderElected: (options) => this.#leader.when((l) => l !== null, options).then((l) => l as string),
    leaderChanged: (options) => {
      const current = this.#leader.value
      return this.#leader.when((l) => l !== null && l !== current, options).then((l) => l as string)
    },
    online: (options) => this.#online.when((v) => v, options).then(() => undefined),
    offline: (options) => this.#online.when((v) => !v, options).then(() => undefined),
    committed: (): IndexWatcher => ({
      reaches: (index, options) => this.#applied.when((a) => a >= index, options),
      changed: (options) => this.#applied.changed(options),
    }),
  }

  /** Calls `listener` for this group's events (formed, merged); returns the unsubscribe function. */
  subscribe(listener: (event: GroupEvent) => void): () => void {
    return this.#events.subscribe(listener)
  }

  // ---------------------------------------------------------------------------------------------
  // Client API

  /**
   * Proposes `command` and resolves once it is committed and applied here, with its index and the
   * machine's result. Followers forward it to the leader. Errors: OfflineError (no leader in
   * time, or the proposal was overwritten by a new leader), TimeoutError, GroupClosedError, the
   * machine's own error if `apply` threw, InvalidInputError/ValidationError for a bad command.
   */
  async execute(command: unknown, options: GroupCallOptions = {}): Promise<Executed> {
    if (!this.#started) await this.#whenReady()
    const { payload, deadline } = this.#prepare(command, options)
    // The leader's own proposals take the synchronous path: no promise until the apply.
    const [index, term] =
      this.#proposeHere(payload) ?? (await this.#assign(payload, deadline, options.signal))
    const outcome = await this.#outcome(index, term, deadline, options.signal)
    if (!outcome.ok) throw outcome.error
    return { index, result: outcome.result }
  }

  /** Proposes `command` and resolves as soon as the leader assigned its index (not yet committed). */
  async feed(command: unknown, options: GroupCallOptions = {}): Promise<Index> {
    if (!this.#started) await this.#whenReady()
    const { payload, deadline } = this.#prepare(command, options)
    const [index] = this.#proposeHere(payload) ?? (await this.#assign(payload, deadline, options.signal))
    return index
  }

  /**
   * A linearizable read barrier: resolves with an index once this node has applied every entry that
   * was committed when the barrier started (confirmed by the current leader with a quorum).
   */
  async barrier(options: GroupCallOptions = {}): Promise<Index> {
    await this.#whenReady()
    const deadline = Date.now() + (options.timeout ?? this.timing.commandTimeoutMs)
    const index = await raceSignal(
      this.#reads.request(deadline, (id) => this.#askRead(id)),
      options.signal,
    )
    await this.#applied.when((a) => a >= index, this.#remaining(deadline, options.signal))
    return index
  }

  /** Runs `reader` on local state, after a barrier unless `consistency` is `local`. */
  async read<T>(reader: () => T, options: GroupReadOptions = {}): Promise<T> {
    if ((options.consistency ?? 'linearizable') === 'linearizable') await this.barrier(options)
    else await this.#whenReady()
    return reader()
  }

  /**
   * Hands leadership to `peer` (a voter): the leader catches it up, then tells it to campaign.
   * Throws NotLeaderError on a non-leader, InvalidInputError for a peer that is not a voter.
   */
  transferLeadership(peer: string): void {
    const driver = this.#requireDriver()
    const result = driver.node.transferLeadership(peer)
    if (result.ok) {
      driver.schedule()
      return
    }
    if (result.reason === 'not-leader') throw new NotLeaderError(`only the leader can hand over leadership`)
    throw new InvalidInputError(`cannot transfer leadership to ${peer}: ${result.reason}`)
  }

  /** Leaves the group: tells the peers, fails pending calls with GroupClosedError, releases everything. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown(new GroupClosedError(`group '${this.name}' is closed`))
    return this.#closing
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** Accepts an inbound bond (called by the groups subsystem, which routed the link here). */
  accept(link: Link, hello: Hello): Promise<void> {
    return this.#bonds.accept(link, hello)
  }

  // ---------------------------------------------------------------------------------------------
  // Start and stop

  async #start(): Promise<void> {
    const network = this.#host.network
    this.#initial = [...this.#spec.machine.snapshot()]
    const store = await openStore(this.#spec.storage)
    this.#store = store
    this.#lifecycle.defer(() => this.#store?.close())
    this.#formation = formationInStore(store)
    this.#driver = await this.#openDriver()
    this.#publishMembers()
    if (this.#lifecycle.closed) return
    this.#bonds.start()
    this.#bondsStarted = true
    network.discovery.addGroups(this.storeId)
    this.#lifecycle.defer(() => {
      if (!network.closed) network.discovery.removeGroups(this.storeId)
    })
    this.#lifecycle.setInterval(() => this.#tick(), this.timing.tickMs)
    this.#logger.debug({ formation: this.#formation?.id.slice(0, 10) ?? null }, 'group started')
  }

  async #shutdown(reason: Error): Promise<void> {
    this.#failure ??= reason
    await this.ready.catch(() => {})
    this.#proposals.failAll(reason)
    this.#reads.failAll(reason)
    this.#forwarder.close(reason)
    this.#calls.close(reason)
    await this.#bonds.close()
    await this.#driver?.close()
    try {
      await this.#lifecycle.close()
    } finally {
      for (const w of [this.#leader, this.#role, this.#term, this.#applied, this.#online, this.#members]) {
        w.close(reason)
      }
      this.#events.clear()
      this.#host.closed(this)
    }
  }

  /** The store failed or the group hit a bug: it stops and every caller gets the error. */
  #fail(err: unknown): void {
    this.#logger.error({ err }, 'group stopped after a failure')
    const reason = new GroupClosedError(
      `group '${this.name}' stopped: ${(err as Error)?.message ?? String(err)}`,
      {
        cause: err,
      },
    )
    this.#closing ??= this.#shutdown(reason)
  }

  /** Opens a driver on the current store and shows its (fresh) role, term and leader. */
  async #replaceDriver(): Promise<RaftDriver> {
    const driver = await this.#openDriver()
    this.#driver = driver
    this.#reads.reissueAll()
    const node = driver.node
    this.#onSoft({ role: node.role, term: node.term, leader: node.leader })
    return driver
  }

  async #openDriver(): Promise<RaftDriver> {
    const events: DriverEvents = {
      send: (messages) => this.#sendRaft(messages),
      persisted: (entries, installed) => this.#onPersisted(entries, installed),
      applied: (entry, outcome) => this.#onApplied(entry, outcome),
      settled: (applied, commit) => this.#onSettled(applied, commit),
      soft: (state) => this.#onSoft(state),
      reads: (confirmed, dropped) => this.#reads.settle(confirmed, dropped),
      fetchSnapshot: (meta) => void this.#sync(meta),
      restored: (index) => this.#onRestored(index),
      snapshotSaved: (_index, bytes) => this.#metrics.snapshot('saved', bytes),
      failed: (err) => this.#fail(err),
    }
    return RaftDriver.open(
      {
        id: this.peerId,
        store: this.#store as LogStore,
        machine: {
          apply: (payload, index, term) =>
            this.#spec.machine.apply(decodeCommand(payload), {
              index,
              term,
              groupId: this.groupId,
              networkId: this.networkId,
            }),
          snapshot: () => this.#spec.machine.snapshot(),
          restore: (chunks, index) => this.#spec.machine.restore(chunks, index),
        },
        events,
        config: {
          electionTicks: this.timing.electionTicks,
          heartbeatTicks: this.timing.heartbeatTicks,
          readMode: this.timing.readMode,
          leaseMarginTicks: this.timing.leaseMarginTicks,
          leadership: coreLeadership(this.#spec.leadership),
          maxEntryBytes: MAX_COMMAND_BYTES + 16,
          maxSizePerMsg: 512 * 1024,
          maxInflightBytes: 8 * 1024 * 1024,
        },
        snapshotEvery: this.timing.snapshotEvery,
        compactionMargin: this.timing.compactionMargin,
        formation: () => this.#formation,
      },
      this.#initial,
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Ticks: Raft time, online state, retries, formation and the autopilot

  #tick(): void {
    const driver = this.#driver
    if (driver === undefined || this.#failure !== null) return
    const now = Date.now()
    driver.tick()
    this.#ticks++
    this.#updateOnline(now)
    this.#forwarder.expire(now)
    this.#proposals.expire(now)
    this.#forwarder.flush()
    this.#reads.retry(now, (id) => this.#askRead(id))
    if (this.#ticks % AUTOPILOT_TICKS !== 0 || this.#merging) return
    this.#dropStaleAdoption()
    if (this.#formation === null && this.#adopting === null && driver.empty) {
      this.#formationAgent.evaluate(
        now,
        [...this.#bonds.bonds.values()].map((b) => ({ peer: b.peer, status: b.status })),
      )
    }
    if (this.isLeader) this.#autopilot(now)
  }

  /**
   * An empty node that followed a group which has since dissolved (merged away) stops waiting for
   * it. Nothing of that group is durable here (the founding entry would have made it a member).
   */
  #dropStaleAdoption(): void {
    const adopting = this.#adopting
    if (adopting === null || this.#formation !== null) return
    for (const bond of this.#bonds.bonds.values()) if (bond.status.formation?.id === adopting) return
    this.#adopting = null
  }

  #updateOnline(now: number): void {
    const leader = this.#leader.value
    const member = isMemberOf(this.#members.value, this.peerId)
    const heard = now - this.#heardFromLeader < this.timing.electionTicks * this.timing.tickMs
    this.#online.set(
      leader !== null && member && !this.#syncing && (leader === this.peerId ? this.isLeader : heard),
    )
  }

  #autopilot(now: number): void {
    const driver = this.#requireDriver()
    const status = driver.node.status()
    const peers = peerViews({
      self: this.peerId,
      membership: status.membership,
      bonds: this.#bonds.bonds,
      compatible: (bond) => this.#sameGroup(bond.status),
      absentSince: this.#absentSince,
      now,
      bondTimeoutMs: this.timing.bondTimeoutMs,
    })
    const change = nextMembershipChange({
      self: this.peerId,
      membership: status.membership,
      progress: status.progress,
      commit: status.commit,
      peers,
      now,
      promoteAfterMs: this.timing.promoteAfterMs,
      removeAfterMs: this.timing.removeAfterMs,
      maxVoters: this.timing.maxVoters,
    })
    if (change === null) return
    const result = driver.node.proposeMembership(change.next)
    if (!result.ok) return
    this.#metrics.membershipChange(change.action)
    this.#logger.info(
      { action: change.action, peers: change.peers, index: result.index },
      'membership change',
    )
    driver.schedule()
  }

  /** The group this node is in or joining (its formation id), if any. */
  #groupKey(): string | null {
    return this.#formation?.id ?? this.#adopting
  }

  /** A peer's status is compatible: it belongs to this node's group, or to none yet (a joiner). */
  #sameGroup(status: BondStatus): boolean {
    if (status.locked) return false
    return status.formation === null || status.formation.id === this.#groupKey()
  }

  // ---------------------------------------------------------------------------------------------
  // Proposals

  #prepare(command: unknown, options: GroupCallOptions): { payload: Uint8Array; deadline: number } {
    this.#throwIfClosed()
    const deadline = Date.now() + (options.timeout ?? this.timing.commandTimeoutMs)
    this.#spec.checkCommand?.(command)
    const payload = encode(command)
    if (payload.length > MAX_COMMAND_BYTES) {
      throw new InvalidInputError(
        `a command is at most ${MAX_COMMAND_BYTES} bytes encoded, got ${payload.length}`,
      )
    }
    return { payload, deadline }
  }

  /** (index, term) when this node leads and takes the proposal now; undefined otherwise. */
  #proposeHere(payload: Uint8Array): readonly [number, number] | undefined {
    const driver = this.#driver
    if (driver === undefined || !this.isLeader) return undefined
    const result = driver.node.propose(payload)
    if (!result.ok) return undefined
    driver.schedule()
    return [result.index, result.term]
  }

  /** Gets (index, term) for a command: proposed here when leader, forwarded to the leader otherwise. */
  async #assign(
    payload: Uint8Array,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<readonly [number, number]> {
    for (;;) {
      this.#throwIfClosed()
      const driver = this.#requireDriver()
      if (this.isLeader) {
        const result = driver.node.propose(payload)
        if (result.ok) {
          driver.schedule()
          return [result.index, result.term]
        }
        if (result.reason === 'too-large') throw new InvalidInputError('the command is too large')
        if (result.reason !== 'not-leader') {
          // Transferring leadership or too much uncommitted data: wait a tick and try again.
          await this.#role
            .changed(this.#remaining(Math.min(deadline, Date.now() + this.timing.tickMs), signal))
            .catch((err: unknown) => {
              if (!isMosaikError(err, 'ERR_TIMEOUT') || Date.now() >= deadline) throw err
            })
          continue
        }
      }
      return raceSignal(this.#forwarder.submit(payload, deadline), signal)
    }
  }

  /** Waits for (index, term) to be applied here. */
  #outcome(index: number, term: number, deadline: number, signal?: AbortSignal): Promise<ApplyOutcome> {
    const driver = this.#requireDriver()
    if (index <= driver.applied) {
      // Applied before we could wait for it: typically a follower's forwarded command, whose index
      // arrives with the leader's answer after the entry reached this node.
      const known = this.#proposals.recent(index, term)
      if (known !== undefined) return Promise.resolve(known)
      // A snapshot jumped past it: it committed, but its result is not known here.
      if (driver.node.termAt(index) === term) return Promise.resolve({ ok: true, result: undefined })
      return Promise.reject(
        new OfflineError(`the outcome of index ${index} is unknown here`, { details: { index } }),
      )
    }
    return this.#proposals.wait(index, term, deadline, signal)
  }

  #askRead(id: string): void {
    const driver = this.#driver
    if (driver === undefined) return
    driver.node.readIndex(id)
    driver.schedule()
  }

  #remaining(deadline: number, signal: AbortSignal | undefined): WaitOptions {
    const timeout = Math.max(0, deadline - Date.now())
    return signal === undefined ? { timeout } : { timeout, signal }
  }

  async #whenReady(): Promise<void> {
    this.#throwIfClosed()
    await this.ready
    this.#throwIfClosed()
  }

  /** True once `ready` resolved (lets the hot paths skip an await). */
  get #started(): boolean {
    return this.#driver !== undefined && this.#store !== undefined && this.#bondsStarted
  }

  #throwIfClosed(): void {
    if (this.#failure !== null) throw this.#failure
  }

  #requireDriver(): RaftDriver {
    this.#throwIfClosed()
    if (this.#driver === undefined) throw new OfflineError(`group '${this.name}' is starting`)
    return this.#driver
  }

  #leaderBond(): Bond | undefined {
    const leader = this.#leader.value
    return leader === null || leader === this.peerId ? undefined : this.#bonds.get(leader)
  }

  // ---------------------------------------------------------------------------------------------
  // Driver events

  #sendRaft(messages: readonly Message[]): void {
    for (const [peer, frames] of raftFrames(messages)) {
      const bond = this.#bonds.get(peer)
      if (bond === undefined) {
        this.#metrics.dropped(
          'no-bond',
          frames.reduce((n, f) => n + f.length, 0),
        )
        this.#driver?.node.reportUnreachable(peer)
        continue
      }
      for (const frame of frames) bond.send({ t: 'r', messages: frame })
    }
  }

  /**
   * The founding entry or a snapshot became durable here: from now on this node belongs to that
   * formation (its log is that group's log), before anything of it is applied.
   */
  #onPersisted(entries: readonly Entry[], installed: SnapshotDescription | null): void {
    if (this.#formation !== null) return
    if (installed?.formation) this.#setFormation(installed.formation)
    const founding = entries[0]?.index === 1 ? entries[0] : undefined
    if (founding?.kind !== 'config') return
    try {
      this.#setFormation(readFoundingEntry(founding.data).formation)
    } catch (err) {
      this.#logger.warn({ err }, 'the first entry of the log is not a founding entry')
    }
  }

  #onApplied(entry: Entry, outcome: ApplyOutcome | null): void {
    if (entry.kind === 'config') this.#publishMembers()
    this.#proposals.applied(entry.index, entry.term, outcome)
  }

  #onSettled(applied: number, commit: number): void {
    this.#applied.set(applied)
    this.#metrics.progress(commit, applied)
    this.#metrics.inFlight(this.#proposals.size + this.#forwarder.size)
  }

  #onSoft(state: SoftState): void {
    const previous = this.#leader.value
    this.#role.set(state.role)
    this.#term.set(state.term)
    this.#leader.set(state.leader)
    this.#metrics.soft(state.role, state.term)
    if (state.leader !== previous) {
      if (state.leader !== null) this.#metrics.leaderChanged()
      if (previous !== null && previous !== this.peerId) this.#forwarder.leaderChanged(previous)
      this.#heardFromLeader = Date.now()
      this.#forwarder.flush()
    }
    if (state.role === 'leader' && previous !== this.peerId) this.#absentSince.clear()
    this.#publishMembers()
    this.#updateOnline(Date.now())
  }

  #onRestored(index: number): void {
    this.#proposals.restored(index)
    this.#publishMembers()
  }

  #publishMembers(): void {
    const membership = this.#driver?.node.membership ?? NO_MEMBERS
    this.#members.set(membership)
    this.#metrics.members(membership.voters.length, membership.learners.length)
    // Becoming a member can make this node online (not only the next tick).
    this.#updateOnline(Date.now())
  }

  // ---------------------------------------------------------------------------------------------
  // Bond traffic

  #onBondAdded(bond: Bond): void {
    this.#metrics.bonds(this.#bonds.bonds.size)
    // The status sent in the handshake may be older than the bond (a merge or founding can finish
    // in between): repeat the current one.
    bond.send({ t: 's', status: this.#status() })
    this.#checkMerge(bond)
    // A peer bonded while this node fetches a snapshot may serve it too.
    if (this.#fetch !== undefined && this.#holdsGroupState(bond))
      this.#fetch.offer(this.#snapshotProvider(bond))
    // A newcomer is added as a learner now rather than at the autopilot's next turn: a late
    // joiner's state sync starts only once it is a member.
    if (this.isLeader && !this.#merging && this.#failure === null) this.#autopilot(Date.now())
  }

  #onBondRemoved(bond: Bond, why: BondEnd): void {
    this.#metrics.bonds(this.#bonds.bonds.size)
    this.#calls.peerGone(bond.peer)
    this.#formationAgent.peerGone(bond.peer)
    this.#logger.debug({ peer: bond.peer, why }, 'bond ended')
  }

  #onBondMessage(bond: Bond, message: BondMessage): void {
    switch (message.t) {
      case 'r':
        this.#onRaft(bond, message.messages)
        break
      case 'p':
        break
      case 's':
        bond.status = message.status
        this.#checkMerge(bond)
        break
      case 'f':
        this.#onForward(bond, message.id, message.commands)
        break
      case 'fa':
      case 'fe':
      case 'sO':
      case 'sC':
      case 'sE':
        if (!this.#calls.settle(bond.peer, message)) this.#metrics.dropped('late-answer')
        break
      case 'fr':
        this.#formationAgent.onReply(bond.peer, message.id, message.ok)
        break
      case 'so':
      case 'sc':
        void this.#serveSnapshot(bond, message)
        break
      case 'fo':
        this.#formationAgent.onOffer(bond.peer, message.id, message.entry, this.#isEmpty(), Date.now())
        break
      case 'fc':
        this.#formationAgent.onCommit(bond.peer, message.id)
        break
      case 'fx':
        this.#formationAgent.onAbort(bond.peer, message.id)
        break
      case 'bye':
        bond.end('left')
        break
    }
  }

  #onRaft(bond: Bond, raw: readonly unknown[]): void {
    const driver = this.#driver
    if (driver === undefined || this.#merging || !this.#acceptsRaftFrom(bond)) {
      this.#metrics.dropped('other-group', raw.length)
      return
    }
    const leader = this.#leader.value
    for (const item of raw) {
      let message: Message
      try {
        message = decodeRaftMessage(item, bond.peer, this.peerId)
      } catch (err) {
        this.#metrics.dropped('malformed')
        this.#logger.debug({ peer: bond.peer, err }, 'malformed raft message')
        continue
      }
      if (bond.peer === leader) this.#heardFromLeader = bond.lastReceived
      driver.node.step(message)
    }
    driver.schedule()
  }

  /**
   * Raft traffic only flows within one group: between members of the same formation, and between a
   * group and an empty node it is adding (which adopts the first group whose messages it takes).
   */
  #acceptsRaftFrom(bond: Bond): boolean {
    const theirs = bond.status.formation
    if (this.#formation !== null) return theirs === null || theirs.id === this.#formation.id
    if (this.#adopting !== null) return theirs?.id === this.#adopting
    if (theirs === null || this.#formationAgent.locked) return false
    this.#adopting = theirs.id
    return true
  }

  #onForward(bond: Bond, id: number, commands: readonly Uint8Array[]): void {
    const driver = this.#driver
    if (driver === undefined || !this.isLeader || !this.#sameGroup(bond.status)) {
      bond.send({ t: 'fe', id, reason: 'not-leader' })
      return
    }
    const assigned: [number, number][] = []
    for (const payload of commands.slice(0, MAX_FORWARD_BATCH)) {
      const valid = payload.length <= MAX_COMMAND_BYTES && isCommandPayload(payload)
      const result = valid ? driver.node.propose(payload) : null
      if (result?.ok) assigned.push([result.index, result.term])
      else if (result !== null && result.reason === 'not-leader') break
      else assigned.push([0, 0])
    }
    if (assigned.length < commands.length && assigned.every(([index]) => index === 0)) {
      bond.send({ t: 'fe', id, reason: 'not-leader' })
      return
    }
    while (assigned.length < commands.length) assigned.push([0, 0])
    bond.send({ t: 'fa', id, assigned })
    driver.schedule()
  }

  async #serveSnapshot(bond: Bond, request: BondMessage): Promise<void> {
    const store = this.#store
    if (store === undefined) return
    const answer = await serveSnapshot(store, request)
    if (answer === null) return
    if (answer.t === 'sC') this.#metrics.snapshot('served', answer.data.length)
    bond.send(answer)
  }

  // ---------------------------------------------------------------------------------------------
  // Status, formation and merges

  #status(): BondStatus {
    return { formation: this.#formation, observer: this.#observer, locked: this.#formationAgent.locked }
  }

  #announceStatus(): void {
    this.#bonds.broadcast({ t: 's', status: this.#status() })
  }

  #isEmpty(): boolean {
    return (
      this.#formation === null && this.#adopting === null && (this.#driver?.empty ?? false) && !this.#merging
    )
  }

  #setFormation(formation: Formation): void {
    this.#formation = formation
    this.#adopting = null
    this.#announceStatus()
    for (const bond of this.#bonds.bonds.values()) this.#checkMerge(bond)
  }

  /** Founds the group with `entry` (formation agent): persists it and restarts the core from it. */
  async #found(entry: FoundingEntry): Promise<boolean> {
    if (!this.#isEmpty() || this.#failure !== null) return false
    const store = this.#store as LogStore
    await this.#requireDriver().close()
    if (store.lastIndex !== 0 || store.snapshot !== null) {
      await this.#replaceDriver()
      return false
    }
    const hard = store.hardState
    store.append([toLogEntry({ index: 1, term: 1, kind: 'config', data: entry.data })])
    store.setHardState({ term: Math.max(1, hard.term), vote: hard.term >= 1 ? hard.vote : null, commit: 1 })
    await store.sync()
    const driver = await this.#replaceDriver()
    this.#setFormation(entry.formation)
    this.#metrics.formed()
    this.#emit({
      type: 'formed',
      group: this.name,
      storeId: this.storeId.hex,
      formation: entry.formation,
      founders: entry.membership.voters,
    })
    this.#logger.info(
      { founders: entry.membership.voters, formation: entry.formation.id.slice(0, 10) },
      'group founded',
    )
    if (entry.membership.voters.length === 1) driver.node.campaign()
    driver.schedule()
    return true
  }

  /** Two formations met: the losing side (decided identically everywhere) discards its group. */
  #checkMerge(bond: Bond): void {
    const mine = this.#formation
    const theirs = bond.status.formation
    if (mine === null || theirs === null || mine.id === theirs.id || this.#merging || this.#failure !== null)
      return
    if (!formationWins(theirs, mine)) return
    this.#merging = true
    void this.#mergeInto(theirs, bond.peer)
      .catch((err: unknown) => this.#fail(err))
      .finally(() => {
        this.#merging = false
      })
  }

  async #mergeInto(winner: Formation, via: string): Promise<void> {
    const discarded = this.#formation as Formation
    const store = this.#store as LogStore
    const report = describeDiscarded(store)
    await this.#requireDriver().close()
    const err = new OfflineError(
      `group '${this.name}' merged into another formation; this node's state was discarded`,
    )
    this.#proposals.failAll(err)
    this.#reads.failAll(err)
    const preservedAt = await discardStore(store, this.#spec.storage)
    this.#store = await openStore(this.#spec.storage)
    this.#formation = null
    this.#adopting = null
    await this.#replaceDriver()
    this.#applied.set(0)
    this.#publishMembers()
    this.#formationAgent.restart(Date.now())
    this.#announceStatus()
    this.#metrics.merged(report.entries)
    const event: GroupEvent = {
      type: 'merged',
      group: this.name,
      storeId: this.storeId.hex,
      discarded: discarded,
      winner,
      via,
      ...report,
      ...(preservedAt === undefined ? {} : { preservedAt }),
    }
    this.#logger.warn(event, 'isolated groups merged: this node discarded its group and joins the other')
    this.#emit(event)
  }

  #emit(event: GroupEvent): void {
    this.#events.emit(event)
    this.#host.emit(event)
  }

  // ---------------------------------------------------------------------------------------------
  // State sync

  async #sync(wanted: SnapshotMeta): Promise<void> {
    if (this.#syncing) return
    const began = performance.now()
    this.#syncing = true
    this.#updateOnline(Date.now())
    const driver = this.#requireDriver()
    try {
      const machine = this.#spec.machine
      const providers = [...this.#bonds.bonds.values()]
        .filter((b) => this.#holdsGroupState(b))
        .map((b) => this.#snapshotProvider(b))
      const fetch = new SnapshotFetch({
        wanted,
        providers,
        chunkBytes: this.timing.syncChunkBytes,
        begin: (index) =>
          machine.beginRestore?.(index) ?? bufferedRestore((chunks) => machine.restore(chunks, index)),
        dropped: (peer, why) => {
          this.#metrics.dropped(why)
          this.#logger.debug({ peer, why }, 'peer dropped from a snapshot fetch')
        },
      })
      this.#fetch = fetch
      const fetched = await fetch.run()
      this.#metrics.syncPhase('fetch', performance.now() - began)
      if (this.#driver !== driver) return
      if (this.#formation === null && fetched.description.formation !== null) {
        if (this.#adopting !== null && fetched.description.formation.id !== this.#adopting) {
          throw new ProtocolError('the fetched snapshot belongs to another group')
        }
      }
      const { meta, description, data, session } = fetched
      this.#metrics.snapshot('fetched', description.size)
      this.#logger.info(
        { index: meta.index, bytes: description.size, providers: fetched.providers },
        'snapshot fetched',
      )
      const restore = () => {
        const start = performance.now()
        session.finish()
        this.#metrics.syncPhase('restore', performance.now() - start)
      }
      if (!driver.install(meta, description, data, restore)) driver.node.snapshotFetchFailed()
    } catch (err) {
      if (isMosaikError(err, 'ERR_PROTOCOL')) this.#metrics.dropped('snapshot-invalid')
      this.#logger.debug({ err, wanted: wanted.index }, 'snapshot sync failed; the leader will ask again')
      if (this.#driver === driver) driver.node.snapshotFetchFailed()
    } finally {
      this.#syncing = false
      this.#fetch = undefined
      this.#updateOnline(Date.now())
    }
  }

  /** The peer of `bond` is in this node's group (so it may hold the group's snapshots). */
  #holdsGroupState(bond: Bond): boolean {
    return bond.open && bond.status.formation !== null && bond.status.formation.id === this.#groupKey()
  }

  #snapshotProvider(bond: Bond): SnapshotProvider {
    return bondProvider(bond, this.#calls, this.timing.syncRequestMs)
  }
}

function sameMembers(a: Membership, b: Membership): boolean {
  return a.voters.join() === b.voters.join() && a.learners.join() === b.learners.join()
}

function isMemberOf(m: Membership, peer: string): boolean {
  return m.voters.includes(peer) || m.learners.includes(peer)
}

function decodeCommand(payload: Uint8Array): unknown {
  return decode(payload)
}
