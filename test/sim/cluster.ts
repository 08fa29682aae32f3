/**
 * A simulated cluster: servers, virtual clock, network and disk, driven one event at a time with
 * every safety invariant checked after each step. Everything random comes from one seeded Rng.
 */
import { bootstrapState } from '../../runtime/groups/raft/bootstrap.ts'
import type { LeadershipPreference, RaftConfig } from '../../runtime/groups/raft/config.ts'
import { membership } from '../../runtime/groups/raft/membership.ts'
import type { Entry, Message, PeerId, ReadState, SnapshotMeta } from '../../runtime/groups/raft/types.ts'
import { EventQueue } from './events.ts'
import { blankDurable, type DurableState, type HostHooks, SimHost } from './host.ts'
import { InvariantChecker } from './invariants.ts'
import type { KvSnapshot } from './kv.ts'
import { SimNetwork } from './network.ts'
import type { Rng } from './rng.ts'

export interface HostSpec {
  id: PeerId
  leadership: LeadershipPreference
}

export interface ClusterOptions {
  rng: Rng
  hosts: readonly HostSpec[]
  /** The founding voters: bootstrapped with this membership. Every other host starts empty. */
  founders: readonly PeerId[]
  config: Partial<RaftConfig>
  tickMs: number
  /** Chance that a disk write completes at once; otherwise it takes up to `maxDiskMs`. */
  instantDisk: number
  maxDiskMs: number
}

/** What the workload wants to hear about. */
export interface ClusterListener {
  applied(host: SimHost, entry: Entry, effect: boolean | null): void
  restored(host: SimHost): void
  readState(host: SimHost, read: ReadState): void
  droppedRead(host: SimHost, requestId: string): void
  crashed(host: SimHost): void
}

type StoredSnapshot = NonNullable<DurableState['snapshot']>

const NO_LISTENER: ClusterListener = {
  applied() {},
  restored() {},
  readState() {},
  droppedRead() {},
  crashed() {},
}

export class SimCluster {
  readonly queue = new EventQueue()
  readonly net: SimNetwork
  readonly hosts = new Map<PeerId, SimHost>()
  readonly checker: InvariantChecker
  listener: ClusterListener = NO_LISTENER
  steps = 0
  snapshotsInstalled = 0
  readonly #options: ClusterOptions
  readonly #rng: Rng
  readonly #specs = new Map<PeerId, HostSpec>()
  /** Paused hosts and the messages that reached them meanwhile. */
  readonly #paused = new Map<PeerId, Message[]>()

  constructor(options: ClusterOptions) {
    this.#options = options
    this.#rng = options.rng
    this.checker = new InvariantChecker(() => this.queue.now)
    this.net = new SimNetwork(this.queue, this.#rng.fork(), (m) => this.#deliver(m))
    const founding = bootstrapState(membership(options.founders))
    for (const spec of options.hosts) {
      this.#specs.set(spec.id, spec)
      const durable: DurableState = options.founders.includes(spec.id)
        ? { hardState: { ...founding.hardState }, snapshot: null, entries: [...founding.entries] }
        : blankDurable()
      this.hosts.set(spec.id, new SimHost(spec.id, durable, this.#hooks()))
    }
    for (const host of this.hosts.values()) this.#boot(host)
  }

  get now(): number {
    return this.queue.now
  }

  host(id: PeerId): SimHost {
    const host = this.hosts.get(id)
    if (host === undefined) throw new Error(`no host ${id}`)
    return host
  }

  isPaused(id: PeerId): boolean {
    return this.#paused.has(id)
  }

  /** Live, unpaused hosts that believe they lead (normally at most one per term). */
  leaders(): SimHost[] {
    return [...this.hosts.values()].filter((h) => h.node?.role === 'leader' && !this.#paused.has(h.id))
  }

  /** Hosts a client can talk to. */
  available(): SimHost[] {
    return [...this.hosts.values()].filter((h) => h.alive && !this.#paused.has(h.id))
  }

  crash(id: PeerId): void {
    const host = this.host(id)
    if (!host.alive) return
    this.#paused.delete(id)
    host.crash()
    this.listener.crashed(host)
  }

  restart(id: PeerId): void {
    const host = this.host(id)
    if (!host.alive) this.#boot(host)
  }

  /** Freezes a host (a long GC pause or SIGSTOP): no ticks, messages wait. */
  pause(id: PeerId): void {
    if (this.host(id).alive && !this.#paused.has(id)) this.#paused.set(id, [])
  }

  resume(id: PeerId): void {
    const waiting = this.#paused.get(id)
    if (waiting === undefined) return
    this.#paused.delete(id)
    // Like a process waking up: the backlog is read over the next few milliseconds, interleaved
    // with whatever else happens (clients may reach the server before it hears the news).
    for (const m of waiting) this.queue.after(this.#rng.float() * 5, () => this.#deliver(m))
  }

  /** Runs events until virtual time `until` (or until `stop` says so), checking invariants after each. */
  runUntil(until: number, stop: () => boolean = () => false): void {
    while (!stop() && this.queue.runNext(until)) {
      this.steps++
      this.pumpAll()
      this.checker.afterStep(this.hosts.values())
    }
    if (this.queue.now < until && !stop()) this.queue.now = until
  }

  /** Hands every host's pending Ready to its (simulated) disk. */
  pumpAll(): void {
    for (const host of this.hosts.values()) this.#pump(host)
  }

  #pump(host: SimHost): void {
    while (!this.#paused.has(host.id) && host.begin() !== null) {
      if (this.#rng.chance(this.#options.instantDisk)) {
        host.finish()
        continue
      }
      const life = host.incarnation
      const complete = () => {
        if (host.incarnation !== life) return
        if (this.#paused.has(host.id)) this.queue.after(this.#options.tickMs, complete)
        else host.finish()
      }
      this.queue.after(this.#rng.float() * this.#options.maxDiskMs, complete)
      return
    }
  }

  #boot(host: SimHost): void {
    const spec = this.#specs.get(host.id) as HostSpec
    const rng = this.#rng.fork()
    host.start({ ...this.#options.config, leadership: spec.leadership }, () => rng.float())
    const life = host.incarnation
    const tick = () => {
      if (host.incarnation !== life || !host.alive) return
      if (!this.#paused.has(host.id)) host.node?.tick()
      this.queue.after(this.#options.tickMs, tick)
    }
    this.queue.after(this.#rng.float() * this.#options.tickMs, tick)
  }

  #deliver(m: Message): void {
    const waiting = this.#paused.get(m.to)
    if (waiting !== undefined) {
      waiting.push(m)
      return
    }
    this.hosts.get(m.to)?.node?.step(m)
  }

  /** Fetches state for `host` from the peers holding the newest snapshot at or after `meta.index`. */
  #fetch(host: SimHost, meta: SnapshotMeta): void {
    const life = host.incarnation
    this.queue.after(1 + this.#rng.float() * 20, () => {
      if (host.incarnation !== life || host.node === null) return
      const held = [...this.hosts.values()]
        .filter((peer) => peer !== host && peer.alive && this.net.reachable(peer.id, host.id))
        .map((peer) => peer.durable.snapshot)
        .filter((snap) => snap !== null && snap.meta.index >= meta.index) as StoredSnapshot[]
      const newest = Math.max(...held.map((snap) => snap.meta.index))
      const copies = held.filter((snap) => snap.meta.index === newest)
      const first = copies[0]
      if (first === undefined) host.node.snapshotFetchFailed()
      else if (host.offerSnapshot(first.meta, assemble(copies.map((snap) => snap.data))))
        this.snapshotsInstalled++
    })
  }

  #hooks(): HostHooks {
    return {
      send: (_from, messages) => this.net.send(messages),
      taken: (host, rd) => this.checker.taken(host, rd),
      persisted: (host) => this.checker.persisted(host),
      applied: (host, entry, effect) => {
        this.checker.applied(host, entry)
        this.listener.applied(host, entry, effect)
      },
      restored: (host, meta, data) => {
        this.checker.restored(host, meta, data)
        this.listener.restored(host)
      },
      fetchSnapshot: (host, meta) => this.#fetch(host, meta),
      readState: (host, read) => this.listener.readState(host, read),
      droppedRead: (host, requestId) => this.listener.droppedRead(host, requestId),
    }
  }
}

/**
 * Builds a snapshot from several peers' copies of the same snapshot, taking a different slice of
 * the keys from each (as the runtime's parallel state sync does).
 */
function assemble(copies: readonly KvSnapshot[]): KvSnapshot {
  const first = copies[0] as KvSnapshot
  const keys = [...first.keys()].sort()
  const out = new Map<string, string>()
  keys.forEach((key, i) => {
    const source = copies[i % copies.length] as KvSnapshot
    const value = source.get(key)
    if (value !== undefined) out.set(key, value)
  })
  return out
}
