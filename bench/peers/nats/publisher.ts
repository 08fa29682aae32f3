/**
 * NATS publisher process. Throughput runs publish as fast as flush-based back-pressure allows
 * (publish `flushEvery` datums, then wait for the previous flush's PING/PONG, so at most one flush
 * is outstanding); paced runs publish what is due on each ~1 ms tick; RTT runs time closed-loop
 * requests with hrtime inside this process.
 */
import { connect, type NatsConnection } from 'nats'
import { runChild } from '../../lib/child.ts'
import { pace, wallNow } from '../../lib/clock.ts'
import { LatencyRecorder } from '../../lib/latency.ts'
import { encodeDatum } from '../../lib/payload.ts'
import { summarize } from '../../lib/stats.ts'
import type { PublisherIn, PublisherOut } from './protocol.ts'

async function publishFlat(
  nc: NatsConnection,
  subject: string,
  count: number,
  flushEvery: number,
): Promise<void> {
  let inFlight: Promise<void> | undefined
  let seq = 0
  while (seq < count) {
    const end = Math.min(count, seq + flushEvery)
    for (; seq < end; seq++) nc.publish(subject, encodeDatum(seq))
    if (inFlight !== undefined) await inFlight
    inFlight = nc.flush()
  }
  await inFlight
}

async function timeRequests(nc: NatsConnection, subject: string, count: number): Promise<LatencyRecorder> {
  const recorder = new LatencyRecorder(count)
  for (let seq = 0; seq < count; seq++) {
    const payload = encodeDatum(seq)
    const start = process.hrtime.bigint()
    await nc.request(subject, payload, { timeout: 5_000 })
    recorder.record(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return recorder
}

runChild<PublisherIn, PublisherOut>(async (parent) => {
  const { server } = await parent.receive('connect')
  const nc = await connect({ servers: server })
  parent.scope.defer(() => nc.close())
  parent.send({ type: 'connected' })
  for (;;) {
    const job = await parent.receive(['throughput', 'paced', 'rtt'])
    if (job.type === 'rtt') {
      const recorder = await timeRequests(nc, job.subject, job.count)
      parent.send({ type: 'rtt-done', rtt: summarize(recorder.samples()) })
      continue
    }
    let startedAt: number
    if (job.type === 'throughput') {
      startedAt = wallNow()
      await publishFlat(nc, job.subject, job.count, job.flushEvery)
    } else {
      let seq = 0
      const sendDue = (due: number): void => {
        for (const end = seq + due; seq < end; seq++) nc.publish(job.subject, encodeDatum(seq))
      }
      ;({ startedAt } = await pace({ rate: job.rate, count: job.count, send: sendDue }))
      await nc.flush()
    }
    parent.send({ type: 'published', count: job.count, startedAt, endedAt: wallNow() })
  }
})
