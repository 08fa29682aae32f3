/**
 * One node of the two-process streams test, driven over JSON lines (test/fault/harness/child.ts):
 * `producer` starts a network with a `ticks` producer from the generated client and, on `send`,
 * sends that many ticks and closes the producer (which returns once the consumer has them all);
 * `consumer <network> <address>` joins through that address, consumes `ticks` and reports what
 * arrived, in order or not, once it has `expect` of them.
 */
import { Network } from '../../../runtime/network/network.ts'
import { testNetworkOptions } from '../../../runtime/testing/index.ts'
import { commands, emit } from '../../fault/harness/child.ts'
import { ticks } from './fixtures/generated/ticks.ts'

const [role, networkName, address] = process.argv.slice(2)
const filler = new Uint8Array(49).fill(0x2a)

if (role === 'producer') {
  const network = await Network.create(`streams-e2e-${process.pid}`, testNetworkOptions())
  const producer = ticks.producer(network, { slowConsumer: 'block' })
  emit({ type: 'ready', network: network.networkId.hex, address: network.addresses[0] })
  for await (const command of commands<{ type: 'send'; count: number }>({ exitOnEnd: false })) {
    if (command.type !== 'send') continue
    await producer.when.online({ timeout: 30_000 })
    for (let seq = 0; seq < command.count; seq++) {
      await producer.send({ seq, ts: Date.now(), kind: 'tick', src: 'e2e', data: filler })
    }
    await producer.close()
    emit({ type: 'sent', stats: producer.stats })
  }
  await network.close()
} else {
  const network = await Network.create(
    networkName as string,
    testNetworkOptions({ bootstrap: [address as string] }),
  )
  const consumer = ticks.consumer(network)
  let invalid = 0
  consumer.onError(() => invalid++)
  await consumer.when.subscribed(undefined, { timeout: 30_000 })
  emit({ type: 'subscribed' })
  const expected = Number(process.argv[5])
  let received = 0
  let outOfOrder = 0
  for await (const tick of consumer) {
    if (tick.seq !== received) outOfOrder++
    received++
    if (received === expected) break
  }
  emit({ type: 'done', received, outOfOrder, invalid, stats: consumer.stats })
  await network.close()
  process.exit(0)
}
