/** Raw libp2p sender process: waits for the receiver's stream, then writes frames of datums into it. */
import type { Stream } from '@libp2p/interface'
import { runChild } from '../lib/child.ts'
import { pace, wallNow } from '../lib/clock.ts'
import { encodeDatum } from '../lib/payload.ts'
import { cpuMsSince } from './meter.ts'
import { SETUP_MS } from './nodes.ts'
import type { SenderIn, SenderOut } from './protocol.ts'
import { FRAMES_PER_SEND, frames, RAW_PROTOCOL, rawNode, sendStrict } from './raw.ts'

runChild<SenderIn, SenderOut>(async (parent) => {
  const { settings } = await parent.receive('listen')
  const node = await rawNode(settings)
  parent.scope.defer(() => node.stop())
  const inbound = Promise.withResolvers<Stream>()
  await node.handle(RAW_PROTOCOL, (stream) => inbound.resolve(stream))
  const addresses = node.getMultiaddrs().map((ma) => ma.toString())
  parent.send({ type: 'listening', network: 'raw', addresses })
  await parent.receive('await-receiver')
  const stream = await Promise.race([
    inbound.promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no receiver stream')), SETUP_MS).unref(),
    ),
  ])
  parent.send({ type: 'receiver-ready' })
  for (;;) {
    const job = await parent.receive(['throughput', 'paced'])
    const cpu = process.cpuUsage()
    let startedAt: number
    let seq = 0
    const sendDue = async (due: number): Promise<void> => {
      for (const end = seq + due; seq < end; ) {
        const batch: Uint8Array[] = []
        for (; seq < end && batch.length < FRAMES_PER_SEND; seq++) batch.push(encodeDatum(seq))
        await sendStrict(stream, frames(batch))
      }
    }
    if (job.type === 'throughput') {
      startedAt = wallNow()
      await sendDue(job.count)
    } else {
      ;({ startedAt } = await pace({ rate: job.rate, count: job.count, send: sendDue }))
    }
    parent.send({
      type: 'published',
      count: job.count,
      startedAt,
      endedAt: wallNow(),
      cpuMs: cpuMsSince(cpu),
    })
  }
})
