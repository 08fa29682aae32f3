/**
 * `npm run bench -- link`: the raw `Link` (framed msgpack over one libp2p stream) between two
 * processes, over QUIC and over TCP — the transport under Streams and Raft. Same datum, clock and
 * method as the NATS baseline (bench/README.md): ~100-byte msgpack datums, every one decoded and
 * checked by the receiver; throughput as fast as back-pressure allows; one-way latency at a fixed
 * rate.
 */
import { join } from 'node:path'
import { defineBenchmark } from '../lib/benchmark.ts'
import { spawnNode } from '../lib/processes.ts'
import type { ResultRow } from '../lib/result.ts'
import { median, rate } from '../lib/stats.ts'
import type { ReceiverIn, ReceiverOut, SenderIn, SenderOut, Transport } from './protocol.ts'

const HERE = import.meta.dirname

export default defineBenchmark({
  name: 'link',
  description:
    'mosaik Link between two processes on loopback, over QUIC and TCP: throughput of ~100-byte msgpack datums (each decoded by the receiver) and one-way latency p50/p99 at a fixed rate.',
  flags: {
    messages: { type: 'number', default: 1_000_000, description: 'datums per throughput run' },
    rate: { type: 'number', default: 5_000, description: 'latency run: datums per second' },
    seconds: { type: 'number', default: 3, integer: false, description: 'latency run length in seconds' },
    warmup: {
      type: 'number',
      default: 0.5,
      integer: false,
      description: 'latency run: leading seconds not sampled',
    },
    transports: { type: 'string', default: 'quic,tcp', description: 'comma-separated: quic, tcp' },
    reps: { type: 'number', default: 1, description: 'repetitions (rows are medians)' },
  },
  full: { seconds: 10, warmup: 1, reps: 3 },
  async run(flags, { scope, log }) {
    const receiver = spawnNode<ReceiverIn, ReceiverOut>(join(HERE, 'receiver.ts'), {
      name: 'receiver',
      scope,
    })
    const sender = spawnNode<SenderIn, SenderOut>(join(HERE, 'sender.ts'), { name: 'sender', scope })
    receiver.send({ type: 'listen' })
    const { addresses } = await receiver.receive('listening', { timeout: 30_000 })
    let runs = 0

    /** One run over `transport`: resolves with the receiver's report and the sender's start. */
    async function once(
      transport: Transport,
      job: Extract<SenderIn, { type: 'throughput' | 'paced' }>,
      warmup: number,
    ) {
      const run = `run-${++runs}`
      receiver.send({ type: 'expect', run, count: job.count, warmup })
      sender.send({ type: 'connect', address: addresses[transport], run })
      await sender.receive('connected', { timeout: 30_000 })
      sender.send(job)
      const sent = await sender.receive('sent', { timeout: 300_000 })
      const done = await receiver.receive('done', { timeout: 30_000 })
      return { done, sent }
    }

    const results: ResultRow[] = []
    const transports = flags.transports.split(',').map((t) => t.trim()) as Transport[]
    for (const transport of transports) {
      const throughput: number[] = []
      const p50: number[] = []
      const p99: number[] = []
      let lost = 0
      let reordered = 0
      for (let rep = 0; rep < flags.reps; rep++) {
        log(`${transport}: throughput, ${flags.messages} datums (rep ${rep + 1}/${flags.reps})`)
        const t = await once(transport, { type: 'throughput', count: flags.messages }, flags.messages)
        throughput.push(rate(t.done.received, t.sent.startedAt, t.done.lastAt))
        lost += flags.messages - t.done.received
        reordered += t.done.outOfOrder
        const count = Math.round(flags.rate * flags.seconds)
        log(`${transport}: latency, ${count} datums at ${flags.rate}/s`)
        const l = await once(
          transport,
          { type: 'paced', count, rate: flags.rate },
          Math.round(flags.rate * flags.warmup),
        )
        lost += count - l.done.received
        if (l.done.latency) {
          p50.push(l.done.latency.p50)
          p99.push(l.done.latency.p99)
        }
      }
      const system = `mosaik-link-${transport}`
      const row = (metric: string, values: number[], unit: string, digits = 0): ResultRow => {
        const round = (x: number) => Number(x.toFixed(digits))
        return {
          system,
          metric,
          value: round(median(values)),
          unit,
          ...(values.length > 1 ? { runs: values.map(round) } : {}),
        }
      }
      results.push(
        row('throughput', throughput, 'msgs/s'),
        row('latency.p50', p50, 'ms', 3),
        row('latency.p99', p99, 'ms', 3),
        { system, metric: 'lost', value: lost, unit: 'msgs' },
        { system, metric: 'reordered', value: reordered, unit: 'msgs' },
      )
    }
    return {
      results,
      notes: [
        'one stream per run; the sender uses trySend, then send() when the write buffer is full; the receiver decodes every datum',
        'compare with `npm run bench -- nats` from the same machine state: streams target ≥ NATS throughput',
      ],
    }
  },
})
