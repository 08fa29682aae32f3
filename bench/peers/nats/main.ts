/** `npm run bench -- nats`: the NATS peer baseline alone (see baseline.ts and bench/README.md). */
import { defineBenchmark } from '../../lib/benchmark.ts'
import { ratiosToReference } from '../reference.ts'
import { runNatsBaseline } from './baseline.ts'

export default defineBenchmark({
  name: 'nats',
  description:
    'nats-server on loopback, publisher and subscriber in two Node processes (nats client): throughput of ~100-byte msgpack datums, one-way latency p50/p99 at a fixed rate, request/reply RTT.',
  flags: {
    messages: { type: 'number', default: 1_000_000, description: 'datums per throughput run' },
    rate: { type: 'number', default: 5_000, description: 'latency run: datums per second' },
    seconds: {
      type: 'number',
      default: 3,
      integer: false,
      description: 'latency run length in seconds, warm-up included',
    },
    warmup: {
      type: 'number',
      default: 0.5,
      integer: false,
      description: 'latency run: leading seconds not sampled',
    },
    'rtt-requests': { type: 'number', default: 2_000, description: 'request/reply round trips (0 skips)' },
    reps: { type: 'number', default: 1, description: 'repetitions (rows are medians)' },
  },
  full: { seconds: 10, warmup: 1, 'rtt-requests': 10_000, reps: 3 },
  async run(flags, { scope, log }) {
    const { rows, facts } = await runNatsBaseline({
      scope,
      log,
      messages: flags.messages,
      latencyRate: flags.rate,
      latencySeconds: flags.seconds,
      warmupSeconds: flags.warmup,
      rttRequests: flags['rtt-requests'],
      reps: flags.reps,
    })
    return { results: rows, ratios: ratiosToReference(rows), facts }
  },
})
