/**
 * The NATS peer baseline: nats-server on loopback, publisher and subscriber as two separate Node
 * processes with the `nats` client, ~100-byte msgpack datums unpacked on receipt.
 *
 * - throughput: `messages` datums with flush-based back-pressure; received ÷ (subscriber's last
 *   receive − publisher's start), plus loss and the one-way p50 while saturated;
 * - latency: paced at `latencyRate`/s for `latencySeconds`, the first `warmupSeconds` dropped;
 * - rtt: closed-loop request/reply, a cross-check of the one-way clock (one-way ≈ RTT/2).
 *
 * Other benchmarks call `runNatsBaseline` to put NATS next to their own rows in the same run.
 */
import { join } from 'node:path'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import type { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { npmPackageVersion } from '../../lib/packages.ts'
import { type NodeChild, spawnNode } from '../../lib/processes.ts'
import { medianOfRuns, type ResultRow, round, row } from '../../lib/result.ts'
import { rate } from '../../lib/stats.ts'
import type { PublisherIn, PublisherOut, SubscriberIn, SubscriberOut } from './protocol.ts'
import { startNatsServer } from './server.ts'

export interface NatsBaselineOptions {
  /** Stops the server and both processes when closed (they are also stopped before returning). */
  scope: Lifecycle
  log?: (line: string) => void
  /** Datums in a throughput run (1,000,000 in the baseline methodology). */
  messages?: number
  /** Publisher flushes after this many datums, with at most one flush outstanding (1,000). */
  flushEvery?: number
  /** Paced latency run: datums per second (5,000). */
  latencyRate?: number
  /** Paced latency run length in seconds, warm-up included (baseline: 10). */
  latencySeconds?: number
  /** Leading seconds of the latency run not sampled (baseline: 1). */
  warmupSeconds?: number
  /** Closed-loop request/reply round trips (baseline: 10,000; 0 skips the cross-check). */
  rttRequests?: number
  /** Repetitions; each row is the median, with every repetition in `runs` (baseline: 3). */
  reps?: number
  /** The `system` name of the rows ('nats'). */
  system?: string
}

export interface NatsBaseline {
  rows: ResultRow[]
  /** Versions of nats-server and the nats client, for `params`. */
  facts: Record<string, string>
}

type Subscriber = NodeChild<SubscriberIn, SubscriberOut>
type Publisher = NodeChild<PublisherIn, PublisherOut>
type Settings = Required<Omit<NatsBaselineOptions, 'scope' | 'log'>>
type PublishJob = Extract<PublisherIn, { type: 'throughput' | 'paced' }>
type Done = Extract<SubscriberOut, { type: 'done' }>

/** The server and the two processes of one baseline call. */
interface Session {
  server: string
  publisher: Publisher
  subscriber: Subscriber
  settings: Settings
}

const here = import.meta.dirname
const PROCESS_START_MS = 30_000
/** How long the subscriber may trail the publisher's last datum before the run reports loss. */
const DRAIN_MS = 10_000

/** Waits for the subscriber's `done`; past the deadline, asks it to report what it has (loss). */
async function awaitDone(subscriber: Subscriber, subject: string, timeoutMs: number): Promise<Done> {
  try {
    return await subscriber.receive('done', { timeout: timeoutMs })
  } catch (err) {
    if (!isMosaikError(err, 'ERR_TIMEOUT')) throw err
    subscriber.send({ type: 'report', subject })
    return await subscriber.receive('done', { timeout: PROCESS_START_MS })
  }
}

/** Subscribes, has the publisher run `job`, and returns both sides' reports. */
async function publishAndReceive(
  session: Session,
  job: PublishJob,
  warmup: number,
  publishBudgetMs: number,
): Promise<{ published: Extract<PublisherOut, { type: 'published' }>; done: Done }> {
  const { subscriber, publisher, server } = session
  subscriber.send({ type: 'subscribe', server, subject: job.subject, expected: job.count, warmup })
  await subscriber.receive('subscribed', { timeout: PROCESS_START_MS })
  publisher.send(job)
  const published = await publisher.receive('published', { timeout: publishBudgetMs })
  return { published, done: await awaitDone(subscriber, job.subject, DRAIN_MS) }
}

async function throughputRun(session: Session, subject: string): Promise<ResultRow[]> {
  const { messages, flushEvery, system } = session.settings
  const job: PublishJob = { type: 'throughput', subject, count: messages, flushEvery }
  // Generous: even at 20k msgs/s the run finishes in time; a stall shows up as loss, not a hang.
  const { published, done } = await publishAndReceive(session, job, 0, Math.max(20_000, messages / 20))
  const throughput = Math.round(rate(done.received, published.startedAt, done.lastReceiveAt))
  const rows = [
    row(system, 'throughput', throughput, 'msgs/s'),
    row(system, 'lost', messages - done.received, 'msgs'),
    row(system, 'reordered', done.outOfOrder, 'msgs'),
  ]
  if (done.latency !== null) rows.push(row(system, 'saturated.p50', round(done.latency.p50, 4), 'ms'))
  return rows
}

async function latencyRun(session: Session, subject: string): Promise<ResultRow[]> {
  const { latencyRate, latencySeconds, warmupSeconds, system } = session.settings
  const count = Math.round(latencyRate * latencySeconds)
  const job: PublishJob = { type: 'paced', subject, count, rate: latencyRate }
  const warmup = Math.round(latencyRate * warmupSeconds)
  const { done } = await publishAndReceive(session, job, warmup, latencySeconds * 1000 + PROCESS_START_MS)
  if (done.latency === null) throw new Error('NATS latency run sampled nothing')
  return [
    row(system, 'latency.p50', round(done.latency.p50, 4), 'ms'),
    row(system, 'latency.p99', round(done.latency.p99, 4), 'ms'),
    row(system, 'latency.samples', done.latency.n, 'samples'),
    row(system, 'latency.lost', count - done.received, 'msgs'),
  ]
}

async function rttRun(session: Session, subject: string): Promise<ResultRow[]> {
  const { subscriber, publisher, server, settings } = session
  subscriber.send({ type: 'respond', server, subject })
  await subscriber.receive('responding', { timeout: PROCESS_START_MS })
  publisher.send({ type: 'rtt', subject, count: settings.rttRequests })
  const { rtt } = await publisher.receive('rtt-done', {
    timeout: settings.rttRequests * 50 + PROCESS_START_MS,
  })
  return [
    row(settings.system, 'rtt.p50', round(rtt.p50, 4), 'ms'),
    row(settings.system, 'rtt.p99', round(rtt.p99, 4), 'ms'),
  ]
}

/** Runs the NATS baseline end to end and returns its rows (medians over `reps`). */
export async function runNatsBaseline(options: NatsBaselineOptions): Promise<NatsBaseline> {
  const log = options.log ?? (() => undefined)
  const settings: Settings = {
    messages: options.messages ?? 1_000_000,
    flushEvery: options.flushEvery ?? 1_000,
    latencyRate: options.latencyRate ?? 5_000,
    latencySeconds: options.latencySeconds ?? 10,
    warmupSeconds: options.warmupSeconds ?? 1,
    rttRequests: options.rttRequests ?? 10_000,
    reps: options.reps ?? 1,
    system: options.system ?? 'nats',
  }
  const scope = options.scope.child()
  try {
    const server = await startNatsServer(scope)
    log(`nats-server ${server.version} on ${server.url}`)
    const subscriber = spawnNode<SubscriberIn, SubscriberOut>(join(here, 'subscriber.ts'), {
      name: 'nats-subscriber',
      scope,
    })
    const publisher = spawnNode<PublisherIn, PublisherOut>(join(here, 'publisher.ts'), {
      name: 'nats-publisher',
      scope,
    })
    publisher.send({ type: 'connect', server: server.url })
    await publisher.receive('connected', { timeout: PROCESS_START_MS })
    const session: Session = { server: server.url, publisher, subscriber, settings }
    const repetitions: ResultRow[][] = []
    for (let rep = 0; rep < settings.reps; rep++) {
      const rows: ResultRow[] = []
      log(`rep ${rep + 1}/${settings.reps}: throughput, ${settings.messages} datums`)
      rows.push(...(await throughputRun(session, `bench.tp.${rep}`)))
      log(
        `rep ${rep + 1}/${settings.reps}: latency, ${settings.latencyRate}/s for ${settings.latencySeconds} s`,
      )
      rows.push(...(await latencyRun(session, `bench.lat.${rep}`)))
      if (settings.rttRequests > 0) {
        log(`rep ${rep + 1}/${settings.reps}: request/reply, ${settings.rttRequests} round trips`)
        rows.push(...(await rttRun(session, `bench.rtt.${rep}`)))
      }
      repetitions.push(rows)
    }
    return {
      rows: medianOfRuns(repetitions),
      facts: { natsServer: server.version, natsClient: await npmPackageVersion('nats') },
    }
  } finally {
    await scope.close()
  }
}
