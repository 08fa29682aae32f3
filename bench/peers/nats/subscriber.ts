/**
 * NATS subscriber process: one callback subscription per run that unpacks every datum, counts
 * deliveries and order, and samples one-way latency. Driven by the orchestrator (protocol.ts).
 */
import { connect, type NatsConnection, type Subscription } from 'nats'
import { type ParentChannel, runChild } from '../../lib/child.ts'
import { DeliveryCounter } from '../../lib/delivery.ts'
import { decodeDatum } from '../../lib/payload.ts'
import type { SubscriberIn, SubscriberOut } from './protocol.ts'

type Parent = ParentChannel<SubscriberIn, SubscriberOut>
type MeasureRun = Extract<SubscriberIn, { type: 'subscribe' }>

/** One connection per server URL, closed when the process stops. */
function connectionCache(parent: Parent): (server: string) => Promise<NatsConnection> {
  const connections = new Map<string, NatsConnection>()
  parent.scope.defer(async () => {
    for (const nc of connections.values()) await nc.close()
  })
  return async (server) => {
    let nc = connections.get(server)
    if (nc === undefined) {
      nc = await connect({ servers: server })
      connections.set(server, nc)
    }
    return nc
  }
}

/** Receives one run's datums; resolves after reporting `done` (all arrived, or asked to report). */
async function measure(parent: Parent, nc: NatsConnection, run: MeasureRun): Promise<void> {
  const counter = new DeliveryCounter(run.expected, run.warmup)
  const finished = Promise.withResolvers<void>()
  const stopWaiting = new AbortController()
  let subscription: Subscription | undefined
  const report = (): void => {
    if (stopWaiting.signal.aborted) return
    stopWaiting.abort()
    subscription?.unsubscribe()
    parent.send({
      type: 'done',
      received: counter.received,
      firstReceiveAt: counter.firstAt,
      lastReceiveAt: counter.lastAt,
      outOfOrder: counter.outOfOrder,
      latency: counter.latency(),
    })
    finished.resolve()
  }
  subscription = nc.subscribe(run.subject, {
    callback: (err, msg) => {
      try {
        if (err !== null) throw err
        const datum = decodeDatum(msg.data)
        counter.record(datum.seq, datum.ts)
        if (counter.received === run.expected) report()
      } catch (failure) {
        parent.fail(failure)
      }
    },
  })
  // The server has our SUB once this PING/PONG returns, so no datum can be missed.
  await nc.flush()
  parent.send({ type: 'subscribed' })
  void reportWhenAsked(parent, run.subject, stopWaiting.signal).then(report, () => undefined)
  await finished.promise
}

/** Resolves on a `report` for this run; one meant for an earlier run (a late timeout) is ignored. */
async function reportWhenAsked(parent: Parent, subject: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    const request = await parent.receive('report', { signal })
    if (request.subject === subject) return
  }
}

runChild<SubscriberIn, SubscriberOut>(async (parent) => {
  const connectTo = connectionCache(parent)
  for (;;) {
    const next = await parent.receive(['subscribe', 'respond'])
    const nc = await connectTo(next.server)
    if (next.type === 'subscribe') {
      await measure(parent, nc, next)
    } else {
      nc.subscribe(next.subject, { callback: (_err, msg) => msg.respond(msg.data) })
      await nc.flush()
      parent.send({ type: 'responding' })
    }
  }
})
