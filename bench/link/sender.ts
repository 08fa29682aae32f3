/**
 * Link benchmark sender: one link per run, datums sent with `trySend` and, when the write buffer
 * is full, `send` (which waits for room) — the pattern a producer uses.
 */
import type { Link } from '../../runtime/network/link.ts'
import { Network } from '../../runtime/network/network.ts'
import { runChild } from '../lib/child.ts'
import { pace, wallNow } from '../lib/clock.ts'
import { makeDatum } from '../lib/payload.ts'
import type { SenderIn, SenderOut } from './protocol.ts'
import { BENCH_PROTOCOL, benchNetworkOptions } from './setup.ts'

async function sendDatum(link: Link, seq: number): Promise<void> {
  const datum = makeDatum(seq)
  if (!link.trySend(datum)) await link.send(datum)
}

runChild<SenderIn, SenderOut>(async (parent) => {
  const network = await Network.create('bench-link', benchNetworkOptions())
  parent.scope.defer(() => network.close())
  for (;;) {
    const { address, run } = await parent.receive('connect')
    const link = await network.connect(address, BENCH_PROTOCOL)
    await link.send({ run })
    parent.send({ type: 'connected' })
    const job = await parent.receive(['throughput', 'paced'])
    let startedAt = wallNow()
    if (job.type === 'throughput') {
      for (let seq = 0; seq < job.count; seq++) await sendDatum(link, seq)
    } else {
      let seq = 0
      ;({ startedAt } = await pace({
        rate: job.rate,
        count: job.count,
        send: async (due) => {
          for (const end = seq + due; seq < end; seq++) await sendDatum(link, seq)
        },
      }))
    }
    // close() resolves once the receiver holds every frame.
    await link.close()
    parent.send({ type: 'sent', startedAt, endedAt: wallNow() })
  }
})
