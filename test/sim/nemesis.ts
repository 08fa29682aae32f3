/**
 * The fault injector: at random moments it partitions the network (both ways, one way, or around
 * the leader), crashes and restarts servers (losing what they had not persisted), pauses them,
 * makes links lossy, duplicating and slow, churns the membership between the voter bounds,
 * transfers leadership and forces snapshots while clients are writing. `heal()` undoes everything
 * so the liveness phase can check that the cluster recovers.
 */
import { membership } from '../../runtime/groups/raft/membership.ts'
import type { PeerId } from '../../runtime/groups/raft/types.ts'
import type { SimCluster } from './cluster.ts'
import type { LinkFaults } from './network.ts'
import type { Rng } from './rng.ts'

export const FAULT_KINDS = [
  'partition',
  'asymmetric',
  'isolate-leader',
  'crash',
  'leader-storm',
  'pause',
  'flaky',
  'slow-link',
  'churn',
  'transfer',
  'snapshot',
] as const

export type FaultKind = (typeof FAULT_KINDS)[number]

export interface NemesisOptions {
  kinds: readonly FaultKind[]
  /** No new faults after this virtual time. */
  until: number
  /** Mean virtual time between two faults. */
  meanGapMs: number
  /** The network's normal behaviour, restored after a flaky period and by heal(). */
  baseline: LinkFaults
  minVoters: number
  maxVoters: number
  /** Hosts that must never become voters. */
  observers: ReadonlySet<PeerId>
}

export class Nemesis {
  readonly counts = new Map<FaultKind, number>()
  readonly #cluster: SimCluster
  readonly #rng: Rng
  readonly #options: NemesisOptions
  #stormUntil = 0
  readonly #watched = new Map<string, { commit: number; deadline: number }>()

  constructor(cluster: SimCluster, rng: Rng, options: NemesisOptions) {
    this.#cluster = cluster
    this.#rng = rng
    this.#options = options
    cluster.net.faults = options.baseline
    if (options.kinds.length > 0) this.#schedule()
  }

  get total(): number {
    let n = 0
    for (const count of this.counts.values()) n += count
    return n
  }

  /** Ends every fault: links heal, paused servers resume, crashed ones restart. */
  heal(): void {
    const cluster = this.#cluster
    cluster.net.heal()
    cluster.net.faults = this.#options.baseline
    for (const id of cluster.hosts.keys()) {
      cluster.resume(id)
      cluster.restart(id)
    }
  }

  #schedule(): void {
    const gap = this.#rng.float() * 2 * this.#options.meanGapMs
    this.#cluster.queue.after(gap, () => {
      if (this.#cluster.now >= this.#options.until) return
      const kind = this.#rng.pick(this.#options.kinds)
      if (this.#strike(kind)) this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1)
      this.#schedule()
    })
  }

  /** Applies one fault; false when it did not apply (e.g. no leader to isolate). */
  #strike(kind: FaultKind): boolean {
    const cluster = this.#cluster
    const rng = this.#rng
    const ids = [...cluster.hosts.keys()]
    const later = (lo: number, hi: number, run: () => void) => cluster.queue.after(rng.range(lo, hi), run)
    switch (kind) {
      case 'partition': {
        const side = ids.filter(() => rng.chance(0.5))
        cluster.net.partition(
          side,
          ids.filter((id) => !side.includes(id)),
        )
        later(50, 800, () => cluster.net.heal())
        return true
      }
      case 'asymmetric': {
        const from = ids.filter(() => rng.chance(0.5))
        for (const a of from) for (const b of ids) if (!from.includes(b)) cluster.net.block(a, b)
        later(50, 800, () => cluster.net.heal())
        return true
      }
      case 'isolate-leader': {
        const leader = cluster.leaders()[0]
        if (leader === undefined) return false
        cluster.net.partition(
          [leader.id],
          ids.filter((id) => id !== leader.id),
        )
        later(50, 1000, () => cluster.net.heal())
        return true
      }
      case 'crash': {
        // Half the time, crash a server in the middle of a disk write: the worst moment.
        const writing = ids.filter((id) => cluster.host(id).busy)
        const victim = writing.length > 0 && rng.chance(0.5) ? rng.pick(writing) : rng.pick(ids)
        if (!cluster.host(victim).alive) return false
        cluster.crash(victim)
        later(10, 800, () => cluster.restart(victim))
        return true
      }
      case 'leader-storm': {
        // For a while every new leader dies within milliseconds of its election and the entries
        // of a leader's own term are lost (any loss pattern is fair game for Raft), while older
        // entries still replicate: entries of many terms end up scattered over the logs, the
        // ground for Raft's figure 8.
        this.#stormUntil = cluster.now + rng.range(100, 600)
        cluster.net.ownTermLoss = rng.pick([0, 0.5, 0.8, 1])
        this.#killLeaders()
        return true
      }
      case 'pause': {
        const victim = rng.pick(ids)
        cluster.pause(victim)
        later(20, 600, () => cluster.resume(victim))
        return true
      }
      case 'flaky': {
        cluster.net.faults = {
          dropRate: rng.float() * 0.4,
          duplicateRate: rng.float() * 0.2,
          minDelay: 0.1,
          maxDelay: 40,
        }
        later(50, 500, () => {
          cluster.net.faults = this.#options.baseline
        })
        return true
      }
      case 'slow-link': {
        cluster.net.slowDown(rng.pick(ids), rng.pick(ids), rng.range(10, 300))
        return true
      }
      case 'churn':
        return this.#churn()
      case 'transfer': {
        const leader = cluster.leaders()[0]
        const node = leader?.node
        if (node == null) return false
        const others = node.membership.voters.filter((id) => id !== leader?.id)
        return others.length > 0 && node.transferLeadership(rng.pick(others)).ok
      }
      case 'snapshot': {
        for (const host of cluster.hosts.values()) if (rng.chance(0.5)) host.node?.requestSnapshot()
        return true
      }
    }
  }

  /**
   * During a storm: a leader dies as soon as it moves its commit index (the moment its followers
   * know least), or a few milliseconds after its election otherwise.
   */
  #killLeaders(): void {
    const cluster = this.#cluster
    if (cluster.now >= this.#stormUntil) {
      cluster.net.ownTermLoss = 0
      this.#watched.clear()
      return
    }
    for (const leader of cluster.leaders()) {
      const node = leader.node
      if (node === null) continue
      const key = `${leader.id}@${node.term}`
      const watched = this.#watched.get(key)
      if (watched === undefined) {
        this.#watched.set(key, { commit: node.commit, deadline: cluster.now + this.#rng.float() * 10 })
      } else if (node.commit > watched.commit || cluster.now >= watched.deadline) {
        this.#watched.delete(key)
        cluster.crash(leader.id)
        cluster.queue.after(this.#rng.range(5, 60), () => cluster.restart(leader.id))
      }
    }
    cluster.queue.after(0.5, () => this.#killLeaders())
  }

  /** One membership step through the leader, keeping the voter count within bounds. */
  #churn(): boolean {
    const cluster = this.#cluster
    const rng = this.#rng
    const node = cluster.leaders()[0]?.node
    if (node == null) return false
    const { voters, learners } = node.membership
    const { minVoters, maxVoters, observers } = this.#options
    const outsiders = [...cluster.hosts.keys()].filter((id) => !voters.includes(id) && !learners.includes(id))
    const promotable = learners.filter((id) => !observers.has(id))
    const steps: (() => ReturnType<typeof membership>)[] = []
    if (outsiders.length > 0) steps.push(() => membership(voters, [...learners, rng.pick(outsiders)]))
    if (promotable.length > 0 && voters.length < maxVoters) {
      steps.push(() => {
        const id = rng.pick(promotable)
        return membership(
          [...voters, id],
          learners.filter((l) => l !== id),
        )
      })
    }
    if (voters.length > minVoters) {
      steps.push(() => {
        const id = rng.pick(voters)
        const keepAsLearner = rng.chance(0.5)
        return membership(
          voters.filter((v) => v !== id),
          keepAsLearner ? [...learners, id] : learners,
        )
      })
    }
    if (learners.length > 0) {
      steps.push(() => {
        const id = rng.pick(learners)
        return membership(
          voters,
          learners.filter((l) => l !== id),
        )
      })
    }
    if (steps.length === 0) return false
    return node.proposeMembership(rng.pick(steps)()).ok
  }
}
