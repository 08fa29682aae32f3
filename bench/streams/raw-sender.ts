/** Raw libp2p sender process: waits for the receiver's stream, then writes frames of datums into it. */
import type { Stream } from '@libp2p/interface'
import { runChild } from '../lib/child.ts'
import { encodeDatum } from '../lib/payload.ts'
import { serveJobs } from './jobs.ts'
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
  await serveJobs(parent, () => {
    let seq = 0
    return async (count) => {
      for (const end = seq + count; seq < end; ) {
        const batch: Uint8Array[] = []
        for (; seq < end && batch.length < FRAMES_PER_SEND; seq++) batch.push(encodeDatum(seq))
        await sendStrict(stream, frames(batch))
      }
    }
  })
})
