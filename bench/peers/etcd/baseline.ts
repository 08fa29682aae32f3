/**
 * The etcd peer baseline: a 3-member etcd-server cluster on loopback (cluster.ts), loaded from one
 * separate Node process with the `etcd3` client (load-client.ts).
 *
 * - writes: puts of `valueBytes` values at each concurrency, pointed at the leader only; rate over
 *   the measured window after a warm-up, p50/p99 per call;
 * - optionally the same at the highest concurrency over all endpoints (followers forward), and
 *   linearizable single-key reads;
 * - failover: SIGKILL the leader, then one put every 20 ms alternating between the survivors, each
 *   with a 2 s deadline; the time from the kill to the first success. The member is restarted and
 *   the cluster re-agrees on a leader between trials.
 *
 * Other benchmarks call `runEtcdBaseline` to put etcd next to their own rows in the same run.
 */
import { join } from 'node:path'
import type { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { wallNow } from '../../lib/clock.ts'
import { npmPackageVersion } from '../../lib/packages.ts'
import { type NodeChild, spawnNode } from '../../lib/processes.ts'
import { medianOfRuns, type ResultRow, round, row } from '../../lib/result.ts'
import { median } from '../../lib/stats.ts'
import { type EtcdCluster, startEtcdCluster } from './cluster.ts'
import type { LoadClientIn, LoadClientOut, LoadJob } from './protocol.ts'

export interface EtcdBaselineOptions {
  /** Stops the cluster and the load process when closed (they are also stopped before returning). */
  scope: Lifecycle
  log?: (line: string) => void
  /** `--heartbeat-interval` (100 ms, etcd's default). */
  heartbeatMs?: number
  /** `--election-timeout` (1000 ms, etcd's default); set it to the compared system's. */
  electionMs?: number
  /** Concurrent callers for the write runs ([1, 256]). */
  concurrencies?: readonly number[]
  /** Seconds of load before measuring (1). */
  warmupSeconds?: number
  /** Measured seconds per run (baseline: 10). */
  seconds?: number
  /** Also measure the highest concurrency with all endpoints (etcd3 picks one per call). */
  allEndpoints?: boolean
  /** Also measure linearizable single-key reads at the highest concurrency. */
  reads?: boolean
  /** Leader kill trials (baseline: 3; 0 skips). */
  failoverTrials?: number
  /** Keys cycle through this many names (10,000). */
  keySpace?: number
  /** Value size in bytes (128). */
  valueBytes?: number
  /** Repetitions of the load runs; rows are medians with every repetition in `runs` (baseline: 3). */
  reps?: number
  /** The `system` name of the rows ('etcd'). */
  system?: string
}

export interface EtcdBaseline {
  rows: ResultRow[]
  /** Versions of etcd, etcd3 and grpc-js, and the timing settings, for `params`. */
  facts: Record<string, string | number>
}

type LoadClient = NodeChild<LoadClientIn, LoadClientOut>
type Settings = Required<Omit<EtcdBaselineOptions, 'scope' | 'log' | 'heartbeatMs' | 'electionMs'>>

const PROCESS_START_MS = 30_000
const FAILOVER_PUT_INTERVAL_MS = 20
const FAILOVER_CALL_DEADLINE_MS = 2_000
const FAILOVER_GIVE_UP_MS = 30_000

/** One load run; rows `<kind>.c<N>[.all-endpoints]` (ops/s) and, for the leader endpoint, p50/p99. */
async function loadRun(
  client: LoadClient,
  cluster: EtcdCluster,
  settings: Settings,
  op: LoadJob['op'],
  concurrency: number,
  allEndpoints: boolean,
): Promise<{ rows: ResultRow[]; errors: number }> {
  const leader = await cluster.leader()
  const job: LoadJob = {
    type: 'load',
    endpoints: allEndpoints ? cluster.endpoints() : [leader.clientUrl],
    op,
    concurrency,
    warmupMs: settings.warmupSeconds * 1000,
    durationMs: settings.seconds * 1000,
    keySpace: settings.keySpace,
    valueBytes: settings.valueBytes,
  }
  client.send(job)
  const loaded = await client.receive('loaded', { timeout: job.warmupMs + job.durationMs + PROCESS_START_MS })
  const kind = op === 'put' ? 'writes' : 'reads'
  const metric = `${kind}.c${concurrency}${allEndpoints ? '.all-endpoints' : ''}`
  const rows = [
    row(settings.system, metric, Math.round((loaded.ops * 1000) / loaded.measuredMs), `${kind}/s`),
  ]
  if (loaded.latency !== null) {
    rows.push(row(settings.system, `${metric}.p50`, round(loaded.latency.p50, 4), 'ms'))
    rows.push(row(settings.system, `${metric}.p99`, round(loaded.latency.p99, 4), 'ms'))
  }
  return { rows, errors: loaded.errors }
}

/** One failover trial: ms from the leader's SIGKILL to the first successful put. */
async function failoverTrial(
  client: LoadClient,
  cluster: EtcdCluster,
  log: (line: string) => void,
): Promise<number> {
  const leader = await cluster.leader()
  const survivors = cluster.members.filter((m) => m !== leader).map((m) => m.clientUrl)
  client.send({
    type: 'failover-prepare',
    endpoints: survivors,
    intervalMs: FAILOVER_PUT_INTERVAL_MS,
    callDeadlineMs: FAILOVER_CALL_DEADLINE_MS,
    giveUpMs: FAILOVER_GIVE_UP_MS,
  })
  await client.receive('failover-ready', { timeout: PROCESS_START_MS })
  const killedAt = wallNow()
  const killing = cluster.kill(leader)
  client.send({ type: 'failover-go', killedAt })
  await killing
  const done = await client.receive('failover-done', { timeout: FAILOVER_GIVE_UP_MS + PROCESS_START_MS })
  const elapsed = done.firstSuccessAt - killedAt
  const sent = done.firstSuccessSentAt - killedAt
  log(
    `  first put to succeed was sent ${sent.toFixed(0)} ms after the kill and acknowledged at ${elapsed.toFixed(0)} ms (${done.attempts} sent, ${done.errors} failed)`,
  )
  await cluster.restart(leader)
  await cluster.leader()
  return elapsed
}

/** Runs the etcd baseline end to end and returns its rows. */
export async function runEtcdBaseline(options: EtcdBaselineOptions): Promise<EtcdBaseline> {
  const log = options.log ?? (() => undefined)
  const settings: Settings = {
    concurrencies: options.concurrencies ?? [1, 256],
    warmupSeconds: options.warmupSeconds ?? 1,
    seconds: options.seconds ?? 10,
    allEndpoints: options.allEndpoints ?? false,
    reads: options.reads ?? false,
    failoverTrials: options.failoverTrials ?? 3,
    keySpace: options.keySpace ?? 10_000,
    valueBytes: options.valueBytes ?? 128,
    reps: options.reps ?? 1,
    system: options.system ?? 'etcd',
  }
  const top = Math.max(...settings.concurrencies)
  const scope = options.scope.child()
  try {
    const cluster = await startEtcdCluster({
      scope,
      log,
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(options.electionMs === undefined ? {} : { electionMs: options.electionMs }),
    })
    const client = spawnNode<LoadClientIn, LoadClientOut>(join(import.meta.dirname, 'load-client.ts'), {
      name: 'etcd-load',
      scope,
    })
    const runs: { op: LoadJob['op']; concurrency: number; allEndpoints: boolean }[] = [
      ...settings.concurrencies.map((concurrency) => ({
        op: 'put' as const,
        concurrency,
        allEndpoints: false,
      })),
    ]
    if (settings.allEndpoints) runs.push({ op: 'put', concurrency: top, allEndpoints: true })
    if (settings.reads) runs.push({ op: 'range', concurrency: top, allEndpoints: false })
    if (settings.reads && settings.allEndpoints)
      runs.push({ op: 'range', concurrency: top, allEndpoints: true })

    const repetitions: ResultRow[][] = []
    for (let rep = 0; rep < settings.reps; rep++) {
      const rows: ResultRow[] = []
      let errors = 0
      for (const run of runs) {
        const where = run.allEndpoints ? 'all endpoints' : 'leader'
        log(
          `rep ${rep + 1}/${settings.reps}: ${run.op} c=${run.concurrency} (${where}), ${settings.seconds} s`,
        )
        const outcome = await loadRun(client, cluster, settings, run.op, run.concurrency, run.allEndpoints)
        rows.push(...outcome.rows)
        errors += outcome.errors
      }
      rows.push(row(settings.system, 'load.errors', errors, 'calls'))
      repetitions.push(rows)
    }
    const rows = medianOfRuns(repetitions)

    const trials: number[] = []
    for (let trial = 0; trial < settings.failoverTrials; trial++) {
      log(`failover trial ${trial + 1}/${settings.failoverTrials}: SIGKILL the leader`)
      trials.push(round(await failoverTrial(client, cluster, log), 1))
    }
    if (trials.length > 0) {
      rows.push({ ...row(settings.system, 'failover', median(trials), 'ms'), runs: trials })
    }
    return {
      rows,
      facts: {
        etcd: cluster.version,
        etcd3: await npmPackageVersion('etcd3'),
        grpcJs: await npmPackageVersion('@grpc/grpc-js'),
        heartbeatMs: cluster.heartbeatMs,
        electionMs: cluster.electionMs,
      },
    }
  } finally {
    await scope.close()
  }
}
