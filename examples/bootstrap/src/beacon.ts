/**
 * A beacon: a long-lived node with a stable identity and port that the rest of a deployment uses as
 * its first contact. It carries no application data; it takes part in discovery, so a node that
 * knows only the beacon's address learns every other peer through it.
 *
 *   npx node --conditions=mosaik-source examples/bootstrap/src/beacon.ts \
 *     --network my-app --secret "my-app beacon 1" --port 4001
 *
 * Options (each also from the environment, e.g. MOSAIK_BEACON_NETWORK):
 *   --network <name>   network name or 64-hex id (required)
 *   --secret <s>       64-hex key seed or a phrase; fixes the peer id (random without it, with a warning)
 *   --port <n>         QUIC (UDP) and TCP port on every IPv4 interface (default 4001; 0 picks one)
 *   --host <ip>        listen address instead of 0.0.0.0
 *   --peer <addr>      another beacon's multiaddr (repeatable)
 *   --tag <t>          tag in this node's entry (repeatable; default `beacon`)
 *   --dht <mode>       `public` (default), `off`, or a private DHT as host:port[,host:port]
 *   --metrics <h:p>    serve Prometheus metrics
 *   --status-every <ms> publish a status report on the `status` stream this often (default 5000)
 *   --json             JSON lines instead of text (for scripts)
 */
import { parseArgs } from 'node:util'
import { createLogger, type DhtOption, Network, type NetworkOptions } from 'mosaik'
import { announcePeers, printer } from './report.ts'
import { publishStatus } from './status.ts'

const { values } = parseArgs({
  options: {
    network: { type: 'string', short: 'n', default: process.env.MOSAIK_BEACON_NETWORK },
    secret: { type: 'string', short: 's', default: process.env.MOSAIK_BEACON_SECRET },
    port: { type: 'string', short: 'p', default: process.env.MOSAIK_BEACON_PORT ?? '4001' },
    host: { type: 'string', default: process.env.MOSAIK_BEACON_HOST ?? '0.0.0.0' },
    peer: { type: 'string', multiple: true, default: [] },
    tag: { type: 'string', short: 't', multiple: true, default: ['beacon'] },
    dht: { type: 'string', default: process.env.MOSAIK_BEACON_DHT ?? 'public' },
    metrics: { type: 'string', default: process.env.MOSAIK_BEACON_METRICS },
    'status-every': { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
})

const print = printer(values.json)
if (!values.network) {
  console.error('beacon: --network <name> is required (or MOSAIK_BEACON_NETWORK)')
  process.exit(2)
}
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`beacon: --port must be 0..65535, got '${values.port}'`)
  process.exit(2)
}
const statusEvery = Number(values['status-every'])
if (!Number.isInteger(statusEvery) || statusEvery < 100) {
  console.error(`beacon: --status-every must be an integer ≥ 100 (ms), got '${values['status-every']}'`)
  process.exit(2)
}
if (values.secret === undefined) {
  print('warning', {
    message: 'no --secret: the peer id changes on every start; clients will not find it again',
  })
}

function dhtOption(mode: string): DhtOption {
  if (mode === 'public') return true
  if (mode === 'off') return false
  return { bootstrap: mode.split(',') }
}

const options: NetworkOptions = {
  listen: [`/ip4/${values.host}/udp/${port}/quic-v1`, `/ip4/${values.host}/tcp/${port}`],
  bootstrap: values.peer,
  tags: values.tag,
  dht: dhtOption(values.dht),
  logger: createLogger({ level: process.env.MOSAIK_LOG ?? 'warn' }),
  ...(values.secret === undefined ? {} : { secretKey: values.secret }),
  ...(values.metrics === undefined ? {} : { metrics: values.metrics }),
}

const network = await Network.create(values.network, options)
print('ready', {
  peerId: network.peerId,
  networkId: network.networkId.hex,
  addresses: network.addresses,
  tags: values.tag,
  ...(network.metricsAddress === undefined ? {} : { metrics: network.metricsAddress }),
})
const stopAnnouncing = announcePeers(network, print)
const stopStatus = publishStatus(network, values.tag, statusEvery)

const shutdown = async (signal: string): Promise<void> => {
  print('stopping', { signal })
  stopAnnouncing()
  await stopStatus()
  await network.close()
  process.exit(0)
}
process.once('SIGINT', () => void shutdown('SIGINT'))
process.once('SIGTERM', () => void shutdown('SIGTERM'))
