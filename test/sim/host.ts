/**
 * One simulated server: a Raft core, its durable storage (what survives a crash), and the volatile
 * KV state machine. It implements the driver side of the Ready contract exactly as the runtime
 * must: immediate messages, persist, later messages, restore/apply, snapshots, reads, advance.
 * `begin()` and `finish()` are split so the simulator can put disk latency (and crashes) between
 * them.
 */
import type { RaftConfig } from '../../runtime/groups/raft/config.ts'
import { RaftNode } from '../../runtime/groups/raft/node.ts'
import type {
  Entry,
  HardState,
  Message,
  PeerId,
  ReadState,
  Ready,
  SnapshotMeta,
} from '../../runtime/groups/raft/types.ts'
import { decodeCommand, type KvSnapshot, KvStore } from './kv.ts'

/** What survives a crash. */
export interface DurableState {
  hardState: HardState
  snapshot: { meta: SnapshotMeta; data: KvSnapshot } | null
  entries: Entry[]
}

/** What a host reports to its environment (the cluster, the invariant checker, tests). */
export interface HostHooks {
  send(from: SimHost, messages: Message[]): void
  /** A Ready was taken from the core (its entries are now in the in-memory log). */
  taken(host: SimHost, ready: Ready): void
  /** After a Ready was made durable (before anything was applied). */
  persisted(host: SimHost, ready: Ready): void
  /** An entry was applied; `effect` is the command's outcome (null for noop/config entries). */
  applied(host: SimHost, entry: Entry, effect: boolean | null): void
  restored(host: SimHost, meta: SnapshotMeta, data: KvSnapshot): void
  fetchSnapshot(host: SimHost, meta: SnapshotMeta): void
  readState(host: SimHost, read: ReadState): void
  droppedRead(host: SimHost, requestId: string): void
}

export class SimHost {
  readonly id: PeerId
  readonly durable: DurableState
  readonly #hooks: HostHooks
  node: RaftNode | null = null
  kv = new KvStore()
  applied = 0
  /** Bumped on every crash, so events scheduled for an earlier life can be told apart. */
  incarnation = 0
  #inFlight: Ready | null = null
  #fetched = new Map<number, KvSnapshot>()

  constructor(id: PeerId, durable: DurableState, hooks: HostHooks) {
    this.id = id
    this.durable = durable
    this.#hooks = hooks
  }

  get alive(): boolean {
    return this.node !== null
  }

  /** A Ready is between `begin` and `finish` (its disk write has not completed). */
  get busy(): boolean {
    return this.#inFlight !== null
  }

  /** Starts (or restarts) the server from its durable state. */
  start(config: Partial<RaftConfig>, random: () => number): void {
    const snap = this.durable.snapshot
    this.node = new RaftNode({
      id: this.id,
      random,
      config,
      state: {
        hardState: { ...this.durable.hardState },
        snapshot: snap?.meta ?? null,
        entries: [...this.durable.entries],
      },
    })
    this.kv = new KvStore(snap?.data)
    this.applied = snap?.meta.index ?? 0
  }

  /** Loses everything volatile, including a Ready whose write had not completed. */
  crash(): void {
    this.node = null
    this.kv = new KvStore()
    this.#inFlight = null
    this.#fetched.clear()
    this.incarnation++
  }

  /** Takes the next Ready, if any, and sends the messages that need not wait for the disk. */
  begin(): Ready | null {
    const node = this.node
    if (node === null || this.#inFlight !== null || !node.hasReady()) return null
    const rd = node.ready()
    this.#inFlight = rd
    this.#hooks.taken(this, rd)
    if (rd.messages.length > 0) this.#hooks.send(this, rd.messages)
    return rd
  }

  /** The disk write of the in-flight Ready completed: persist, send, apply, advance. */
  finish(): void {
    const rd = this.#inFlight
    const node = this.node
    if (rd === null || node === null) return
    this.#inFlight = null
    this.#persist(rd)
    this.#hooks.persisted(this, rd)
    if (rd.messagesAfterPersist.length > 0) this.#hooks.send(this, rd.messagesAfterPersist)
    if (rd.snapshot !== null) this.#restore(rd.snapshot)
    for (const entry of rd.committed) this.#apply(entry)
    if (rd.snapshotDue !== null) this.#saveSnapshot(node, rd.snapshotDue)
    if (rd.fetchSnapshot !== null) this.#hooks.fetchSnapshot(this, rd.fetchSnapshot)
    for (const read of rd.readStates) this.#hooks.readState(this, read)
    for (const requestId of rd.droppedReads) this.#hooks.droppedRead(this, requestId)
    node.advance()
  }

  /** Processes Readies until there are none, with instant disk writes. */
  drain(): void {
    while (this.begin() !== null) this.finish()
  }

  /** Offers state fetched from peers to the core; keeps it for the Ready that installs it. */
  offerSnapshot(meta: SnapshotMeta, data: KvSnapshot): boolean {
    if (this.node === null || !this.node.installSnapshot(meta)) return false
    this.#fetched.set(meta.index, data)
    return true
  }

  #persist(rd: Ready): void {
    const durable = this.durable
    if (rd.snapshot !== null) {
      const data = this.#fetched.get(rd.snapshot.index)
      if (data === undefined)
        throw new Error(`${this.id}: Ready installs snapshot ${rd.snapshot.index} never offered`)
      durable.snapshot = { meta: rd.snapshot, data }
      durable.entries = []
    }
    if (rd.entries.length > 0) {
      const first = (rd.entries[0] as Entry).index
      const base = durable.snapshot?.meta.index ?? 0
      const keep = first - base - 1
      if (keep < 0 || keep > durable.entries.length) {
        throw new Error(
          `${this.id}: Ready entries start at ${first}, storage holds ${base + 1}..${base + durable.entries.length}`,
        )
      }
      durable.entries.length = keep
      durable.entries.push(...rd.entries)
    }
    if (rd.hardState !== null) durable.hardState = { ...rd.hardState }
  }

  #restore(meta: SnapshotMeta): void {
    const data = this.#fetched.get(meta.index) as KvSnapshot
    this.#fetched.delete(meta.index)
    this.kv = new KvStore(data)
    this.applied = meta.index
    this.#hooks.restored(this, meta, data)
  }

  #apply(entry: Entry): void {
    if (entry.index !== this.applied + 1) {
      throw new Error(`${this.id}: applying ${entry.index} after ${this.applied}`)
    }
    const effect = entry.kind === 'command' ? this.kv.apply(decodeCommand(entry.data)) : null
    this.applied = entry.index
    this.#hooks.applied(this, entry, effect)
  }

  #saveSnapshot(node: RaftNode, meta: SnapshotMeta): void {
    if (meta.index !== this.applied)
      throw new Error(`${this.id}: snapshot due at ${meta.index}, applied ${this.applied}`)
    this.durable.snapshot = { meta, data: this.kv.snapshot() }
    const drop = meta.index - (this.durable.entries[0]?.index ?? meta.index + 1) + 1
    if (drop > 0) this.durable.entries.splice(0, drop)
    node.snapshotSaved(meta)
  }
}

/** The durable state of a server that has never run. */
export function blankDurable(): DurableState {
  return { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }
}
