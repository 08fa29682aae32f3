/**
 * libp2p through the user-space proxies, as the README documents: node A dials node B's proxy
 * address instead of B's own, and every packet of the connection takes the proxy's faults.
 * Assertions are lower bounds on round-trip times (a delay can only add) and on counters.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { quic } from '@chainsafe/libp2p-quic'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Libp2p } from '@libp2p/interface'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { TcpFaultProxy } from './harness/tcp-proxy.ts'
import { UdpFaultProxy } from './harness/udp-proxy.ts'

type PingNode = Libp2p<{ ping: Ping }>

function node(listen: string): Promise<PingNode> {
  return createLibp2p({
    addresses: { listen: [listen] },
    transports: [quic(), tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 1_000 },
    connectionMonitor: { enabled: false },
    // Under loss a finished ping stream may still be closing when the next ping opens one.
    services: { ping: ping({ maxOutboundStreams: 16, maxInboundStreams: 16 }) },
  })
}

/** The port of B's first listen address using the given transport marker. */
function listenPort(b: PingNode, marker: '/quic-v1' | '/tcp/'): number {
  const address = b.getMultiaddrs().find((m) => m.toString().includes(marker))
  const port = address?.toString().match(/\/(?:udp|tcp)\/(\d+)/)?.[1]
  if (port === undefined) throw new Error(`B has no ${marker} address`)
  return Number(port)
}

describe('libp2p through the fault proxies', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })

  async function nodes(listen: string): Promise<[PingNode, PingNode]> {
    const a = await node(listen)
    cleanup.push(() => a.stop())
    const b = await node(listen)
    cleanup.push(() => b.stop())
    return [a, b]
  }

  it('QUIC: pings through the UDP proxy take at least the added delay, and loss is survived', async () => {
    const [a, b] = await nodes('/ip4/127.0.0.1/udp/0/quic-v1')
    const proxy = await UdpFaultProxy.start({
      target: { host: '127.0.0.1', port: listenPort(b, '/quic-v1') },
    })
    cleanup.push(() => proxy.close())
    const viaProxy = multiaddr(`/ip4/127.0.0.1/udp/${proxy.address.port}/quic-v1/p2p/${b.peerId}`)
    const direct = await a.services.ping.ping(viaProxy)
    expect(direct).toBeGreaterThanOrEqual(0)

    proxy.configure({ delayMs: 25, jitterMs: 5 })
    const delayed = await a.services.ping.ping(viaProxy)
    expect(delayed).toBeGreaterThanOrEqual(50)
    expect(proxy.stats().forward.received).toBeGreaterThan(0)
    expect(proxy.stats().backward.received).toBeGreaterThan(0)

    // 20 % loss each way: QUIC retransmits, pings still complete.
    proxy.configure({ loss: 0.2 })
    for (let i = 0; i < 5; i++) await a.services.ping.ping(viaProxy)
    expect(proxy.stats().forward.dropped + proxy.stats().backward.dropped).toBeGreaterThan(0)
  })

  it('TCP: pings through the TCP proxy take at least the added delay', async () => {
    const [a, b] = await nodes('/ip4/127.0.0.1/tcp/0')
    const proxy = await TcpFaultProxy.start({ target: { host: '127.0.0.1', port: listenPort(b, '/tcp/') } })
    cleanup.push(() => proxy.close())
    const viaProxy = multiaddr(`/ip4/127.0.0.1/tcp/${proxy.address.port}/p2p/${b.peerId}`)
    await a.services.ping.ping(viaProxy)
    proxy.configure({ delayMs: 25 })
    expect(await a.services.ping.ping(viaProxy)).toBeGreaterThanOrEqual(50)
    expect(proxy.stats()).toMatchObject({ accepted: 1, connections: 1 })
  })
})
