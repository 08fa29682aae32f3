/**
 * mosaik sender process: a node with a `ticks` producer (the generated client), `block` policy so
 * a fast sender is paced by the consumer's credit. Throughput runs send as fast as `send()` lets
 * them; paced runs send what is due on each ~1 ms tick.
 */
import { randomUUID } from 'node:crypto'
import { Network } from '../../runtime/network/network.ts'
import { ticks } from '../../test/e2e/streams/fixtures/generated/ticks.ts'
import { runChild } from '../lib/child.ts'
import { makeDatum } from '../lib/payload.ts'
import { serveJobs } from './jobs.ts'
import { listenOn, SETUP_MS } from './nodes.ts'
import type { SenderIn, SenderOut } from './protocol.ts'

runChild<SenderIn, SenderOut>(async (parent) => {
  const { settings } = await parent.receive('listen')
  const network = await Network.create(`bench-streams-${randomUUID()}`, {
    listen: listenOn(settings.transport),
    dht: false,
  })
  parent.scope.defer(() => network.close())
  const producer = ticks.producer(network, { bufferSize: settings.bufferSize, slowConsumer: 'block' })
  parent.send({ type: 'listening', network: network.networkId.hex, addresses: network.addresses })
  await parent.receive('await-receiver')
  await producer.when.subscribed(undefined, { timeout: SETUP_MS })
  parent.send({ type: 'receiver-ready' })
  await serveJobs(parent, () => {
    let seq = 0
    return async (count) => {
      for (const end = seq + count; seq < end; seq++) await producer.send(makeDatum(seq))
    }
  })
})
