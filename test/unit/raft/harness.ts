/**
 * A hand-driven cluster for scenario tests, in the style of etcd-io/raft's interaction tests:
 * messages wait in a queue until the test delivers them (`stabilize`), links can be cut one way
 * or both, servers crash and restart from their durable state, and disk writes are instant.
 */

import { bootstrapState } from '../../../runtime/groups/raft/bootstrap.ts'
import type { RaftConfig } from '../../../runtime/groups/raft/config.ts'
import { membership } from '../../../runtime/groups/raft/membership.ts'
import type { RaftNode } from '../../../runtime/groups/raft/node.ts'
import type { Entry, Message, PeerId, ReadState } from '../../../runtime/groups/raft/types.ts'
import { blankDurable, SimHost } from '../../sim/host.ts'
import { InvariantChecker } from '../../sim/invariants.ts'
import { encodeCommand } from '../../sim/kv.ts'
import { Rng } from '../../sim/rng.ts'

export interface TestClusterOptions {
  voters: PeerId[]
  learners?: PeerId[]
  /** Hosts that start empty (not founders), to be added later. */
  spares?: PeerId[]
  config?: Partial<RaftConfig>
  /** Per-host settings on top of `config`. */
  hostConfig?: Record<PeerId, Partial<RaftConfig>>
  seed?: number
}

export class TestCluster {
  readonly hosts = new Map<PeerId, SimHost>()
  readonly checker = new InvariantChecker(() => 0)
  /** Messages sent and not yet delivered. */
  inbox: Message[] = []
  readonly applied = new Map<PeerId, Entry[]>()
  readonly reads = new Map<PeerId, ReadState[]>()
  readonly dropped = new Map<PeerId, string[]>()
  readonly #cut = new Set<string>()
  #fetches: { host: SimHost; index: number }[] = []
  snapshotsInstalled = 0
  readonly #rng: Rng
  readonly #options: TestClusterOptions

  constructor(options: TestClusterOptions) {
    this.#options = options
    this.#rng = new Rng(options.seed ?? 1)
    const founders = bootstrapState(membership(options.voters, options.learners ?? []))
    const all = [...options.voters, ...(options.learners ?? []), ...(options.spares ?? [])]
    for (const id of all) {
      const founder = !(options.spares ?? []).includes(id)
      const durable = founder
        ? { hardState: { ...founders.hardState }, snapshot: null, entries: [...founders.entries] }
        : blankDurable()
      const host = new SimHost(id, durable, {
        send: (_from, messages) => this.inbox.push(...messages),
        taken: (h, rd) => this.checker.taken(h, rd),
        persisted: (h) => this.checker.persisted(h),
        applied: (h, entry) => {
          this.checker.applied(h, entry)
          this.applied.get(h.id)?.push(entry)
        },
        restored: (h, meta, data) => this.checker.restored(h, meta, data),
        fetchSnapshot: (h, meta) => this.#fetches.push({ host: h, index: meta.index }),
        readState: (h, read) => this.reads.get(h.id)?.push(read),
        droppedRead: (h, requestId) => this.dropped.get(h.id)?.push(requestId),
      })
      this.hosts.set(id, host)
      this.applied.set(id, [])
      this.reads.set(id, [])
      this.dropped.set(id, [])
      this.start(id)
    }
  }

  start(id: PeerId): void {
    const rng = this.#rng.fork()
    const config = { ...this.#options.config, ...this.#options.hostConfig?.[id] }
    this.host(id).start(config, () => rng.float())
  }

  host(id: PeerId): SimHost {
    const host = this.hosts.get(id)
    if (host === undefined) throw new Error(`no host ${id}`)
    return host
  }

  node(id: PeerId): RaftNode {
    const node = this.host(id).node
    if (node === null) throw new Error(`${id} is down`)
    return node
  }

  /** Cuts the link from `a` to `b` (one way). */
  cut(a: PeerId, b: PeerId): void {
    this.#cut.add(`${a}>${b}`)
  }

  /** Cuts every link between `id` and the others, both ways. */
  isolate(id: PeerId): void {
    for (const other of this.hosts.keys()) {
      if (other === id) continue
      this.cut(id, other)
      this.cut(other, id)
    }
  }

  heal(): void {
    this.#cut.clear()
  }

  crash(id: PeerId): void {
    this.host(id).crash()
    this.inbox = this.inbox.filter((m) => m.from !== id)
  }

  /** Lets every live server hand out its Readies (instant disk) and serves snapshot fetches. */
  process(): void {
    for (let round = 0; round < 10; round++) {
      for (const host of this.hosts.values()) host.drain()
      const fetches = this.#fetches
      this.#fetches = []
      if (fetches.length === 0) break
      for (const { host, index } of fetches) this.#serveFetch(host, index)
    }
    this.checker.afterStep(this.hosts.values())
  }

  /** Gives `host` the newest durable snapshot at or after `index` that a reachable peer holds. */
  #serveFetch(host: SimHost, index: number): void {
    let best: SimHost | undefined
    for (const peer of this.hosts.values()) {
      const snap = peer.durable.snapshot
      if (peer === host || !peer.alive || snap === null || snap.meta.index < index) continue
      if (this.#cut.has(`${peer.id}>${host.id}`)) continue
      if (best === undefined || snap.meta.index > (best.durable.snapshot?.meta.index ?? 0)) best = peer
    }
    const snap = best?.durable.snapshot
    if (snap == null) host.node?.snapshotFetchFailed()
    else if (host.offerSnapshot(snap.meta, snap.data)) this.snapshotsInstalled++
  }

  /** Delivers queued messages (those `keep` accepts; others are dropped) until none are left. */
  stabilize(keep: (m: Message) => boolean = () => true, maxRounds = 1000): void {
    this.process()
    for (let round = 0; round < maxRounds && this.inbox.length > 0; round++) {
      const batch = this.inbox
      this.inbox = []
      for (const m of batch) {
        if (this.#cut.has(`${m.from}>${m.to}`) || !keep(m)) continue
        this.hosts.get(m.to)?.node?.step(m)
      }
      this.process()
    }
  }

  /** Ticks live servers `n` times (each tick followed by processing, no delivery). */
  tick(ids: PeerId[], n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.hosts.get(id)?.node?.tick()
      this.process()
    }
  }

  /** `n` rounds of: every live server ticks, then all messages are delivered. */
  run(n: number): void {
    const live = () => [...this.hosts.values()].filter((h) => h.alive).map((h) => h.id)
    for (let i = 0; i < n; i++) {
      this.tick(live())
      this.stabilize()
    }
  }

  /** The live server that believes it leads with the highest term, if any. */
  leader(): PeerId | undefined {
    let best: SimHost | undefined
    for (const host of this.hosts.values()) {
      if (host.node?.role === 'leader' && (best === undefined || host.node.term > (best.node?.term ?? 0)))
        best = host
    }
    return best?.id
  }

  /** Runs until some server leads (at most `limit` rounds); returns it. */
  electSomeone(limit = 200): PeerId {
    for (let i = 0; i < limit; i++) {
      const leader = this.leader()
      if (
        leader !== undefined &&
        this.node(leader).termAt(this.node(leader).commit) === this.node(leader).term
      ) {
        return leader
      }
      this.run(1)
    }
    throw new Error('no leader elected')
  }

  /** Makes `id` campaign and delivers everything; returns its role afterwards. */
  elect(id: PeerId): string {
    this.node(id).campaign()
    this.stabilize()
    return this.node(id).role
  }

  /** Proposes a put on `id`; returns the propose result. */
  put(id: PeerId, key: string, value: string) {
    return this.node(id).propose(encodeCommand({ op: 'put', key, value }))
  }

  /** The values of `key` as each live server's state machine holds them. */
  values(key: string): Record<PeerId, string | null> {
    const out: Record<PeerId, string | null> = {}
    for (const [id, host] of this.hosts) if (host.alive) out[id] = host.kv.get(key)
    return out
  }
}
