import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Network } from '../../../runtime/network/network.ts'
import { resolveDht } from '../../../runtime/network/options.ts'
import { protocolId } from '../../../runtime/network/protocols.ts'
import { id } from '../../../runtime/primitives/digest.ts'
import {
  closeAll,
  createNetworks,
  discoverAll,
  scaled,
  testNetworkOptions,
  uniqueNetworkName,
} from '../../../runtime/testing/index.ts'

describe('Network identity and options', () => {
  it('derives a stable PeerId from a secret (hex or seed phrase) and a random one without', async () => {
    const name = uniqueNetworkName()
    const seeded = await Network.create(name, testNetworkOptions({ secretKey: 'beacon-secret' }))
    const again = await Network.create(name, testNetworkOptions({ secretKey: id('beacon-secret').hex }))
    const random = await Network.create(name, testNetworkOptions())
    try {
      expect(seeded.peerId).toBe(again.peerId)
      expect(random.peerId).not.toBe(seeded.peerId)
      expect(seeded.networkId.equals(id(name))).toBe(true)
      for (const address of seeded.addresses) {
        expect(address).toMatch(/^\/ip4\/127\.0\.0\.1\/(udp\/\d+\/quic-v1|tcp\/\d+)\/p2p\/12D3KooW/)
        expect(address).not.toMatch(/\/(udp|tcp)\/0\//)
      }
    } finally {
      await closeAll([seeded, again, random])
    }
  })

  it('MOSAIK_DHT=off disables the public DHT whatever the code says, but keeps private bootstrap lists', () => {
    expect(resolveDht(undefined, { MOSAIK_DHT: 'off' })).toBe(false)
    expect(resolveDht(true, { MOSAIK_DHT: 'off' })).toBe(false)
    expect(resolveDht(true, {})).toBe('public')
    expect(resolveDht(undefined, {})).toBe('public')
    expect(resolveDht(false, {})).toBe(false)
    expect(resolveDht({ bootstrap: ['127.0.0.1:6881'] }, { MOSAIK_DHT: 'off' })).toEqual(['127.0.0.1:6881'])
    expect(() => resolveDht({ bootstrap: ['nonsense'] })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    )
    // The test setup itself sets it.
    expect(process.env.MOSAIK_DHT).toBe('off')
  })

  it('rejects bad options with ERR_CONFIG before starting anything', async () => {
    await expect(Network.create('x', { listen: ['not a multiaddr'] })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    })
    await expect(
      Network.create('x', testNetworkOptions({ discovery: { purgeAfter: -1 } })),
    ).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    })
  })

  it('a node that fails to start releases everything it started', async () => {
    const name = uniqueNetworkName()
    await expect(Network.create(name, testNetworkOptions({ tags: [''] }))).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    })
    const holder = await Network.create(name, testNetworkOptions({ metrics: '127.0.0.1:0' }))
    try {
      const taken = holder.metricsAddress as string
      await expect(Network.create(name, testNetworkOptions({ metrics: taken }))).rejects.toMatchObject({
        code: 'ERR_CONFIG',
      })
    } finally {
      await holder.close()
    }
  })

  it('names protocols /mosaik/<subsystem>/<version>', () => {
    expect(protocolId('streams', 1)).toBe('/mosaik/streams/1')
    expect(protocolId('discovery', 'sync', 1)).toBe('/mosaik/discovery/sync/1')
    expect(() => protocolId('Bad Name', 1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
  })
})

describe('Network protocol routing', () => {
  let a: Network
  let b: Network

  beforeAll(async () => {
    ;[a, b] = (await createNetworks(2)) as [Network, Network]
    await discoverAll([a, b])
    await a.handle('/mosaik/echo/1', async (link) => {
      for await (const message of link) await link.send(message)
    })
  })

  afterAll(async () => {
    await closeAll([a, b])
  })

  it('connects by PeerId and by multiaddr and routes to the handler', async () => {
    const byId = await b.connect(a.peerId, '/mosaik/echo/1')
    await byId.send({ n: 1 })
    expect(await byId.receive()).toEqual({ n: 1 })
    await byId.close()
    const byAddress = await b.connect(a.addresses[0] as string, '/mosaik/echo/1')
    expect(byAddress.peer).toBe(a.peerId)
    await byAddress.close()
    expect(b.isConnected(a.peerId)).toBe(true)
  })

  it('falls back to TCP when a peer only listens on TCP', async () => {
    const tcpOnly = await Network.create(
      a.networkId,
      testNetworkOptions({ listen: ['/ip4/127.0.0.1/tcp/0'] }),
    )
    try {
      await tcpOnly.handle('/mosaik/echo/1', async (link) => {
        for await (const message of link) await link.send(message)
      })
      const link = await b.connect(tcpOnly.addresses[0] as string, '/mosaik/echo/1')
      await link.send('over tcp')
      expect(await link.receive()).toBe('over tcp')
      await link.close()
    } finally {
      await tcpOnly.close()
    }
  })

  it('reports a protocol the peer does not speak as ERR_CONNECT', async () => {
    await expect(b.connect(a.peerId, '/mosaik/nothing/1')).rejects.toMatchObject({ code: 'ERR_CONNECT' })
  })

  it('reports an unreachable peer as ERR_CONNECT and honours timeouts', async () => {
    const stranger = await Network.create(uniqueNetworkName(), testNetworkOptions())
    const address = stranger.addresses[0] as string
    const strangerId = stranger.peerId
    await stranger.close()
    await expect(b.connect(address, '/mosaik/echo/1', { timeout: scaled(1_000) })).rejects.toMatchObject({
      code: expect.stringMatching(/ERR_CONNECT|ERR_TIMEOUT/),
    })
    await expect(b.connect(strangerId, '/mosaik/echo/1')).rejects.toMatchObject({ code: 'ERR_CONNECT' })
  })

  it('refuses a second handler for the same protocol and malformed protocol ids', async () => {
    await expect(a.handle('/mosaik/echo/1', () => {})).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })
    await expect(a.handle('/other/echo/1', () => {})).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })
  })

  it('serves metrics over HTTP when asked to', async () => {
    const node = await Network.create(uniqueNetworkName(), testNetworkOptions({ metrics: '127.0.0.1:0' }))
    try {
      const response = await fetch(`http://${node.metricsAddress}/metrics`)
      const text = await response.text()
      expect(response.status).toBe(200)
      expect(text).toContain('mosaik_discovery_catalog_size')
      expect(text).toContain('mosaik_network_egress_bytes_total')
    } finally {
      await node.close()
    }
  })

  it('close() is idempotent and refuses new work afterwards', async () => {
    const node = await Network.create(uniqueNetworkName(), testNetworkOptions())
    await Promise.all([node.close(), node.close()])
    await expect(node.connect(a.peerId, '/mosaik/echo/1')).rejects.toMatchObject({ code: 'ERR_CLOSED' })
  })
})
