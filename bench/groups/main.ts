/**
 * Groups: a 3-voter group in 3 processes on loopback, 128-byte commands, side by side with a
 * 3-member etcd cluster in the same run.
 *
 * For each storage mode (in-memory log: no fsync; WAL with fsync and group commit: etcd's
 * durability) the members start, agree on a leader and three voters, then the load runs in the
 * leader's process (the client next to the leader, as etcd's client is pointed at the leader):
 * closed-loop callers executing `put` (resolves after commit and local apply) at concurrency 1 and
 * 256. Failover: SIGKILL the leader, one write every 20 ms from each survivor, time from the kill to
 * the first acknowledged write sent after it; the member restarts from its WAL between trials.
 * etcd runs with the same heartbeat and election timeout as the group's `lan` profile.
 *
 * `npm run -s bench -- groups [--seconds N] [--failover-trials N] [--skip-etcd]`
 */
import { join } from 'node:path'
import { groupTiming } from '../../runtime/groups/profiles.ts'
import type { Lifecycle } from '../../runtime/primitives/lifecycle.ts'
import { defineBenchmark } from '../lib/benchmark.ts'
import { wallNow } from '../lib/clock.ts'
import { type NodeChild, spawnNode } from '../lib/processes.ts'
import { type ResultRow, ratiosAgainst, round, row } from '../lib/result.ts'
import { median } from '../lib/stats.ts'
import { scopedTempDir } from '../lib/tempdir.ts'
import { runEtcdBaseline } from '../peers/etcd/baseline.ts'
import type { MemberConfig, MemberIn, MemberOut, StorageMode } from './protocol.ts'

const SYSTEM = 'mosaik'
const START_MS = 60_000
const FAILOVER_INTERVAL_MS = 20
const FAILOVER_DEADLINE_MS = 2_000
const FAILOVER_GIVE_UP_MS = 30_000

type Member = NodeChild<MemberIn, MemberOut> & {
  config: MemberConfig
  peerId: string
  addresses: string[]
  commandBytes: number
}

interface Flags {
  seconds: number
  warmup: number
  concurrency: number
  'value-bytes': number
  'failover-trials': number
  'skip-etcd': boolean
}

/** Metric suffix of a storage mode; the fsync mode carries no suffix (etcd's durability). */
const SUFFIX: Record<StorageMode, string> = { memory: '.nofsync', wal: '.wal-nofsync', 'wal-fsync': '' }

async function startMember(scope: Lifecycle, config: MemberConfig, name: string): Promise<Member> {
  const child = spawnNode<MemberIn, MemberOut>(join(import.meta.dirname, 'member.ts'), { name, scope })
  child.send({ type: 'start', config })
  const started = await child.receive('started', { timeout: START_MS })
  const { peerId, addresses, commandBytes } = started
  return Object.assign(child, { config, peerId, addresses, commandBytes })
}

async function statuses(members: readonly Member[]) {
  return Promise.all(
    members.map(async (m) => {
      m.send({ type: 'status' })
      return { member: m, status: await m.receive('status', { timeout: START_MS }) }
    }),
  )
}

/** Waits until the members agree on a leader and there are three voters; returns the leader. */
async function settled(members: readonly Member[]): Promise<Member> {
  const deadline = Date.now() + START_MS
  for (;;) {
    const all = await statuses(members)
    const leader = all.find((s) => s.status.isLeader)
    if (leader && all.every((s) => s.status.voters === 3 && s.status.leader === leader.member.peerId)) {
      return leader.member
    }
    if (Date.now() > deadline)
      throw new Error(`group did not settle: ${JSON.stringify(all.map((s) => s.status))}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function failoverTrial(
  scope: Lifecycle,
  members: Member[],
  log: (line: string) => void,
): Promise<number> {
  const leader = await settled(members)
  const survivors = members.filter((m) => m !== leader)
  for (const s of survivors) {
    s.send({
      type: 'failover-writes',
      intervalMs: FAILOVER_INTERVAL_MS,
      deadlineMs: FAILOVER_DEADLINE_MS,
      giveUpMs: FAILOVER_GIVE_UP_MS,
    })
  }
  await Promise.all(survivors.map((s) => s.receive('failover-ready', { timeout: START_MS })))
  const killedAt = wallNow()
  await leader.kill('SIGKILL')
  for (const s of survivors) s.send({ type: 'failover-go', killedAt })
  const done = await Promise.all(survivors.map((s) => s.receive('failover-done', { timeout: START_MS })))
  const firsts = done.flatMap((d) => (d.at === null ? [] : [d]))
  if (firsts.length === 0) throw new Error('no write succeeded after the leader was killed')
  const first = firsts.reduce((a, b) => ((a.at as number) <= (b.at as number) ? a : b))
  const elapsed = (first.at as number) - killedAt
  log(
    `  first write acknowledged ${elapsed.toFixed(0)} ms after the kill (sent at ${((first.sentAt as number) - killedAt).toFixed(0)} ms)`,
  )
  // The killed member restarts from its WAL with its identity, finding the group through the survivors.
  const index = members.indexOf(leader)
  const bootstrap = survivors.flatMap((s) => s.addresses)
  members[index] = await startMember(scope, { ...leader.config, bootstrap }, `${leader.config.key}-restarted`)
  return elapsed
}

async function runMode(
  scope: Lifecycle,
  mode: StorageMode,
  flags: Flags,
  log: (line: string) => void,
): Promise<{ rows: ResultRow[]; commandBytes: number }> {
  const run = scope.child()
  try {
    const network = `bench-groups-${mode}-${process.pid}-${Date.now()}`
    const base = await scopedTempDir(run, 'mosaik-bench-groups-')
    const config = (i: number, bootstrap: string[]): MemberConfig => ({
      network,
      key: `${network}-member-${i}`,
      bootstrap,
      storage: mode,
      dir: join(base, `m${i}`),
      valueBytes: flags['value-bytes'],
    })
    const first = await startMember(run, config(0, []), `${mode}-m0`)
    const members = [
      first,
      ...(await Promise.all(
        [1, 2].map((i) => startMember(run, config(i, first.addresses), `${mode}-m${i}`)),
      )),
    ]
    const leader = await settled(members)
    const rows: ResultRow[] = []
    const suffix = SUFFIX[mode]
    for (const concurrency of [1, flags.concurrency]) {
      log(`${mode}: c=${concurrency}, ${flags.seconds} s`)
      leader.send({
        type: 'load',
        concurrency,
        warmupMs: flags.warmup * 1000,
        durationMs: flags.seconds * 1000,
      })
      const loaded = await leader.receive('loaded', {
        timeout: START_MS + (flags.warmup + flags.seconds) * 1000,
      })
      const metric = `writes.c${concurrency}${suffix}`
      rows.push(row(SYSTEM, metric, Math.round((loaded.ops * 1000) / loaded.measuredMs), 'writes/s'))
      if (loaded.latency !== null) {
        rows.push(row(SYSTEM, `${metric}.p50`, round(loaded.latency.p50, 4), 'ms'))
        rows.push(row(SYSTEM, `${metric}.p99`, round(loaded.latency.p99, 4), 'ms'))
      }
      rows.push(row(SYSTEM, `${metric}.leader-cpu`, round(loaded.cpuMs / loaded.measuredMs, 3), 'cores'))
      if (loaded.errors > 0) rows.push(row(SYSTEM, `${metric}.errors`, loaded.errors, 'calls'))
    }
    if (mode === 'wal-fsync') {
      const trials: number[] = []
      for (let trial = 0; trial < flags['failover-trials']; trial++) {
        log(`failover trial ${trial + 1}/${flags['failover-trials']}: SIGKILL the leader`)
        trials.push(round(await failoverTrial(run, members, log), 1))
      }
      if (trials.length > 0) rows.push({ ...row(SYSTEM, 'failover', median(trials), 'ms'), runs: trials })
    }
    return { rows, commandBytes: first.commandBytes }
  } finally {
    await run.close()
  }
}

export default defineBenchmark({
  name: 'groups',
  description:
    'Raft groups: 3 voters in 3 processes, commits/s and latency with and without fsync, failover; etcd side by side',
  flags: {
    seconds: { type: 'number', default: 3, description: 'measured seconds per load run' },
    warmup: { type: 'number', default: 1, description: 'warm-up seconds before each load run' },
    concurrency: {
      type: 'number',
      default: 256,
      integer: true,
      description: 'concurrent callers of the busy run',
    },
    'value-bytes': {
      type: 'number',
      default: 100,
      integer: true,
      description: 'value length (the command is ~128 bytes)',
    },
    'failover-trials': { type: 'number', default: 1, integer: true, description: 'leader kills (0 skips)' },
    'skip-etcd': { type: 'boolean', description: 'do not run the etcd baseline' },
  },
  full: { seconds: 10, 'failover-trials': 3 },
  async run(flags, { scope, log }) {
    const rows: ResultRow[] = []
    let commandBytes = 0
    for (const mode of ['memory', 'wal-fsync'] as const) {
      const result = await runMode(scope, mode, flags, log)
      rows.push(...result.rows)
      commandBytes = result.commandBytes
    }
    const timing = groupTiming('lan')
    const facts: Record<string, unknown> = {
      commandBytes,
      heartbeatMs: timing.heartbeatTicks * timing.tickMs,
      electionMs: timing.electionTicks * timing.tickMs,
    }
    if (!flags['skip-etcd']) {
      log('etcd baseline')
      const etcd = await runEtcdBaseline({
        scope,
        log,
        heartbeatMs: timing.heartbeatTicks * timing.tickMs,
        electionMs: timing.electionTicks * timing.tickMs,
        concurrencies: [1, flags.concurrency],
        warmupSeconds: flags.warmup,
        seconds: flags.seconds,
        failoverTrials: flags['failover-trials'],
        valueBytes: 128,
      })
      rows.push(...etcd.rows)
      Object.assign(facts, etcd.facts)
    }
    return {
      results: rows,
      ratios: ratiosAgainst(rows, SYSTEM, 'etcd'),
      facts,
      notes: [
        'mosaik load runs in the leader process (client next to the leader); etcd load runs in one separate client process pointed at the leader.',
        'writes.* rows without a suffix use the WAL with fsync and group commit (etcd durability); .nofsync rows keep the log in memory.',
        'etcd runs with the same heartbeat and election timeout as the lan profile (each follower times out after [1, 2) × the election timeout).',
      ],
    }
  },
})
