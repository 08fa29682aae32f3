/**
 * `npm run bench -- discovery`: how fast separate processes find each other.
 *
 * - converge: N processes start; once all are up, N−1 of them get the bootstrap node's address at
 *   the same moment; the time until every node's catalog holds all N−1 others (process start-up,
 *   mostly module loading, is reported apart as `startup`).
 * - first peer via a local DHT (`localDht()` in this process, never the public DHT): node A starts
 *   with only the DHT; once A's record is in a slot, B starts; the time from B ready to B knowing a
 *   peer. Also two nodes started together (neither finds a slot at first), until both know the other.
 */
import { DhtClient } from '../../runtime/discovery/dht/client.ts'
import { slotKeys } from '../../runtime/discovery/dht/slots.ts'
import { id } from '../../runtime/primitives/digest.ts'
import { localDht } from '../../runtime/testing/local-dht.ts'
import { uniqueNetworkName } from '../../runtime/testing/networks.ts'
import { type NodeProcess, NodeProcesses } from '../../test/e2e/discovery/cluster.ts'
import { until } from '../../test/fault/harness/until.ts'
import { defineBenchmark } from '../lib/benchmark.ts'
import { wallNow } from '../lib/clock.ts'
import type { ResultRow } from '../lib/result.ts'
import { median } from '../lib/stats.ts'

const TIMEOUT = 60_000
/** The production timing profile (announce 45 s, RTT probes 30 s, DHT polled every 1 s until a peer is known). */
const PRODUCTION = { profile: 'default' } as const

/**
 * All N processes start first (module loading on a 2-core machine takes seconds and is not
 * discovery); then N−1 of them are told the bootstrap node's address at the same moment. Returns
 * the ms from that moment until every catalog is complete, and the start-up time.
 */
async function converge(count: number): Promise<{ converge: number; startup: number }> {
  await using nodes = new NodeProcesses()
  const name = uniqueNetworkName('bench')
  const spawned = wallNow()
  const [seed, ...rest] = (await nodes.startMany(count, name, PRODUCTION, 'node', TIMEOUT * 2)) as [
    NodeProcess,
    ...NodeProcess[],
  ]
  const startup = wallNow() - spawned
  const told = wallNow()
  for (const node of rest) node.process.send({ type: 'dial', addresses: seed.ready.addresses })
  const reports = await Promise.all(
    [seed, ...rest].map((n) => nodes.catalogOf(n, (c) => c.size === count - 1, { timeout: TIMEOUT })),
  )
  return { converge: Math.max(...reports.map((r) => r.at)) - told, startup }
}

/**
 * B joins once A's record is in a slot; ms from B ready to B knowing a peer. Each measurement gets
 * a fresh swarm and keeps every DHT node up until it ends: lookups through a departed node wait for
 * the DHT's 2 s query timeout.
 */
async function firstPeerAfterSlot(dhtNodes: number): Promise<number> {
  await using dht = await localDht({ nodes: dhtNodes })
  await using nodes = new NodeProcesses()
  const name = uniqueNetworkName('bench')
  const a = await nodes.start(name, { ...PRODUCTION, dht: { bootstrap: dht.bootstrap } }, 'dht-a')
  const reader = await DhtClient.start({ bootstrap: dht.bootstrap, host: '127.0.0.1' })
  try {
    const slots = slotKeys(id(name))
    const holdsSlot = async () =>
      (await Promise.all(slots.map((s) => reader.read(s)))).some((s) => s.record?.peerId === a.ready.peerId)
    await until(holdsSlot, { timeout: TIMEOUT, interval: 50, what: "A's slot record" })
    const b = await nodes.start(name, { ...PRODUCTION, dht: { bootstrap: dht.bootstrap } }, 'dht-b')
    const found = await nodes.catalogOf(b, (c) => c.size >= 1, { timeout: TIMEOUT })
    return found.at - b.ready.at
  } finally {
    await reader.close()
  }
}

/** A and B start together with only the DHT; ms from both ready to both knowing each other. */
async function firstPeerTogether(dhtNodes: number): Promise<number> {
  await using dht = await localDht({ nodes: dhtNodes })
  await using nodes = new NodeProcesses()
  const name = uniqueNetworkName('bench')
  const pair = await nodes.startMany(
    2,
    name,
    { ...PRODUCTION, dht: { bootstrap: dht.bootstrap } },
    'dht-pair',
  )
  const found = await Promise.all(
    pair.map((n) => nodes.catalogOf(n, (c) => c.size >= 1, { timeout: TIMEOUT })),
  )
  return Math.max(...found.map((f) => f.at)) - Math.max(...pair.map((n) => n.ready.at))
}

function medianRow(metric: string, runs: number[], unit = 'ms'): ResultRow {
  const rounded = runs.map((r) => Math.round(r))
  return {
    system: 'mosaik',
    metric,
    value: Math.round(median(runs)),
    unit,
    ...(runs.length > 1 ? { runs: rounded } : {}),
  }
}

export default defineBenchmark({
  name: 'discovery',
  description:
    'separate processes on loopback: time for N nodes with one bootstrap node to converge to a full catalog, and time to a first peer through a local Mainline DHT (no explicit peers).',
  flags: {
    nodes: {
      type: 'number',
      default: 20,
      description: 'processes in the convergence run, bootstrap node included',
    },
    'dht-nodes': { type: 'number', default: 8, description: 'nodes of the local DHT swarm' },
    reps: { type: 'number', default: 1, description: 'repetitions (rows are medians)' },
  },
  full: { reps: 3 },
  async run(flags, { log }) {
    const convergeRuns: number[] = []
    const startupRuns: number[] = []
    const slotRuns: number[] = []
    const togetherRuns: number[] = []
    for (let rep = 0; rep < flags.reps; rep++) {
      log(`rep ${rep + 1}/${flags.reps}: ${flags.nodes} processes converging`)
      const result = await converge(flags.nodes)
      convergeRuns.push(result.converge)
      startupRuns.push(result.startup)
      log(`  converged in ${Math.round(result.converge)} ms after being told the bootstrap address`)
      slotRuns.push(await firstPeerAfterSlot(flags['dht-nodes']))
      togetherRuns.push(await firstPeerTogether(flags['dht-nodes']))
      log(
        `  first peer via DHT: ${Math.round(slotRuns.at(-1) ?? 0)} ms (slot held), ${Math.round(togetherRuns.at(-1) ?? 0)} ms (started together)`,
      )
    }
    return {
      results: [
        medianRow(`converge.${flags.nodes}`, convergeRuns),
        medianRow(`startup.${flags.nodes}`, startupRuns),
        medianRow('dht.firstPeer', slotRuns),
        medianRow('dht.firstPeer.together', togetherRuns),
      ],
      notes: [
        'converge: from the moment N-1 ready nodes get the bootstrap address to the last catalog complete; startup: from the first spawn to the last node ready',
        'dht.firstPeer: B starts after A holds a slot, from B ready to B knowing A; dht.firstPeer.together: A and B spawned at once, from the later one ready to both knowing each other (DHT polled every 1 s until a peer is known)',
        'all nodes run the default (production) timing profile on 127.0.0.1',
      ],
    }
  },
})
