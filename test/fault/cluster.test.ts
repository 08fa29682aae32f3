/**
 * The namespace harness itself: reachability, two-way and one-way partitions, loss, link down/up,
 * and cleanup (close, exit hook, sweep after a crash). Runs only in the `fault` project
 * (`npx vitest run --project fault`); skips, naming the reason, where namespaces are unavailable.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { faultCapability } from './harness/capability.ts'
import { Cluster } from './harness/cluster.ts'
import { listNamespaces, sweepStaleNamespaces } from './harness/netns.ts'
import { nodeSpec, ProcessSet } from './harness/process.ts'
import {
  notesReceived,
  probe,
  reachable,
  sendNotes,
  startUdpPeers,
  type UdpPeer,
} from './harness/udp-peers.ts'
import { until } from './harness/until.ts'

const capability = await faultCapability()
const ORPHAN = fileURLToPath(new URL('./fixtures/orphan-cluster.ts', import.meta.url))

function skipUnlessCapable(ctx: { skip: (note?: string) => never }): void {
  if (!capability.ok) ctx.skip(`namespace faults unavailable: ${capability.reason}`)
}

function pair<T>(items: readonly T[], i: number, j: number): [T, T] {
  const a = items[i]
  const b = items[j]
  if (a === undefined || b === undefined) throw new Error(`no items ${i} and ${j}`)
  return [a, b]
}

describe('Cluster faults (3 hosts)', () => {
  let cluster: Cluster
  let peers: UdpPeer[]

  beforeAll(async () => {
    if (!capability.ok) return
    cluster = await Cluster.create({ hosts: 3 })
    peers = await startUdpPeers(cluster)
  })
  afterAll(async () => {
    await cluster?.close()
  })
  beforeEach(async (ctx) => {
    skipUnlessCapable(ctx)
    await cluster.heal()
  })

  it('lets every host reach every other host', async () => {
    for (const from of peers) {
      for (const to of peers) {
        if (from !== to) await reachable(from, to)
      }
    }
    const [a, b] = pair(peers, 0, 1)
    expect(await probe(a, b, 100)).toBe(100)
  })

  it('blocks traffic across a partition, keeps it inside, and heals', async () => {
    const [a, b] = pair(peers, 0, 1)
    const [, c] = pair(peers, 0, 2)
    await reachable(a, c)
    await cluster.partition([a.host, b.host], [c.host])
    expect(cluster.faults().blocked).toHaveLength(4)
    expect(await probe(a, c, 20, { settleMs: 300 })).toBe(0)
    expect(await probe(c, b, 20, { settleMs: 300 })).toBe(0)
    expect(await probe(a, b, 20)).toBe(20)
    await cluster.heal()
    expect(cluster.faults()).toEqual({ blocked: [], loss: [], linksDown: [] })
    await reachable(a, c)
    expect(await probe(c, a, 20)).toBe(20)
  })

  it('blocks one direction only with an asymmetric partition', async () => {
    const [a, b] = pair(peers, 0, 1)
    await reachable(a, b)
    await cluster.block(a.host, b.host)
    expect(cluster.faults().blocked).toEqual([{ from: a.host.name, to: b.host.name }])
    const beforeAtB = await notesReceived(b, a)
    const beforeAtA = await notesReceived(a, b)
    await sendNotes(a, b, 50)
    await sendNotes(b, a, 50)
    // Notes b → a arrive; a's own notes after them would have too, had they not been dropped.
    await until(async () => (await notesReceived(a, b)) === beforeAtA + 50, { what: 'notes b → a' })
    expect(await notesReceived(b, a)).toBe(beforeAtB)
    // Round trips fail both ways: the answers (or the pings) cross the blocked direction.
    expect(await probe(b, a, 10, { settleMs: 300 })).toBe(0)
    await cluster.unblock(a.host, b.host)
    await reachable(a, b)
  })

  it('drops roughly the configured share of packets', async () => {
    const [a, b] = pair(peers, 0, 1)
    await reachable(a, b)
    // Loss on a → b only: each ping is lost with p = 0.3, the pong path is clean.
    await cluster.setLoss(0.3, { from: a.host, to: b.host })
    expect(cluster.faults().loss).toEqual([{ from: a.host.name, to: b.host.name, probability: 0.3 }])
    const answered = await probe(a, b, 2000)
    // Mean 1400, sd ≈ 20.5: ±150 is more than 7 sd.
    expect(answered).toBeGreaterThan(1250)
    expect(answered).toBeLessThan(1550)
    await cluster.setLoss(0, { from: a.host, to: b.host })
    expect(cluster.faults().loss).toEqual([])
  })

  it('cuts a host off with link down and restores it with link up', async () => {
    const [a, b] = pair(peers, 0, 1)
    const [, c] = pair(peers, 0, 2)
    await reachable(a, c)
    await cluster.linkDown(c.host)
    expect(cluster.faults().linksDown).toEqual([c.host.name])
    expect(await probe(a, c, 10, { settleMs: 300 })).toBe(0)
    expect(await probe(a, b, 10)).toBe(10)
    await cluster.linkUp(c.host)
    await reachable(a, c)
  })

  it('rejects unknown hosts and bad probabilities with typed errors', async () => {
    await expect(cluster.isolate('nope')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })
    expect(() => cluster.host('nope')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    await expect(cluster.setLoss(1.5)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })
  })
})

describe('Cluster of 5 with the first host partitioned into the minority', () => {
  beforeEach(skipUnlessCapable)

  it('splits {n1, n2} from {n3, n4, n5} and heals', async () => {
    await using cluster = await Cluster.create({ hosts: 5, subnet: '10.78.1' })
    expect(cluster.hosts.map((h) => h.address)).toEqual([
      '10.78.1.1',
      '10.78.1.2',
      '10.78.1.3',
      '10.78.1.4',
      '10.78.1.5',
    ])
    const peers = await startUdpPeers(cluster)
    const [n1, n2] = pair(peers, 0, 1)
    const [n3, n5] = pair(peers, 2, 4)
    await cluster.partition(['n1', 'n2'], ['n3', 'n4', 'n5'])
    expect(cluster.faults().blocked).toHaveLength(12)
    expect(await probe(n1, n2, 10)).toBe(10)
    expect(await probe(n3, n5, 10)).toBe(10)
    expect(await probe(n1, n3, 10, { settleMs: 300 })).toBe(0)
    expect(await probe(n5, n2, 10, { settleMs: 300 })).toBe(0)
    await cluster.heal()
    await reachable(n1, n5)
    await reachable(n3, n2)
  })
})

describe('Cluster cleanup', () => {
  beforeEach(skipUnlessCapable)

  it('kills host processes and deletes its namespaces on close', async () => {
    const cluster = await Cluster.create({ hosts: 2 })
    const sleeper = cluster.hosts[1]?.spawn({ command: 'sleep', args: ['600'] })
    await until(() => sleeper?.pid !== undefined && existsSync(`/proc/${sleeper.pid}`), {
      what: 'sleeper running',
    })
    await cluster.close()
    expect(sleeper?.exitInfo?.signal).toBe('SIGKILL')
    expect((await listNamespaces()).filter((n) => n.startsWith(cluster.prefix))).toEqual([])
    await expect(cluster.heal()).rejects.toMatchObject({ code: 'ERR_CLOSED' })
  })

  it('removes namespaces of a process that exits without closing (exit hook)', async () => {
    const processes = new ProcessSet()
    try {
      const orphan = processes.spawn<{ type: 'created'; namespaces: string[] }>(nodeSpec(ORPHAN, ['exit']))
      const { namespaces } = await orphan.waitForType('created')
      await expect(orphan.exited).resolves.toEqual({ code: 0, signal: null })
      const left = await listNamespaces()
      expect(namespaces.filter((n) => left.includes(n))).toEqual([])
    } finally {
      await processes.close()
    }
  })

  it('sweeps namespaces (and what runs inside) left by a crashed run', async () => {
    const processes = new ProcessSet()
    try {
      const orphan = processes.spawn<{ type: 'created'; namespaces: string[]; sleeperPid: number }>(
        nodeSpec(ORPHAN),
      )
      const { namespaces, sleeperPid } = await orphan.waitForType('created')
      await orphan.kill()
      // SIGKILL runs no exit hook: the namespaces and the process inside are still there.
      expect((await listNamespaces()).filter((n) => namespaces.includes(n))).toHaveLength(3)
      expect(existsSync(`/proc/${sleeperPid}`)).toBe(true)
      const swept = await sweepStaleNamespaces()
      expect(swept.sort()).toEqual([...namespaces].sort())
      expect((await listNamespaces()).filter((n) => namespaces.includes(n))).toEqual([])
      await until(() => !existsSync(`/proc/${sleeperPid}`), { what: 'orphaned sleeper killed' })
    } finally {
      await processes.close()
    }
  })
})
