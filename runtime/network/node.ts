/**
 * The libp2p node behind a `Network`: QUIC (primary) and TCP + noise + yamux (fallback), optional
 * mDNS, and connection limits raised for many peers on one host.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { quic } from '@chainsafe/libp2p-quic'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Address, Ed25519PrivateKey, Libp2p } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Digest } from '../primitives/digest.ts'
import type { ConnectionLimits } from './options.ts'

export interface NodeInit {
  privateKey: Ed25519PrivateKey
  listen: string[]
  networkId: Digest
  mdns: boolean
  limits: ConnectionLimits
}

/**
 * Dial order: QUIC before TCP (libp2p's default sorter prefers TCP), public before private,
 * loopback last.
 */
function quicFirst(a: Address, b: Address): -1 | 0 | 1 {
  const rank = (address: Address): number => {
    const text = address.multiaddr.toString()
    const loopback = text.startsWith('/ip4/127.') || text.startsWith('/ip6/::1/') ? 2 : 0
    return loopback + (text.includes('/quic-v1') ? 0 : 1)
  }
  return Math.sign(rank(a) - rank(b)) as -1 | 0 | 1
}

/** Creates and starts the libp2p node; resolves once it listens. */
export async function createNode(init: NodeInit): Promise<Libp2p> {
  // One mDNS service per network, so nodes of other networks on the LAN are not even seen.
  const peerDiscovery = init.mdns
    ? [mdns({ serviceTag: `_mosaik-${init.networkId.short}._udp.local`, interval: 5_000 })]
    : []
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    transports: [
      quic({
        handshakeTimeout: 5_000,
        maxIdleTimeout: 15_000,
        keepAliveInterval: 5_000,
        maxConcurrentStreamLimit: 1024,
      }),
      tcp(),
    ],
    connectionEncrypters: [noise()],
    // A 4 MiB window keeps yamux within a link's read bound while paused (see link.ts).
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: 4 * 1024 * 1024 } })],
    peerDiscovery,
    connectionManager: {
      maxConnections: init.limits.maxConnections ?? 1_000,
      inboundConnectionThreshold: init.limits.inboundPerSecond ?? 1_000,
      maxIncomingPendingConnections: init.limits.maxPendingInbound ?? 256,
      maxParallelDials: 100,
      dialTimeout: 10_000,
      addressSorter: quicFirst,
    },
    // Liveness comes from QUIC keep-alives and discovery pings; the monitor would add a stream per
    // connection every 10 s and drop busy connections whose ping is slow.
    connectionMonitor: { enabled: false },
    start: true,
  })
}
