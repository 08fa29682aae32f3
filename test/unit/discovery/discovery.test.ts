/**
 * Discovery scenarios with real nodes on loopback (ports of mosaik's tests/discovery plus the
 * acceptance scenarios of issue 4 that fit in one process).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { DiscoveryEvent } from '../../../runtime/discovery/events.ts'
import { ANNOUNCE_PROTOCOL } from '../../../runtime/discovery/protocol.ts'
import { Network } from '../../../runtime/network/network.ts'
import { decode, encodeCanonical } from '../../../runtime/primitives/codec.ts'
import { id } from '../../../runtime/primitives/digest.ts'
import {
  closeAll,
  createNetworks,
  discoverAll,
  scaled,
  testNetworkOptions,
  uniqueNetworkName,
} from '../../../runtime/testing/index.ts'

const open: Network[] = []

async function nodes(count: number, options: Parameters<typeof createNetworks>[1] = {}): Promise<Network[]> {
  const created = await createNetworks(count, options)
  open.push(...created)
  return created
}

function knowsAll(network: Network, others: readonly Network[]): Promise<unknown> {
  const ids = others.filter((o) => o !== network).map((o) => o.peerId)
  return network.discovery.when((c) => ids.every((p) => c.has(p)), { timeout: scaled(10_000) })
}

function record(network: Network): DiscoveryEvent[] {
  const events: DiscoveryEvent[] = []
  network.discovery.subscribe((e) => events.push(e))
  return events
}

afterEach(async () => {
  await closeAll(open.splice(0))
})

describe('discovery', () => {
  it('converges: 10 nodes bootstrapped from one node all see each other', async () => {
    const [seed] = await nodes(1)
    const seedNode = seed as Network
    const name = seedNode.networkId.hex
    const rest = await nodes(10, { name, bootstrap: seedNode.addresses })
    const all = [seedNode, ...rest]
    await Promise.all(all.map((n) => knowsAll(n, all)))
    for (const n of all) expect(n.discovery.catalog.size).toBe(10)
  })

  it('syncs on demand with a node it only knows the address of', async () => {
    const [a, b] = (await nodes(2)) as [Network, Network]
    b.discovery.addTags('tag1', 'tag2')
    expect(a.discovery.catalog.size).toBe(0)
    expect(await a.discovery.syncWith(b.addresses[0] as string)).toBe(b.peerId)
    expect(a.discovery.catalog.get(b.peerId)?.tags).toEqual(['tag1', 'tag2'])
    await knowsAll(b, [a])
    // An entry passed on out of band is verified like any other.
    const [c] = (await nodes(1, { name: a.networkId.hex })) as [Network]
    const envelope = a.discovery.catalog.signed(b.peerId)?.envelope
    if (!envelope) throw new Error('no entry to feed')
    expect(c.discovery.feed(envelope)).toBe(true)
    expect(c.discovery.feed(envelope)).toBe(false)
    expect(c.discovery.feed({ body: envelope.body, sig: new Uint8Array(64) })).toBe(false)
    expect(c.discovery.catalog.get(b.peerId)?.tags).toEqual(['tag1', 'tag2'])
  })

  it('keeps different networks apart', async () => {
    const netA = await nodes(2)
    const netB = await nodes(3)
    for (const x of [...netA, ...netB]) {
      for (const y of [...netA, ...netB]) if (x !== y) await x.discovery.dial(...y.addresses)
    }
    await Promise.all([...netA.map((n) => knowsAll(n, netA)), ...netB.map((n) => knowsAll(n, netB))])
    for (const n of netA) expect(n.discovery.catalog.size).toBe(1)
    for (const n of netB) expect(n.discovery.catalog.size).toBe(2)
    const rejected = await netA[0]?.metrics.value('mosaik_discovery_rejected_total', { reason: 'network' })
    expect(rejected).toBeGreaterThan(0)
  })

  it('propagates runtime changes of tags, streams, groups and tickets', async () => {
    const all = await nodes(3)
    await discoverAll(all)
    const [a, b, c] = all as [Network, Network, Network]
    const events = record(c)
    a.discovery.addTags('leader-ish')
    a.discovery.addStreams(id('orders'))
    a.discovery.addGroups(id('matcher'))
    a.discovery.addTicket({ class: id('mosaik.tickets.jwt.v1'), data: new TextEncoder().encode('jwt') })
    for (const n of [b, c]) {
      await n.discovery.when(
        (cat) => {
          const e = cat.get(a.peerId)
          return (
            !!e &&
            e.tags.includes('leader-ish') &&
            e.streams.length === 1 &&
            e.groups.length === 1 &&
            e.tickets.length === 1
          )
        },
        { timeout: scaled(5_000) },
      )
    }
    expect(c.discovery.catalog.producersOf(id('orders')).map((p) => p.peerId)).toEqual([a.peerId])
    expect(events.some((e) => e.type === 'updated' && e.entry.peerId === a.peerId)).toBe(true)
    a.discovery.removeTags('leader-ish')
    a.discovery.removeStreams(id('orders'))
    await c.discovery.when(
      (cat) => cat.get(a.peerId)?.tags.length === 0 && cat.producersOf(id('orders')).length === 0,
      {
        timeout: scaled(5_000),
      },
    )
  })

  it('a departing node disappears from every catalog promptly (graceful departure)', async () => {
    const all = await nodes(4)
    await discoverAll(all)
    const [leaver, ...stay] = all as [Network, ...Network[]]
    const events = stay.map(record)
    const started = performance.now()
    await leaver.close()
    await Promise.all(
      stay.map((n) => n.discovery.when((c) => !c.has(leaver.peerId), { timeout: scaled(3_000) })),
    )
    expect(performance.now() - started).toBeLessThan(scaled(3_000))
    for (const list of events) {
      expect(list).toContainEqual(
        expect.objectContaining({ type: 'departed', peerId: leaver.peerId, reason: 'departed' }),
      )
    }
  })

  it('purges silent peers after purgeAfter and rediscovers them when they announce again', async () => {
    const name = uniqueNetworkName()
    const [quick] = await nodes(1, {
      name,
      discovery: { purgeAfter: 800, announceInterval: 300, announceJitter: 0 },
    })
    const [slow] = await nodes(1, {
      name,
      discovery: { purgeAfter: 60_000, announceInterval: 2_500, announceJitter: 0 },
    })
    const q = quick as Network
    const s = slow as Network
    const events = record(q)
    await q.discovery.syncWith(s.addresses[0] as string)
    expect(q.discovery.catalog.has(s.peerId)).toBe(true)
    await q.discovery.when((c) => !c.has(s.peerId), { timeout: scaled(5_000) })
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'departed', peerId: s.peerId, reason: 'purged' }),
    )
    expect(s.discovery.catalog.has(q.peerId)).toBe(true)
    // The slow node's next periodic announce brings it back.
    await q.discovery.when((c) => c.has(s.peerId), { timeout: scaled(5_000) })
  })

  it('refuses a tampered entry relayed by a third node and counts it', async () => {
    const all = await nodes(3)
    await discoverAll(all)
    const [victim, honest, relay] = all as [Network, Network, Network]
    const genuine = relay.discovery.catalog.signed(honest.peerId)?.envelope
    if (!genuine) throw new Error('relay does not know the honest node')
    const fields = decode(genuine.body) as Record<string, unknown>
    fields.tags = ['hijacked']
    fields.update = (fields.update as number) + 1
    const forged = { body: encodeCanonical(fields), sig: genuine.sig }
    const link = await relay.connect(victim.peerId, ANNOUNCE_PROTOCOL)
    await link.send({ t: 'entry', e: forged })
    await link.send({ t: 'entry', e: { body: 'garbage' } })
    await link.send('not even a message')
    await link.close()
    await expect
      .poll(() => victim.metrics.value('mosaik_discovery_rejected_total', { reason: 'signature' }), {
        timeout: scaled(3_000),
      })
      .toBe(1)
    expect(await victim.metrics.value('mosaik_discovery_rejected_total', { reason: 'malformed' })).toBe(2)
    expect(victim.discovery.catalog.get(honest.peerId)?.tags).toEqual([])
  })

  it('bounds memory under a flood: rate-limited per link, catalog capped at maxPeers', async () => {
    const name = uniqueNetworkName()
    const [victim] = await nodes(1, { name, discovery: { maxPeers: 3, maxAnnouncementsPerSecond: 50 } })
    const v = victim as Network
    const floodersCount = 5
    const flooders = await nodes(floodersCount, { name })
    await Promise.all(
      flooders.map((f) => f.discovery.syncWith(v.addresses[0] as string).catch(() => undefined)),
    )
    expect(v.discovery.catalog.size).toBe(3)
    expect(await v.metrics.value('mosaik_discovery_rejected_total', { reason: 'capacity' })).toBeGreaterThan(
      0,
    )
    const flooder = flooders[0] as Network
    const link = await flooder.connect(v.peerId, ANNOUNCE_PROTOCOL)
    const own = flooder.discovery.catalog.signed(flooder.peerId)?.envelope
    for (let i = 0; i < 2_000; i++)
      if (!link.trySend({ t: 'entry', e: own })) await link.send({ t: 'entry', e: own })
    await link.close()
    await expect
      .poll(() => v.metrics.value('mosaik_discovery_rejected_total', { reason: 'rate-limit' }), {
        timeout: scaled(3_000),
      })
      .toBeGreaterThan(1_000)
    expect(v.discovery.catalog.size).toBe(3)
  })

  it('measures a smoothed RTT per peer', async () => {
    const [a, b] = (await nodes(2)) as [Network, Network]
    await discoverAll([a, b])
    const rtt = await a.discovery.ping(b.peerId)
    expect(rtt).toBeGreaterThan(0)
    expect(a.discovery.rtt(b.peerId)?.samples).toBeGreaterThanOrEqual(1)
  })

  it('keeps everything after the bootstrap node is gone', async () => {
    const [seed] = await nodes(1)
    const s = seed as Network
    const rest = await nodes(5, { name: s.networkId.hex, bootstrap: s.addresses })
    await Promise.all([s, ...rest].map((n) => knowsAll(n, [s, ...rest])))
    await s.close()
    await Promise.all(rest.map((n) => n.discovery.when((c) => !c.has(s.peerId), { timeout: scaled(3_000) })))
    // Updates still reach everyone without the bootstrap node.
    rest[0]?.discovery.addTags('after-seed')
    for (const n of rest) {
      await n.discovery.when(
        (c) => c.get(rest[0]?.peerId ?? '')?.tags.includes('after-seed') ?? n === rest[0],
        {
          timeout: scaled(5_000),
        },
      )
      expect(n.discovery.catalog.size).toBe(4)
    }
  })

  it('close() of every node leaves no open handles (checked by the test setup)', async () => {
    const all = await nodes(3, { metrics: '127.0.0.1:0' })
    await discoverAll(all)
    await closeAll(open.splice(0))
    const extra = await Network.create(uniqueNetworkName(), testNetworkOptions())
    await extra.close()
  })
})
