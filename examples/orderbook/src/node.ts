/**
 * One orderbook node, as its own process: a matcher or a trader.
 *
 *   # three matchers (each in its own terminal), then traders; all find each other by name
 *   npx node --conditions=mosaik-source examples/orderbook/src/node.ts --network my-book --matcher --matchers 3
 *   npx node --conditions=mosaik-source examples/orderbook/src/node.ts --network my-book --trader ann --orders 50
 *
 * Options:
 *   --network <name>     network name (required)
 *   --matcher            join the matcher group
 *   --matchers <n>       how many matchers the deployment has (default 3): the group's size, and
 *                        for a trader, how many fill publishers to follow before trading
 *   --trader <name>      trade as <name>; --orders <n> sends n orders at start (seed: --seed)
 *   --host <ip>          listen address (default 0.0.0.0)
 *   --bootstrap <addr>   a known peer's multiaddr (repeatable)
 *   --dht <mode>         `public` (default), `off`, or a private DHT as host:port[,host:port]
 *
 * Started by `npm run demo` (with an IPC channel) it reports events to the parent as messages and
 * takes commands (`trade`, `summary`, `stop`) instead of printing.
 */
import { parseArgs } from 'node:util'
import { createLogger, type DhtOption, Network } from 'mosaik'
import { MATCHER_TAG, MatcherNode } from './matcher.ts'
import { type NodeEvent, parseCommand } from './protocol.ts'
import { TraderNode } from './trader.ts'

const { values } = parseArgs({
  options: {
    network: { type: 'string', short: 'n' },
    matcher: { type: 'boolean', default: false },
    matchers: { type: 'string', default: '3' },
    trader: { type: 'string' },
    orders: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    host: { type: 'string', default: '0.0.0.0' },
    bootstrap: { type: 'string', multiple: true, default: [] },
    dht: { type: 'string', default: 'public' },
  },
})

/** Sends an event to the parent process, or prints it when run by hand. */
function report(event: NodeEvent): void {
  if (process.send) process.send(event)
  else
    console.log(
      Object.entries(event)
        .map(([k, v]) => (k === 'type' ? v : `${k}=${JSON.stringify(v)}`))
        .join(' '),
    )
}

function fail(message: string): never {
  console.error(`orderbook node: ${message}`)
  process.exit(2)
}

function dhtOption(mode: string): DhtOption {
  if (mode === 'public') return true
  if (mode === 'off') return false
  return { bootstrap: mode.split(',') }
}

const matchers = Number(values.matchers)
const orderCount = Number(values.orders)
const seed = Number(values.seed)
if (!values.network) fail('--network <name> is required')
if (values.matcher === (values.trader !== undefined))
  fail('give exactly one of --matcher and --trader <name>')
if (!Number.isInteger(matchers) || matchers < 1) fail('--matchers must be a positive integer')
if (!Number.isInteger(orderCount) || orderCount < 0) fail('--orders must be a non-negative integer')
if (!Number.isInteger(seed)) fail('--seed must be an integer')

const network = await Network.create(values.network, {
  listen: [`/ip4/${values.host}/udp/0/quic-v1`, `/ip4/${values.host}/tcp/0`],
  bootstrap: values.bootstrap,
  dht: dhtOption(values.dht),
  tags: values.matcher ? [MATCHER_TAG] : [],
  profile: 'fast',
  logger: createLogger({ level: process.env.MOSAIK_LOG ?? 'warn' }),
})
const name = values.trader ?? `matcher-${network.peerId.slice(-6)}`
const role = values.matcher ? 'matcher' : 'trader'
report({ type: 'ready', role, name, peerId: network.peerId, addresses: network.addresses })

let peers = 0
network.discovery.subscribe(() => {
  if (network.discovery.catalog.size === peers) return
  peers = network.discovery.catalog.size
  report({ type: 'peers', count: peers })
})

// A matcher that opened the shared state before it saw the others would found groups of its own,
// to be merged away later; the group waits for `minVoters` anyway, so first meet the other matchers.
if (values.matcher) {
  await network.discovery.when((catalog) => catalog.withTag(MATCHER_TAG).length >= matchers - 1)
}
const matcherNode = values.matcher
  ? new MatcherNode(network, {
      matchers,
      onPublished: (through) => report({ type: 'published', through }),
      onError: (err) =>
        report({ type: 'warning', message: err instanceof Error ? err.message : String(err) }),
    })
  : undefined
const traderNode = values.trader
  ? new TraderNode(network, {
      name: values.trader,
      onFill: (_, counts) => report({ type: 'fills', ...counts }),
    })
  : undefined
if (traderNode) {
  void traderNode.followingMatchers(matchers).then(
    () => report({ type: 'following', matchers }),
    () => {},
  )
}

if (matcherNode) {
  void matcherNode.online().then(
    () => report({ type: 'online' }),
    () => {},
  )
  void matcherNode.group.when.leaderElected().then(
    function announce(leader): void {
      report({ type: 'leader', leader })
      void matcherNode.group.when.leaderChanged().then(announce, () => {})
    },
    () => {},
  )
}

async function trade(count: number, tradeSeed: number): Promise<void> {
  if (!traderNode) throw new Error('this node is not a trader')
  await traderNode.trade(count, tradeSeed, (sent) => {
    if (sent % 10 === 0 || sent === count) report({ type: 'sent', count: sent })
  })
}

let stopping: Promise<void> | undefined
function stop(): Promise<void> {
  stopping ??= (async () => {
    const closed = await Promise.allSettled([matcherNode?.close(), traderNode?.close()])
    await network.close()
    const failed = closed.find((r) => r.status === 'rejected')
    if (failed) console.error('orderbook node: error while closing:', failed.reason)
    process.exit(failed ? 1 : 0)
  })()
  return stopping
}

process.on('message', (raw) => {
  const command = parseCommand(raw)
  const run = async (): Promise<void> => {
    switch (command.type) {
      case 'trade':
        return trade(command.count, command.seed)
      case 'summary':
        if (!matcherNode) throw new Error('only a matcher has the market summary')
        return report({ type: 'summary', ...(await matcherNode.summary()) })
      case 'status':
        return report({
          type: 'status',
          sent: traderNode?.sent ?? 0,
          ...(traderNode?.fills ?? { seen: 0, own: 0 }),
        })
      case 'stop':
        return stop()
      case 'invalid':
        throw new Error(command.reason)
    }
  }
  run().catch((err: unknown) =>
    report({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  )
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop())

if (orderCount > 0) await trade(orderCount, seed)
