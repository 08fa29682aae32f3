/**
 * Discovery across separate processes: convergence through one bootstrap node, losing the
 * bootstrap node, departure, and discovery through a local Mainline DHT alone.
 * MOSAIK_LONG=1 runs the full 20-process scenario; the default suite runs 8 processes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { localDht, uniqueNetworkName } from '../../../runtime/testing/index.ts'
import { NodeProcesses } from './cluster.ts'

const LONG = process.env.MOSAIK_LONG === '1'
const CLUSTER = LONG ? 20 : 8

let nodes: NodeProcesses

afterEach(async () => {
  await nodes.close()
})

describe('discovery across processes', () => {
  it(`${CLUSTER} processes with one bootstrap node converge; losing the bootstrap node loses nothing`, async () => {
    nodes = new NodeProcesses()
    const name = uniqueNetworkName()
    const seed = await nodes.start(name, {}, 'seed')
    // Short purge so the killed node's entry goes away quickly (announces every 1 s keep the rest).
    const discovery = { purgeAfter: 4_000, announceInterval: 1_000 }
    // Starting 20 Node processes at once on 2 cores takes a while: module loading, not discovery.
    const rest = await nodes.startMany(
      CLUSTER - 1,
      name,
      { bootstrap: seed.ready.addresses, discovery },
      'node',
      90_000,
    )
    const all = [seed, ...rest]
    await Promise.all(all.map((n) => nodes.catalogOf(n, (c) => c.size === CLUSTER - 1, { timeout: 30_000 })))

    // SIGKILL: no departure message. The others keep each other and still exchange updates.
    await seed.process.kill()
    const [first, ...others] = rest as [(typeof rest)[number], ...typeof rest]
    first.process.send({ type: 'tag', tag: 'after-seed' })
    await Promise.all(
      others.map((n) =>
        nodes.catalogOf(
          n,
          (c) => c.tagged >= 1 && rest.every((r) => r === n || c.peers.includes(r.ready.peerId)),
          { timeout: 20_000 },
        ),
      ),
    )
    // The killed node is purged after purgeAfter; nobody else is.
    await Promise.all(
      rest.map((n) =>
        nodes.catalogOf(n, (c) => !c.peers.includes(seed.ready.peerId) && c.size === CLUSTER - 2, {
          timeout: 30_000,
        }),
      ),
    )
  })

  it('a node that leaves disappears from every other catalog promptly', async () => {
    nodes = new NodeProcesses()
    const name = uniqueNetworkName()
    const seed = await nodes.start(name, {}, 'seed')
    const rest = await nodes.startMany(3, name, { bootstrap: seed.ready.addresses })
    const all = [seed, ...rest]
    await Promise.all(all.map((n) => nodes.catalogOf(n, (c) => c.size === 3)))
    const [leaver, ...stay] = rest as [(typeof rest)[number], ...typeof rest]
    leaver.process.send({ type: 'close' })
    const closed = await leaver.process.waitFor((m) => m.type === 'closed')
    const gone = await Promise.all(
      [seed, ...stay].map((n) =>
        nodes.catalogOf(n, (c) => !c.peers.includes(leaver.ready.peerId), { since: 'start', timeout: 5_000 }),
      ),
    )
    for (const report of gone) expect(report.at - (closed.at as number)).toBeLessThan(2_000)
  })

  it('nodes that share only a network name and a local DHT find each other', async () => {
    nodes = new NodeProcesses()
    await using dht = await localDht({ nodes: 6 })
    const name = uniqueNetworkName()
    const all = await nodes.startMany(3, name, { dht: { bootstrap: dht.bootstrap } })
    await Promise.all(all.map((n) => nodes.catalogOf(n, (c) => c.size === 2)))
  })
})
