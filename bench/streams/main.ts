/**
 * `npm run -s bench -- streams`: mosaik streams against the transport's ceiling (a raw libp2p
 * stream) and against NATS, two processes on loopback, ~100-byte datums, in one run.
 *
 * For each system: a throughput run (`messages` datums as fast as back-pressure allows; rate =
 * received ÷ (receiver's last receive − sender's start); loss and reordering checked) and a paced
 * latency run (`latencyRate`/s, the first `warmupSeconds` not sampled; one-way = receiver clock −
 * the sender's timestamp in the datum). mosaik datums go through the generated client: validated
 * against the schema before sending and after receiving, batched into frames, credit flow control
 * (`block` policy). The raw stream only frames and unpacks.
 */
import { join } from 'node:path'
import { InvalidInputError, isMosaikError } from '../../runtime/primitives/errors.ts'
import type { Lifecycle } from '../../runtime/primitives/lifecycle.ts'
import { defineBenchmark } from '../lib/benchmark.ts'
import { spawnNode } from '../lib/processes.ts'
import { medianOfRuns, type ResultRow, ratiosAgainst, round, row } from '../lib/result.ts'
import { rate } from '../lib/stats.ts'
import { runNatsBaseline } from '../peers/nats/baseline.ts'
import { rawTransport, SETUP_MS } from './nodes.ts'
import type { NodeSettings, ReceiverIn, ReceiverOut, SenderIn, SenderOut } from './protocol.ts'

const here = import.meta.dirname
/** How long the receiver may trail the sender's last datum before the run reports loss. */
const DRAIN_MS = 10_000

interface Pair {
  sender: ReturnType<typeof spawnNode<SenderIn, SenderOut>>
  receiver: ReturnType<typeof spawnNode<ReceiverIn, ReceiverOut>>
}

/** Starts the sender and receiver processes of `system` and connects them. */
async function startPair(system: 'mosaik' | 'raw', settings: NodeSettings, scope: Lifecycle): Promise<Pair> {
  const sender = spawnNode<SenderIn, SenderOut>(join(here, `${system}-sender.ts`), {
    name: `${system}-sender`,
    scope,
  })
  const receiver = spawnNode<ReceiverIn, ReceiverOut>(join(here, `${system}-receiver.ts`), {
    name: `${system}-receiver`,
    scope,
  })
  sender.send({ type: 'listen', settings })
  const { network, addresses } = await sender.receive('listening', { timeout: SETUP_MS })
  sender.send({ type: 'await-receiver' })
  receiver.send({ type: 'connect', settings, network, addresses })
  await receiver.receive('connected', { timeout: SETUP_MS })
  await sender.receive('receiver-ready', { timeout: SETUP_MS })
  return { sender, receiver }
}

/** One run: the receiver expects `count` datums, the sender sends them; both reports. */
async function run(pair: Pair, job: Extract<SenderIn, { type: 'throughput' | 'paced' }>, warmup: number) {
  pair.receiver.send({ type: 'expect', expected: job.count, warmup })
  await pair.receiver.receive('expecting', { timeout: SETUP_MS })
  pair.sender.send(job)
  const budget =
    job.type === 'paced' ? (job.count / job.rate) * 1000 + SETUP_MS : Math.max(30_000, job.count / 10)
  const published = await pair.sender.receive('published', { timeout: budget })
  try {
    return { published, done: await pair.receiver.receive('done', { timeout: DRAIN_MS }) }
  } catch (err) {
    if (!isMosaikError(err, 'ERR_TIMEOUT')) throw err
    pair.receiver.send({ type: 'report' })
    return { published, done: await pair.receiver.receive('done', { timeout: SETUP_MS }) }
  }
}

interface Measure {
  messages: number
  latencyRate: number
  latencySeconds: number
  warmupSeconds: number
}

async function measureSystem(pair: Pair, system: string, m: Measure): Promise<ResultRow[]> {
  const tp = await run(pair, { type: 'throughput', count: m.messages }, 0)
  const rows = [
    row(
      system,
      'throughput',
      Math.round(rate(tp.done.received, tp.published.startedAt, tp.done.lastReceiveAt)),
      'msgs/s',
    ),
    row(system, 'lost', m.messages - tp.done.received, 'msgs'),
    row(system, 'reordered', tp.done.outOfOrder, 'msgs'),
  ]
  if (tp.done.latency !== null) rows.push(row(system, 'saturated.p50', round(tp.done.latency.p50, 4), 'ms'))
  // CPU per datum on each side: what bounds throughput once each process has a core to itself.
  const perDatum = (cpuMs: number) => round((cpuMs * 1000) / Math.max(1, tp.done.received), 3)
  rows.push(
    row(system, 'cpu.sender', perDatum(tp.published.cpuMs), 'µs/datum'),
    row(system, 'cpu.receiver', perDatum(tp.done.cpuMs), 'µs/datum'),
  )
  const count = Math.round(m.latencyRate * m.latencySeconds)
  const warmup = Math.round(m.latencyRate * m.warmupSeconds)
  const lat = await run(pair, { type: 'paced', count, rate: m.latencyRate }, warmup)
  if (lat.done.latency === null) throw new Error(`${system} latency run sampled nothing`)
  rows.push(
    row(system, 'latency.p50', round(lat.done.latency.p50, 4), 'ms'),
    row(system, 'latency.p99', round(lat.done.latency.p99, 4), 'ms'),
    row(system, 'latency.lost', count - lat.done.received, 'msgs'),
  )
  return rows
}

export default defineBenchmark({
  name: 'streams',
  description: 'mosaik streams vs a raw libp2p stream vs NATS: ~100-byte datums, two processes on loopback',
  flags: {
    messages: { type: 'number', default: 300_000, description: 'datums per throughput run' },
    'latency-rate': { type: 'number', default: 5_000, description: 'datums per second in the latency run' },
    'latency-seconds': {
      type: 'number',
      default: 3,
      description: 'length of the latency run',
      integer: false,
    },
    'warmup-seconds': {
      type: 'number',
      default: 0.5,
      description: 'leading seconds not sampled',
      integer: false,
    },
    'buffer-size': {
      type: 'number',
      default: 1024,
      description: 'mosaik producer buffer and consumer window',
    },
    transport: {
      type: 'string',
      default: 'both',
      description:
        "both (mosaik's default: listens on QUIC and TCP, data over TCP; raw stream over TCP), quic or tcp (pins both systems)",
    },
    reps: { type: 'number', default: 1, description: 'repetitions (rows are medians)' },
    peers: {
      type: 'string',
      default: 'raw,nats',
      description: 'comparisons to run: raw, nats (comma-separated)',
    },
  },
  full: { messages: 1_000_000, 'latency-seconds': 10, 'warmup-seconds': 1, reps: 3 },
  async run(flags, { scope, log }) {
    if (!['both', 'quic', 'tcp'].includes(flags.transport)) {
      throw new InvalidInputError(`--transport must be both, quic or tcp, got ${flags.transport}`)
    }
    const settings: NodeSettings = {
      transport: flags.transport as NodeSettings['transport'],
      bufferSize: flags['buffer-size'],
    }
    const transport = rawTransport(settings.transport)
    const m: Measure = {
      messages: flags.messages,
      latencyRate: flags['latency-rate'],
      latencySeconds: flags['latency-seconds'],
      warmupSeconds: flags['warmup-seconds'],
    }
    const peers = new Set(flags.peers.split(',').map((p) => p.trim()))
    const repetitions: ResultRow[][] = []
    for (let rep = 0; rep < flags.reps; rep++) {
      const rows: ResultRow[] = []
      for (const [system, name] of [
        ['mosaik', 'mosaik'],
        ['raw', `libp2p-${transport}`],
      ] as const) {
        if (system === 'raw' && !peers.has('raw')) continue
        log(`rep ${rep + 1}/${flags.reps}: ${name}`)
        const pairScope = scope.child()
        try {
          rows.push(...(await measureSystem(await startPair(system, settings, pairScope), name, m)))
        } finally {
          await pairScope.close()
        }
      }
      repetitions.push(rows)
    }
    const results = medianOfRuns(repetitions)
    let facts: Record<string, unknown> = {}
    if (peers.has('nats')) {
      log('nats baseline')
      const nats = await runNatsBaseline({
        scope,
        log,
        messages: m.messages,
        latencyRate: m.latencyRate,
        latencySeconds: m.latencySeconds,
        warmupSeconds: m.warmupSeconds,
        rttRequests: 0,
        reps: flags.reps,
      })
      results.push(...nats.rows)
      facts = nats.facts
    }
    return {
      results,
      ratios: {
        ...ratiosAgainst(results, 'mosaik', 'nats'),
        ...ratiosAgainst(results, 'mosaik', `libp2p-${transport}`),
      },
      facts,
      notes: [
        'mosaik: generated ticks client, schema validation on send and receive, block policy, credit flow control',
        `raw: one libp2p ${transport} stream, ${64} frames per send(), strict drain back-pressure, msgpack unpack per frame`,
      ],
    }
  },
})
