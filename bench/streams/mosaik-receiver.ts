/**
 * mosaik receiver process: a node that bootstraps from the sender and consumes `ticks` with the
 * generated client; every datum arrives decoded and validated against the schema.
 */
import { Network } from '../../runtime/network/network.ts'
import { ticks } from '../../test/e2e/streams/fixtures/generated/ticks.ts'
import { runChild } from '../lib/child.ts'
import { RunMeter, serveRuns } from './meter.ts'
import { listenOn, SETUP_MS } from './nodes.ts'
import type { ReceiverIn, ReceiverOut } from './protocol.ts'

runChild<ReceiverIn, ReceiverOut>(async (parent) => {
  const { settings, network: name, addresses } = await parent.receive('connect')
  const network = await Network.create(name, {
    listen: listenOn(settings.transport),
    dht: false,
    bootstrap: addresses,
  })
  parent.scope.defer(() => network.close())
  const consumer = ticks.consumer(network, { bufferSize: settings.bufferSize })
  consumer.onError((err) => process.stderr.write(`consumer error: ${err.message}\n`))
  await consumer.when.subscribed(undefined, { timeout: SETUP_MS })
  const meter = new RunMeter()
  void (async () => {
    for await (const datum of consumer) meter.record(datum.seq, datum.ts)
  })().catch(parent.fail)
  parent.send({ type: 'connected' })
  await serveRuns(parent, meter)
})
