/** Raw libp2p receiver process: opens the stream to the sender and unpacks every frame. */
import { multiaddr } from '@multiformats/multiaddr'
import { FrameDecoder } from '../../runtime/primitives/framing.ts'
import { runChild } from '../lib/child.ts'
import { decodeDatum } from '../lib/payload.ts'
import { RunMeter, serveRuns } from './meter.ts'
import type { ReceiverIn, ReceiverOut } from './protocol.ts'
import { RAW_PROTOCOL, rawNode } from './raw.ts'

runChild<ReceiverIn, ReceiverOut>(async (parent) => {
  const { settings, addresses } = await parent.receive('connect')
  const node = await rawNode(settings)
  parent.scope.defer(() => node.stop())
  const stream = await node.dialProtocol(multiaddr(addresses[0] as string), RAW_PROTOCOL)
  // One byte so the sender's handler runs even if protocol negotiation is lazy.
  stream.send(new Uint8Array([1]))
  const decoder = new FrameDecoder(64 * 1024 * 1024)
  const meter = new RunMeter()
  stream.addEventListener('message', (event) => {
    try {
      const chunks = event.data instanceof Uint8Array ? [event.data] : [...event.data]
      for (const chunk of chunks) {
        for (const frame of decoder.push(chunk)) {
          const datum = decodeDatum(frame)
          meter.record(datum.seq, datum.ts)
        }
      }
    } catch (err) {
      parent.fail(err)
    }
  })
  parent.send({ type: 'connected' })
  await serveRuns(parent, meter)
})
