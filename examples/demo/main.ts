/**
 * `npm run demo`: the orderbook example as a small local deployment. It starts a private Mainline
 * DHT on 127.0.0.1 (nothing leaves this machine), then matcher and trader node processes that know
 * only the network's name and the DHT: they find each other, the matchers elect a leader, traders
 * stream orders, the book matches them, fills are settled into the replicated balances and
 * published, and a summary is printed. Then everything shuts down and the demo exits 0.
 *
 *   npm run demo -- --nodes 5 --orders 200
 *
 * Options: --nodes <n> (2–12, default 5: 3 matchers + 2 traders; fewer than 5 means 1 matcher),
 * --orders <n> (total, default 200), --seed <n>, --timeout <seconds> (default 120).
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { localDht } from 'mosaik/testing'
import { NodeProcess } from './node-process.ts'
import { formatSummary, type NodeInfo, shortPeer } from './summary.ts'

const TRADER_NAMES = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jo', 'kit']
/** How long a node may take to leave before it is killed. */
const STOP_GRACE_MS = 10_000
/** How often the market is polled while orders are in flight. */
const POLL_MS = 250

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5' },
    orders: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '120' },
  },
})

function integerOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`demo: --${name} must be an integer in ${min}..${max}, got '${raw}'`)
    process.exit(2)
  }
  return n
}

const nodeCount = integerOption('nodes', values.nodes, 2, TRADER_NAMES.length + 1)
const orderCount = integerOption('orders', values.orders, 1, 1_000_000)
const seed = integerOption('seed', values.seed, 0, 2 ** 31)
const deadline = Date.now() + integerOption('timeout', values.timeout, 5, 3600) * 1000
const matcherCount = nodeCount >= 5 ? 3 : 1
const traderNames = TRADER_NAMES.slice(0, nodeCount - matcherCount)

const started = Date.now()
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`
const remaining = (): { timeout: number } => ({ timeout: Math.max(1, deadline - Date.now()) })
const tty = process.stdout.isTTY

/** Runs one step, printing `✓ <what> (time)` when it succeeds. */
async function step<T>(what: string | ((result: T) => string), run: () => Promise<T>): Promise<T> {
  const since = Date.now()
  const result = await run()
  console.log(`  ✓ ${typeof what === 'string' ? what : what(result)} (${seconds(since)})`)
  return result
}

/** A progress line: rewritten in place on a terminal, printed at most every 2 s otherwise. */
function progress(): { show(text: string): void; done(): void } {
  let last = 0
  return {
    show(text) {
      if (tty) process.stdout.write(`\r  … ${text}\x1b[K`)
      else if (Date.now() - last >= 2000) {
        last = Date.now()
        console.log(`  … ${text}`)
      }
    },
    done() {
      if (tty) process.stdout.write('\r\x1b[K')
    },
  }
}

console.log(
  `mosaik demo: a distributed order book on ${nodeCount} processes ` +
    `(${matcherCount} matcher${matcherCount > 1 ? 's' : ''}, ${traderNames.length} traders), ${orderCount} orders\n`,
)

const dht = await step(
  (d: { bootstrap: string[] }) => `local DHT: ${d.bootstrap.length} nodes on 127.0.0.1`,
  () => localDht(),
)
const network = `mosaik-demo-${randomUUID()}`
const common = ['--network', network, '--host', '127.0.0.1', '--dht', dht.bootstrap.join(',')]
const matchers = Array.from(
  { length: matcherCount },
  () => new NodeProcess('matcher', [...common, '--matcher', '--matchers', String(matcherCount)]),
)
const traders = traderNames.map(
  (name) => new NodeProcess('trader', [...common, '--trader', name, '--matchers', String(matcherCount)]),
)
const all = [...matchers, ...traders]

let stopping: Promise<void> | undefined
async function shutdown(): Promise<void> {
  stopping ??= (async () => {
    await Promise.all(all.map((node) => node.stop(STOP_GRACE_MS)))
    await dht.close()
  })()
  await stopping
}
process.once('SIGINT', () => {
  console.log('\n  interrupted: stopping every process')
  void shutdown().then(() => process.exit(130))
})

try {
  await step(`started ${nodeCount} node processes`, () =>
    Promise.all(all.map((node) => node.until('start', (s) => s.peerId !== undefined, remaining()))),
  )
  await step(
    `discovery: every node sees the other ${nodeCount - 1}, found through the DHT by network name`,
    () => Promise.all(all.map((node) => node.until('peers', (s) => s.peers >= nodeCount - 1, remaining()))),
  )
  await step(
    (id: string) =>
      `matcher group formed, balances online: leader ${all.find((n) => n.state.value.peerId === id)?.label} (${shortPeer(id)})`,
    async () => {
      const states = await Promise.all(
        matchers.map((m) =>
          m.until('the book and balances online', (s) => s.online && s.leader !== undefined, remaining()),
        ),
      )
      return states[0]?.leader as string
    },
  )

  await step('every trader follows the fills of every matcher', () =>
    Promise.all(traders.map((t) => t.until('fills subscriptions', (s) => s.following, remaining()))),
  )

  const market = await step(
    `trading: ${orderCount} orders matched, every fill settled and published`,
    async () => {
      traders.forEach((trader, i) => {
        const share = Math.floor(orderCount / traders.length) + (i < orderCount % traders.length ? 1 : 0)
        trader.send({ type: 'trade', count: share, seed: seed + i })
      })
      // Any matcher answers with linearizable reads; the leader of the moment settles and publishes.
      const reporter = matchers[0] as NodeProcess
      const line = progress()
      try {
        for (;;) {
          reporter.state.update((s) => ({ ...s, summary: undefined }))
          reporter.send({ type: 'summary' })
          const { summary } = await reporter.until(
            'a market summary',
            (s) => s.summary !== undefined,
            remaining(),
          )
          const sent = traders.reduce((sum, t) => sum + t.state.value.sent, 0)
          const published = Math.max(...matchers.map((m) => m.state.value.published))
          const { placed, fills } = summary?.stats ?? { placed: 0, fills: 0 }
          line.show(
            `${sent}/${orderCount} orders sent · ${placed} placed · ${fills} fills · ${published} settled`,
          )
          if (summary && placed === orderCount && published === fills) return summary
          if (Date.now() > deadline)
            throw new Error(`timed out after placing ${placed} of ${orderCount} orders`)
          await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        }
      } finally {
        line.done()
      }
    },
  )
  await step(`every trader received all ${market.stats.fills} fills on the fills stream`, () =>
    Promise.all(traders.map((t) => t.until('fills', (s) => s.fills.seen >= market.stats.fills, remaining()))),
  )

  const nodes: NodeInfo[] = all.map((node) => ({
    name: node.label,
    role: node.role,
    peerId: node.state.value.peerId ?? '',
    ...(node.role === 'trader' ? { fillsSeen: node.state.value.fills.seen } : {}),
  }))
  console.log('\nsummary')
  for (const text of formatSummary(market, nodes)) console.log(text)
  console.log()
  await step(`shut down ${nodeCount} processes and the DHT cleanly`, async () => {
    await shutdown()
    const unclean = all.filter((node) => node.state.value.exit?.code !== 0)
    if (unclean.length > 0) throw new Error(`${unclean.map((n) => n.label).join(', ')} did not exit cleanly`)
  })
  console.log(`\ndone in ${seconds(started)}`)
} catch (err) {
  console.error(`\n  ✗ ${err instanceof Error ? err.message : String(err)}`)
  if (err instanceof Error && err.cause) console.error(`    cause: ${String(err.cause)}`)
  for (const node of all) {
    const { warning } = node.state.value
    if (warning !== undefined) console.error(`    ${node.label} last reported: ${warning}`)
  }
  await shutdown()
  process.exit(1)
}
