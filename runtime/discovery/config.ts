/**
 * Discovery timing and limits. Defaults follow mosaik (announce 45 s ± 50 %, purge after 300 s,
 * drift 50 s, RTT probes every 30 s, DHT polled every 1 s until a peer is known, then every 60 s);
 * the `fast` profile shrinks them for tests and local demos.
 */
import { ConfigError } from '../primitives/errors.ts'

export interface DiscoveryConfig {
  /** Periodic re-announce of the local entry, in ms. */
  announceInterval: number
  /** Each announce tick is drawn uniformly from `interval × [1 − jitter, 1 + jitter]`. */
  announceJitter: number
  /** Entries not refreshed for this long (ms) are removed and reported as departed. */
  purgeAfter: number
  /** Entries stamped further than this (ms) into the future are refused. */
  maxTimeDrift: number
  /** How often every peer is pinged to measure its round-trip time (ms; 0 disables). */
  rttProbeInterval: number
  /** Gossip neighbours this node dials itself (more arrive from peers that dial it). */
  neighbors: number
  /** Catalog syncs and pings run at most this many at a time. */
  maxConcurrentSyncs: number
  /** Timeout of one catalog sync or ping, in ms. */
  requestTimeout: number
  /** Most peers the catalog holds; beyond it new entries are refused (bounded memory under floods). */
  maxPeers: number
  /** Announcements accepted per second from one gossip link before the rest are dropped. */
  maxAnnouncementsPerSecond: number
  /** How long `close()` spends telling peers this node departs (ms). */
  departureWindow: number
  /** DHT slot polling while no peer is known, and once one is, in ms (plus up to a third as jitter). */
  dhtFastPoll: number
  dhtSlowPoll: number
  /** A DHT slot record older than this (ms) is stale and may be replaced. */
  dhtRecordTtl: number
}

/** Named sets of defaults: `default` for production, `fast` for tests and demos on one machine. */
export type TimingProfile = 'default' | 'fast'

const PROFILES: Record<TimingProfile, DiscoveryConfig> = {
  default: {
    announceInterval: 45_000,
    announceJitter: 0.5,
    purgeAfter: 300_000,
    maxTimeDrift: 50_000,
    rttProbeInterval: 30_000,
    neighbors: 5,
    maxConcurrentSyncs: 4,
    requestTimeout: 5_000,
    maxPeers: 10_000,
    maxAnnouncementsPerSecond: 200,
    departureWindow: 500,
    dhtFastPoll: 1_000,
    dhtSlowPoll: 60_000,
    dhtRecordTtl: 600_000,
  },
  fast: {
    announceInterval: 2_000,
    announceJitter: 0.5,
    purgeAfter: 10_000,
    maxTimeDrift: 50_000,
    rttProbeInterval: 5_000,
    neighbors: 5,
    maxConcurrentSyncs: 4,
    requestTimeout: 3_000,
    maxPeers: 10_000,
    maxAnnouncementsPerSecond: 200,
    departureWindow: 500,
    dhtFastPoll: 500,
    dhtSlowPoll: 5_000,
    dhtRecordTtl: 30_000,
  },
}

/** The profile's defaults with `overrides` applied, validated. */
export function discoveryConfig(
  profile: TimingProfile = 'default',
  overrides: Partial<DiscoveryConfig> = {},
): DiscoveryConfig {
  const base = PROFILES[profile]
  if (!base) throw new ConfigError(`unknown timing profile '${profile}' (expected 'default' or 'fast')`)
  const config = { ...base, ...overrides }
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`discovery.${key} must be a non-negative number, got ${String(value)}`)
    }
  }
  if (config.announceJitter >= 1) throw new ConfigError('discovery.announceJitter must be below 1')
  if (config.purgeAfter <= config.announceInterval) {
    throw new ConfigError('discovery.purgeAfter must be longer than discovery.announceInterval')
  }
  return config
}
