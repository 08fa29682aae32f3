/**
 * Link benchmark receiver: accepts one link per run (its first message names the run), decodes and
 * checks every datum, counts order and samples one-way latency.
 */
import type { Link } from '../../runtime/network/link.ts'
import { Network } from '../../runtime/network/network.ts'
import { type ParentChannel, runChild } from '../lib/child.ts'
import { DeliveryCounter } from '../lib/delivery.ts'
import { decodeDatum } from '../lib/payload.ts'
import type { ReceiverIn, ReceiverOut } from './protocol.ts'
import { BENCH_PROTOCOL, benchNetworkOptions } from './setup.ts'

type Parent = ParentChannel<ReceiverIn, ReceiverOut>
type Expect = Extract<ReceiverIn, { type: 'expect' }>

async function measure(parent: Parent, link: Link, run: Expect): Promise<void> {
  const counter = new DeliveryCounter(run.count, run.warmup)
  const stop = new AbortController()
  void parent.receive('report', { signal: stop.signal }).then(
    () => link.abort(),
    () => undefined,
  )
  try {
    while (counter.received < run.count) {
      const frame = await link.receiveEncoded()
      if (frame === null) break
      const datum = decodeDatum(frame)
      counter.record(datum.seq, datum.ts)
    }
  } catch {
    // Asked to report early (loss): report what arrived.
  } finally {
    stop.abort()
  }
  parent.send({
    type: 'done',
    run: run.run,
    received: counter.received,
    firstAt: counter.firstAt,
    lastAt: counter.lastAt,
    outOfOrder: counter.outOfOrder,
    latency: counter.latency(),
  })
  await link.close().catch(() => undefined)
}

runChild<ReceiverIn, ReceiverOut>(async (parent) => {
  await parent.receive('listen')
  const network = await Network.create('bench-link', benchNetworkOptions())
  parent.scope.defer(() => network.close())
  // The orchestrator announces each run before the sender connects for it.
  const runs = new Map<string, Expect>()
  await network.handle(BENCH_PROTOCOL, async (link) => {
    const hello = (await link.receive()) as { run: string }
    const run = runs.get(hello.run)
    if (run) await measure(parent, link, run)
    else link.abort()
  })
  const pick = (fragment: string) => network.addresses.find((a) => a.includes(fragment)) as string
  parent.send({ type: 'listening', addresses: { quic: pick('/quic-v1'), tcp: pick('/tcp/') } })
  for (;;) {
    const run = await parent.receive('expect')
    runs.set(run.run, run)
  }
})
