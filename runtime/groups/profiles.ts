/**
 * Timing profiles of a group. A profile fixes the Raft timing (tick length, heartbeat, election
 * timeout, read mode, snapshot interval) and the runtime's own timeouts (bond handshake and
 * liveness, formation delay, autopilot grace periods, command and sync timeouts).
 *
 * - `lan` (default): a data-centre or LAN; 100 ms heartbeats, 0.5–1 s election timeout.
 * - `wan`: members across regions; 500 ms heartbeats, 3–6 s election timeout.
 * - `mosaik`: the Rust original's defaults (500 ms heartbeats, 2 s election timeout, 3 s
 *   bootstrap delay, 2 s handshake and forward timeouts, 10 missed heartbeats).
 *
 * The settings that must agree across members for safety and liveness (the Raft timing, the read
 * mode and the snapshot interval, which makes replicas snapshot at the same indexes) are digested
 * into the StoreId: members with different values never bond. With the `lan` defaults the StoreId
 * is exactly `derive(GroupId, typeSignature)` (what `mosaik ids` prints); any other value adds one
 * more derivation step with that digest.
 */
import { encodeCanonical } from '../primitives/codec.ts'
import { type Digest, derive } from '../primitives/digest.ts'
import { ConfigError } from '../primitives/errors.ts'

/** Raft settings every member must share (they feed the StoreId). */
export interface ConsensusTiming {
  /** Length of one Raft tick in ms. */
  readonly tickMs: number
  /** Ticks between leader heartbeats. */
  readonly heartbeatTicks: number
  /** Election timeout in ticks; each follower draws its timeout from [n, 2n). */
  readonly electionTicks: number
  /** How a leader confirms linearizable reads. */
  readonly readMode: 'read-index' | 'lease'
  /** Lease safety margin in ticks (lease reads only). */
  readonly leaseMarginTicks: number
  /** Replicas snapshot the state machine after every index that is a multiple of this. */
  readonly snapshotEvery: number
}

/** Settings each node may choose for itself. */
export interface LocalTiming {
  /** Entries kept in the log behind a snapshot, to serve slightly lagging followers. */
  readonly compactionMargin: number
  /** Bond handshake deadline (ms). */
  readonly handshakeMs: number
  /** A bond sends a ping after this long without sending anything (ms). */
  readonly bondPingMs: number
  /** A bond that received nothing for this long is dead and is closed (ms). */
  readonly bondTimeoutMs: number
  /** An empty node waits this long for an existing group before founding one (ms). */
  readonly formationDelayMs: number
  /** A learner must be bonded and caught up for this long before it becomes a voter (ms). */
  readonly promoteAfterMs: number
  /** A member without a live bond to the leader for this long is removed (ms). */
  readonly removeAfterMs: number
  /** Most voters the autopilot keeps (odd counts are preferred; the rest stay learners). */
  readonly maxVoters: number
  /** Default deadline of execute/feed/query when the caller gives none (ms). */
  readonly commandTimeoutMs: number
  /** Deadline of one forwarded request to the leader before it is retried (ms). */
  readonly forwardTimeoutMs: number
  /** Bytes per snapshot chunk request during state sync. */
  readonly syncChunkBytes: number
  /** Deadline of one snapshot chunk request (ms); a peer that misses it is dropped. */
  readonly syncRequestMs: number
}

/** Everything a group's timing consists of. */
export interface GroupTiming extends ConsensusTiming, LocalTiming {}

/** The names of the built-in profiles. */
export type GroupProfileName = 'lan' | 'wan' | 'mosaik'

const LAN: GroupTiming = Object.freeze({
  tickMs: 50,
  heartbeatTicks: 2,
  electionTicks: 10,
  readMode: 'read-index',
  leaseMarginTicks: 2,
  snapshotEvery: 50_000,
  compactionMargin: 5_000,
  handshakeMs: 2_000,
  bondPingMs: 250,
  bondTimeoutMs: 2_500,
  formationDelayMs: 1_000,
  promoteAfterMs: 1_000,
  removeAfterMs: 15_000,
  maxVoters: 5,
  commandTimeoutMs: 10_000,
  forwardTimeoutMs: 2_000,
  syncChunkBytes: 256 * 1024,
  syncRequestMs: 5_000,
})

const PROFILES: Readonly<Record<GroupProfileName, GroupTiming>> = Object.freeze({
  lan: LAN,
  wan: Object.freeze({
    ...LAN,
    tickMs: 100,
    heartbeatTicks: 5,
    electionTicks: 30,
    handshakeMs: 10_000,
    bondPingMs: 1_000,
    bondTimeoutMs: 10_000,
    formationDelayMs: 5_000,
    promoteAfterMs: 5_000,
    removeAfterMs: 120_000,
    commandTimeoutMs: 30_000,
    forwardTimeoutMs: 10_000,
    syncRequestMs: 15_000,
  }),
  mosaik: Object.freeze({
    ...LAN,
    tickMs: 100,
    heartbeatTicks: 5,
    electionTicks: 20,
    handshakeMs: 2_000,
    bondPingMs: 500,
    bondTimeoutMs: 5_000,
    formationDelayMs: 3_000,
    promoteAfterMs: 2_000,
    removeAfterMs: 30_000,
    forwardTimeoutMs: 2_000,
  }),
})

/** The built-in profile names. */
export const GROUP_PROFILES: readonly GroupProfileName[] = Object.freeze(['lan', 'wan', 'mosaik'])

function isProfileName(name: string): name is GroupProfileName {
  return (GROUP_PROFILES as readonly string[]).includes(name)
}

/**
 * The timing of profile `name` (default `lan`) with `overrides`, validated. Throws ConfigError for
 * an unknown profile or an inconsistent value.
 */
export function groupTiming(name = 'lan', overrides: Partial<GroupTiming> = {}): GroupTiming {
  if (!isProfileName(name)) {
    throw new ConfigError(`unknown group profile '${name}' (expected one of ${GROUP_PROFILES.join(', ')})`)
  }
  const timing: GroupTiming = { ...PROFILES[name], ...overrides }
  for (const [key, value] of Object.entries(timing)) {
    if (key === 'readMode') continue
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ConfigError(`group timing '${key}' must be a non-negative integer, got ${String(value)}`)
    }
  }
  if (timing.readMode !== 'read-index' && timing.readMode !== 'lease') {
    throw new ConfigError(`group timing 'readMode' must be 'read-index' or 'lease'`)
  }
  const positive: (keyof GroupTiming)[] = [
    'tickMs',
    'heartbeatTicks',
    'snapshotEvery',
    'handshakeMs',
    'bondPingMs',
    'maxVoters',
    'commandTimeoutMs',
    'forwardTimeoutMs',
    'syncChunkBytes',
    'syncRequestMs',
  ]
  for (const key of positive) {
    if ((timing[key] as number) < 1) throw new ConfigError(`group timing '${key}' must be at least 1`)
  }
  if (timing.electionTicks <= timing.heartbeatTicks) {
    throw new ConfigError('group timing: electionTicks must exceed heartbeatTicks')
  }
  if (timing.bondTimeoutMs <= timing.bondPingMs) {
    throw new ConfigError('group timing: bondTimeoutMs must exceed bondPingMs')
  }
  return timing
}

/** The consensus-relevant part of a timing, in a fixed shape. */
export function consensusOf(timing: ConsensusTiming): ConsensusTiming {
  return {
    tickMs: timing.tickMs,
    heartbeatTicks: timing.heartbeatTicks,
    electionTicks: timing.electionTicks,
    readMode: timing.readMode,
    leaseMarginTicks: timing.leaseMarginTicks,
    snapshotEvery: timing.snapshotEvery,
  }
}

function sameConsensus(a: ConsensusTiming, b: ConsensusTiming): boolean {
  return (
    a.tickMs === b.tickMs &&
    a.heartbeatTicks === b.heartbeatTicks &&
    a.electionTicks === b.electionTicks &&
    a.readMode === b.readMode &&
    a.leaseMarginTicks === b.leaseMarginTicks &&
    a.snapshotEvery === b.snapshotEvery
  )
}

/**
 * The StoreId members bond on: `baseStoreId` (`derive(GroupId, typeSignature)`) when the consensus
 * settings are the `lan` defaults, otherwise `derive(baseStoreId, "consensus", digest)` where the
 * digest covers the canonical encoding of those settings.
 */
export function storeIdWithConsensus(baseStoreId: Digest, timing: ConsensusTiming): Digest {
  if (sameConsensus(timing, LAN)) return baseStoreId
  return derive(baseStoreId, 'consensus', encodeCanonical({ ...consensusOf(timing) }))
}
