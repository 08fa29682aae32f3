/**
 * A rate-limiter node: joins the deployment's network, adopts the shared policy, and answers
 * `GET /allow?key=<client>` over HTTP. Any node gives the same answer a single limiter would, because
 * every token is spent with a compare-and-swap on the replicated `buckets` Map.
 *
 *   npx node --conditions=mosaik-source examples/rate-limiter/src/node.ts --network my-api --port 8081
 *   curl 'http://127.0.0.1:8081/allow?key=alice'
 *
 * Options: --network <name> (required), --port <http port> (default 8080; 0 picks one),
 * --http-host <ip> (default 127.0.0.1), --capacity <tokens> and --refill <tokens per second> (the
 * policy, if this node is the first to set it; default 10 and 5), --host <ip> (mosaik listen
 * address, default 0.0.0.0), --peer <multiaddr> (repeatable), --dht public|off|host:port[,…],
 * --wait-for-peers <n> (when joining a running deployment: wait until n peers are known before
 * opening the shared collections), --json (JSON lines).
 */
import { parseArgs } from 'node:util'
import { createLogger, type DhtOption, Network } from 'mosaik'
import { buckets, policy } from './generated/index.ts'
import { serveLimiter } from './http.ts'
import { SharedLimiter } from './limiter.ts'

const { values } = parseArgs({
  options: {
    network: { type: 'string', short: 'n' },
    port: { type: 'string', short: 'p', default: '8080' },
    'http-host': { type: 'string', default: '127.0.0.1' },
    capacity: { type: 'string', default: '10' },
    refill: { type: 'string', default: '5' },
    host: { type: 'string', default: '0.0.0.0' },
    peer: { type: 'string', multiple: true, default: [] },
    dht: { type: 'string', default: 'public' },
    'wait-for-peers': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
})

function print(type: string, fields: Record<string, unknown>): void {
  if (values.json) console.log(JSON.stringify({ type, ...fields }))
  else
    console.log(
      `${type} ${Object.entries(fields)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')}`,
    )
}

function integer(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw)
  if (Number.isInteger(n) && n >= min && n <= max) return n
  console.error(`rate-limiter: --${name} must be an integer in ${min}..${max}`)
  process.exit(2)
}

function dhtOption(mode: string): DhtOption {
  if (mode === 'public') return true
  if (mode === 'off') return false
  return { bootstrap: mode.split(',') }
}

if (!values.network) {
  console.error('rate-limiter: --network <name> is required')
  process.exit(2)
}
const port = integer('port', values.port, 0, 65535)
const waitForPeers = integer('wait-for-peers', values['wait-for-peers'], 0, 1000)
const wanted = {
  capacity: integer('capacity', values.capacity, 1, 1_000_000),
  refillPerSecond: integer('refill', values.refill, 1, 1_000_000),
}

const network = await Network.create(values.network, {
  listen: [`/ip4/${values.host}/udp/0/quic-v1`, `/ip4/${values.host}/tcp/0`],
  bootstrap: values.peer,
  dht: dhtOption(values.dht),
  logger: createLogger({ level: process.env.MOSAIK_LOG ?? 'warn' }),
})
// A node that opens the collections before it sees anyone founds groups of its own, which are
// merged into the older ones later (losing what was written meanwhile). Joining an existing
// deployment, wait until some of it is known.
if (waitForPeers > 0) await network.discovery.when((catalog) => catalog.size >= waitForPeers)
const limits = policy.writer(network)
const table = buckets.writer(network)
await Promise.all([limits.when.online(), table.when.online()])
// The first node to start fixes the policy; every later one adopts it (a Once keeps the first write).
const { applied } = await limits.set(wanted)
const limiter = new SharedLimiter(table, () => limits.get() ?? wanted)
const server = await serveLimiter(limiter, values['http-host'], port)
print('ready', { peerId: network.peerId, http: server.url, policy: limiter.policy, policySetHere: applied })

let stopping: Promise<void> | undefined
function stop(): Promise<void> {
  stopping ??= (async () => {
    await server.close()
    await Promise.allSettled([limits.close(), table.close()])
    await network.close()
    process.exit(0)
  })()
  return stopping
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop())
