/**
 * One simulator run per seed. The seed decides everything: cluster size and roles, Raft settings,
 * network quality, the fault schedule and the clients' operations. A run has three phases:
 * 1. faults and clients together, invariants checked after every step;
 * 2. heal everything and require the cluster to recover (a leader commits in its term and every
 *    member catches up);
 * 3. wait for the clients' last operations, then check the whole history for linearizability.
 */
import type { LeadershipPreference, RaftConfig, RaftDebugFlags } from '../../runtime/groups/raft/config.ts'
import { SimCluster } from './cluster.ts'
import type { Violation } from './invariants.ts'
import { checkKvHistory } from './linearizability.ts'
import { FAULT_KINDS, type FaultKind, Nemesis } from './nemesis.ts'
import type { LinkFaults } from './network.ts'
import { Rng } from './rng.ts'
import { Workload } from './workload.ts'

export interface SimOptions {
  seed: number
  /** Servers in the pool (founders plus spares that join through membership churn); drawn per seed
   * from {3, 5, 7, 8} when omitted. */
  nodes?: number
  /** Deliberate bugs for the mutation check. */
  debug?: RaftDebugFlags
}

export interface SeedReport {
  seed: number
  nodes: number
  ok: boolean
  violations: Violation[]
  steps: number
  faults: number
  faultsByKind: Partial<Record<FaultKind, number>>
  opsChecked: number
  /** Writes whose client gave up (timeout, crash); the history settles them from the log. */
  opsUnknown: number
  linearizability: 'ok' | 'violation' | 'unknown'
  elections: number
  commitIndex: number
  snapshotsInstalled: number
  messages: { delivered: number; dropped: number; duplicated: number }
  virtualMs: number
  wallMs: number
  readMode: RaftConfig['readMode']
  replay: string
}

const TICK_MS = 10
const ACTIVE_MS = 2_500
const RECOVERY_MS = 6_000

/** The command that replays one seed. */
export function replayCommand(seed: number, nodes: number, debug: RaftDebugFlags = {}): string {
  const flags = Object.entries(debug)
    .filter(([, on]) => on === true)
    .map(([flag]) => ` --mutate ${flag}`)
    .join('')
  return `npm run sim -- --seeds 1 --from ${seed} --nodes ${nodes}${flags}`
}

function randomConfig(rng: Rng, debug: RaftDebugFlags): Partial<RaftConfig> {
  const checkQuorum = rng.chance(0.85)
  return {
    electionTicks: 10,
    heartbeatTicks: rng.pick([1, 1, 2, 3]),
    preVote: rng.chance(0.85),
    checkQuorum,
    readMode: checkQuorum && rng.chance(0.3) ? 'lease' : 'read-index',
    maxSizePerMsg: rng.pick([64, 256, 1024, 1 << 20]),
    maxInflightMsgs: rng.pick([1, 2, 4, 16, 256]),
    maxUncommittedBytes: rng.pick([0, 512, 4096, 1 << 20]),
    snapshotEntries: rng.pick([0, 8, 20, 50, 200]),
    compactionMargin: rng.pick([0, 2, 10, 100]),
    debug,
  }
}

function randomBaseline(rng: Rng): LinkFaults {
  return {
    dropRate: rng.pick([0, 0, 0.01, 0.05]),
    duplicateRate: rng.pick([0, 0, 0.01, 0.03]),
    minDelay: 0.1,
    maxDelay: rng.pick([0.5, 2, 5, 15]),
  }
}

/** Runs one seed and reports what happened. Never throws for a failure of the core: it reports it. */
export function runSeed(options: SimOptions): SeedReport {
  const started = performance.now()
  const seed = options.seed
  const debug = options.debug ?? {}
  const rng = new Rng(seed)
  // Drawn even when given, so that `--nodes` with the drawn value replays the seed exactly.
  const drawn = rng.pick([3, 5, 5, 7, 7, 8])
  const nodes = Math.max(3, options.nodes ?? drawn)
  const ids = Array.from({ length: nodes }, (_, i) => `n${i + 1}`)
  const founders = ids.slice(0, Math.min(nodes, rng.pick([3, 3, 5, 7])))
  const spares = ids.filter((id) => !founders.includes(id))
  const observers = new Set(spares.filter(() => rng.chance(0.3)))
  const reluctant = rng.chance(0.3) ? rng.pick(founders) : null
  const leadership = (id: string): LeadershipPreference =>
    observers.has(id)
      ? { kind: 'observer' }
      : id === reluctant
        ? { kind: 'reluctant', factor: rng.range(2, 3) }
        : { kind: 'normal' }
  const config = randomConfig(rng, debug)
  const cluster = new SimCluster({
    rng: rng.fork(),
    hosts: ids.map((id) => ({ id, leadership: leadership(id) })),
    founders,
    config,
    tickMs: TICK_MS,
    instantDisk: rng.pick([1, 0.5, 0.2]),
    maxDiskMs: rng.pick([0.5, 3]),
  })
  const workload = new Workload(cluster, rng.fork(), {
    clients: rng.range(2, 5),
    keys: rng.range(1, 4),
    until: ACTIVE_MS,
    timeoutMs: rng.pick([150, 400, 800]),
    thinkMs: rng.pick([2, 10, 30]),
    readShare: 0.35,
    casShare: 0.4,
  })
  // Lease reads assume bounded pauses (see ReadMode), so paused servers are left out of lease runs.
  const kinds = FAULT_KINDS.filter((k) => config.readMode !== 'lease' || k !== 'pause').filter(() =>
    rng.chance(0.8),
  )
  const nemesis = new Nemesis(cluster, rng.fork(), {
    kinds,
    until: ACTIVE_MS - 300,
    meanGapMs: rng.pick([30, 80, 200]),
    baseline: randomBaseline(rng),
    minVoters: Math.min(3, nodes),
    maxVoters: Math.min(7, nodes),
    observers,
  })

  const violations = (): Violation[] => cluster.checker.violations
  const failed = () => violations().length > 0
  let crash: unknown = null
  try {
    cluster.runUntil(ACTIVE_MS, failed)
    nemesis.heal()
    const deadline = cluster.now + RECOVERY_MS
    cluster.runUntil(deadline, () => failed() || (recovered(cluster) && workload.pending === 0))
    if (!failed() && !recovered(cluster)) {
      violations().push({ invariant: 'liveness', detail: describeStall(cluster), at: cluster.now })
    }
  } catch (error) {
    crash = error
    violations().push({
      invariant: 'crash',
      detail: String((error as Error).stack ?? error),
      at: cluster.now,
    })
  }

  const history = workload.history()
  const check =
    crash === null
      ? checkKvHistory(history)
      : { outcome: 'unknown' as const, failedKeys: [], unknownKeys: [] }
  if (check.outcome === 'violation') {
    violations().push({
      invariant: 'linearizability',
      detail: `history of key(s) ${check.failedKeys.join(', ')} is not linearizable`,
      at: cluster.now,
    })
  }
  return {
    seed,
    nodes,
    ok: violations().length === 0,
    violations: violations(),
    steps: cluster.steps,
    faults: nemesis.total,
    faultsByKind: Object.fromEntries(nemesis.counts),
    opsChecked: history.length,
    opsUnknown: workload.stats.unknown,
    linearizability: check.outcome,
    elections: cluster.checker.elections,
    commitIndex: Math.max(...[...cluster.hosts.values()].map((h) => h.node?.commit ?? 0)),
    snapshotsInstalled: cluster.snapshotsInstalled,
    messages: {
      delivered: cluster.net.delivered,
      dropped: cluster.net.dropped,
      duplicated: cluster.net.duplicated,
    },
    virtualMs: Math.round(cluster.now),
    wallMs: Math.round(performance.now() - started),
    readMode: config.readMode ?? 'read-index',
    replay: replayCommand(seed, nodes, debug),
  }
}

/** A leader has committed an entry of its term and every member has applied up to its commit. */
function recovered(cluster: SimCluster): boolean {
  const leader = cluster.leaders()[0]
  const node = leader?.node
  if (node == null || node.termAt(node.commit) !== node.term) return false
  const { voters, learners } = node.membership
  for (const id of [...voters, ...learners]) {
    const host = cluster.host(id)
    if (host.node === null || host.applied < node.commit) return false
  }
  return true
}

function describeStall(cluster: SimCluster): string {
  const parts = [...cluster.hosts.values()].map((h) => {
    const s = h.node?.status()
    return s === undefined
      ? `${h.id}:down`
      : `${h.id}:${s.role}/t${s.term}/c${s.commit}/a${h.applied}/l${s.lastIndex}/v[${s.membership.voters.join(',')}]`
  })
  return `no recovery after healing: ${parts.join(' ')}`
}
