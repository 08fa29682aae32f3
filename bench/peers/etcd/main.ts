/** `npm run bench -- etcd`: the etcd peer baseline alone (see baseline.ts and bench/README.md). */
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'
import { defineBenchmark } from '../../lib/benchmark.ts'
import { ratiosToReference } from '../reference.ts'
import { runEtcdBaseline } from './baseline.ts'

export default defineBenchmark({
  name: 'etcd',
  description:
    '3-member etcd-server cluster on loopback, loaded by one Node process (etcd3 client): puts of 128-byte values at concurrency 1 and 256 (rate, p50, p99), leader failover (SIGKILL → first successful put).',
  flags: {
    seconds: { type: 'number', default: 3, integer: false, description: 'measured seconds per load run' },
    warmup: { type: 'number', default: 1, integer: false, description: 'seconds of load before measuring' },
    concurrency: {
      type: 'string',
      default: '1,256',
      description: 'comma-separated concurrent callers for writes',
    },
    'all-endpoints': { type: 'boolean', description: 'also load all 3 endpoints at the top concurrency' },
    reads: {
      type: 'boolean',
      description: 'also measure linearizable single-key reads at the top concurrency',
    },
    'failover-trials': { type: 'number', default: 1, description: 'leader kill trials (0 skips)' },
    'election-ms': { type: 'number', default: 1_000, description: 'etcd --election-timeout' },
    'heartbeat-ms': { type: 'number', default: 100, description: 'etcd --heartbeat-interval' },
    reps: { type: 'number', default: 1, description: 'repetitions of the load runs (rows are medians)' },
  },
  full: { seconds: 10, 'all-endpoints': true, reads: true, 'failover-trials': 3, reps: 3 },
  async run(flags, { scope, log }) {
    const { rows, facts } = await runEtcdBaseline({
      scope,
      log,
      seconds: flags.seconds,
      warmupSeconds: flags.warmup,
      concurrencies: parseConcurrencies(flags.concurrency),
      allEndpoints: flags['all-endpoints'],
      reads: flags.reads,
      failoverTrials: flags['failover-trials'],
      electionMs: flags['election-ms'],
      heartbeatMs: flags['heartbeat-ms'],
      reps: flags.reps,
    })
    return { results: rows, ratios: ratiosToReference(rows), facts }
  },
})

function parseConcurrencies(list: string): number[] {
  const values = list.split(',').map((part) => Number(part.trim()))
  if (values.length === 0 || !values.every((n) => Number.isSafeInteger(n) && n > 0)) {
    throw new InvalidInputError(`--concurrency expects positive integers separated by commas, got '${list}'`)
  }
  return values
}
