/**
 * An ordinary node that knows nothing but a beacon's address: it joins the network through the
 * beacon and learns every other peer from it, then keeps printing who comes and goes and the
 * beacons' status reports.
 *
 *   npx node --conditions=mosaik-source examples/bootstrap/src/client.ts \
 *     --network my-app --beacon /ip4/10.0.0.5/udp/4001/quic-v1/p2p/12D3KooW…
 *
 * Options: --network <name> (required), --beacon <multiaddr> (repeatable), --tag <t> (repeatable),
 * --host <ip> (listen address, default 0.0.0.0), --dht public|off|host:port[,…] (default off: the beacon is the way in), --json.
 */
import { parseArgs } from 'node:util'
import { createLogger, Network } from 'mosaik'
import { announcePeers, printer } from './report.ts'
import { followStatus } from './status.ts'

const { values } = parseArgs({
  options: {
    network: { type: 'string', short: 'n' },
    beacon: { type: 'string', short: 'b', multiple: true, default: [] },
    tag: { type: 'string', short: 't', multiple: true, default: [] },
    host: { type: 'string', default: '0.0.0.0' },
    dht: { type: 'string', default: 'off' },
    json: { type: 'boolean', default: false },
  },
})

if (!values.network || values.beacon.length === 0) {
  console.error('client: --network <name> and at least one --beacon <multiaddr> are required')
  process.exit(2)
}
const print = printer(values.json)
const network = await Network.create(values.network, {
  listen: [`/ip4/${values.host}/udp/0/quic-v1`, `/ip4/${values.host}/tcp/0`],
  bootstrap: values.beacon,
  tags: values.tag,
  dht: values.dht === 'off' ? false : values.dht === 'public' ? true : { bootstrap: values.dht.split(',') },
  logger: createLogger({ level: process.env.MOSAIK_LOG ?? 'warn' }),
})
print('ready', { peerId: network.peerId, addresses: network.addresses })
const stop = announcePeers(network, print)
const stopFollowing = followStatus(network, print)

const shutdown = async (): Promise<void> => {
  stop()
  await stopFollowing()
  await network.close()
  process.exit(0)
}
process.once('SIGINT', () => void shutdown())
process.once('SIGTERM', () => void shutdown())
