/**
 * `Network.create` options and how they resolve to a concrete configuration (defaults, the
 * `MOSAIK_DHT=off` override, validation).
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { DiscoveryConfig, TimingProfile } from '../discovery/config.ts'
import { ConfigError } from '../primitives/errors.ts'
import type { Logger } from '../primitives/logger.ts'
import type { SecretKeyInput } from './identity.ts'

/** Where the Mainline DHT bootstrap comes from: the public DHT, a private one, or none. */
export type DhtOption = boolean | { bootstrap: string[] }

export interface NetworkOptions {
  /** The node key: 64 hex chars, a seed phrase (hashed) or 32 bytes. Stable key → stable PeerId. Random by default. */
  secretKey?: SecretKeyInput
  /**
   * Listen multiaddrs. Default: QUIC and TCP on every IPv4 interface with random ports
   * (`/ip4/0.0.0.0/udp/0/quic-v1`, `/ip4/0.0.0.0/tcp/0`). QUIC is preferred when dialing; TCP is the fallback.
   */
  listen?: string[]
  /** Multiaddrs of known peers to sync with at start (`/ip4/…/udp/…/quic-v1/p2p/<id>`; `/p2p` optional). */
  bootstrap?: string[]
  /** Tags in the local entry at start. */
  tags?: string[]
  /** Find peers on the local network by mDNS (default false). */
  mdns?: boolean
  /**
   * Mainline DHT bootstrap: `true` (default) uses the public DHT as mosaik does; `{ bootstrap: ['host:port'] }`
   * a private one (see `localDht()` in `mosaik/testing`); `false` none. `MOSAIK_DHT=off` in the environment
   * turns the public DHT off whatever this says (a private bootstrap list still works).
   */
  dht?: DhtOption
  /** Serve Prometheus metrics at `host:port` (port 0 picks one; see `network.metricsAddress`). */
  metrics?: string
  /** Parent logger; the network logs through a child of it. */
  logger?: Logger
  /** Timing defaults: `default` (production) or `fast` (tests, demos). */
  profile?: TimingProfile
  /** Individual discovery settings, over the profile's. */
  discovery?: Partial<DiscoveryConfig>
  /**
   * Join as a silent observer: read the catalog (sync, gossip, DHT slots) without announcing this
   * node — its entry is never sent, it claims no DHT slot and sends no departure. For tools such as
   * `mosaik inspect`. Default false.
   */
  observer?: boolean
  /** Connection limits; the defaults suit hundreds of peers on one host. */
  connections?: ConnectionLimits
}

export interface ConnectionLimits {
  /** Most open connections (default 1000). */
  maxConnections?: number
  /** Inbound connections accepted per second from one host (default 1000; libp2p's 5 breaks loopback meshes). */
  inboundPerSecond?: number
  /** Inbound connections still in their handshake (default 256). */
  maxPendingInbound?: number
}

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/udp/0/quic-v1', '/ip4/0.0.0.0/tcp/0']

/** The DHT setting after the environment override: `false`, `'public'` or a private bootstrap list. */
export function resolveDht(option: DhtOption | undefined, env = process.env): false | 'public' | string[] {
  const value = option ?? true
  if (value === false) return false
  if (value === true) return env.MOSAIK_DHT === 'off' ? false : 'public'
  if (!Array.isArray(value.bootstrap) || value.bootstrap.length === 0) {
    throw new ConfigError("dht.bootstrap must list at least one 'host:port'")
  }
  for (const entry of value.bootstrap) {
    if (!/^[^:\s]+:\d{1,5}$/.test(entry))
      throw new ConfigError(`dht.bootstrap entry must be 'host:port', got '${entry}'`)
  }
  return [...value.bootstrap]
}

/** Checks that every string parses as a multiaddr; throws ConfigError naming the option otherwise. */
export function checkMultiaddrs(option: string, values: readonly string[]): void {
  for (const value of values) {
    try {
      multiaddr(value)
    } catch (cause) {
      throw new ConfigError(`${option}: not a multiaddr: '${value}'`, { cause })
    }
  }
}
