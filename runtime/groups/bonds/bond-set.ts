/**
 * The bonds of one group: which peers to bond with (every peer whose signed discovery entry
 * advertises the group's StoreId), dialing them, accepting their links, authorizing them (tickets,
 * the `require` predicate), keeping bonds alive and ending dead or duplicate ones.
 *
 * Dialing: the peer with the smaller id dials first; the other dials too if no bond appeared within
 * a handshake timeout, so one-sided discovery still bonds. When two bonds to one peer exist, the
 * newest wins on both sides (a restarted peer replaces its dead predecessor at once).
 */

import type { PeerInfo } from '../../codegen/streams.ts'
import type { PeerEntry } from '../../discovery/entry.ts'
import type { Link } from '../../network/link.ts'
import type { Network } from '../../network/network.ts'
import type { Digest } from '../../primitives/digest.ts'
import { isMosaikError, type MosaikError } from '../../primitives/errors.ts'
import type { Lifecycle } from '../../primitives/lifecycle.ts'
import type { Logger } from '../../primitives/logger.ts'
import { authorize, type TicketValidator } from '../../tickets/ticket.ts'
import type { GroupTiming } from '../profiles.ts'
import type { BondMessage, BondStatus } from '../wire/bond.ts'
import { Bond, type BondEnd } from './bond.ts'
import { acceptBond, type BondRefusal, type Hello, initiateBond, refuseBond } from './handshake.ts'

/** The groups protocol id. */
export const GROUPS_PROTOCOL = '/mosaik/groups/1'

/**
 * Bonds prefer TCP when the peer listens on it: replication is a steady stream of small frames,
 * which TCP with yamux carries with about half the CPU of QUIC's native binding (see bench/groups).
 */
const BOND_TRANSPORT = 'tcp'

/** Link settings of group bonds: room for a burst of replication traffic. */
export const BOND_LINK_OPTIONS = {
  maxWriteBuffer: 8 * 1024 * 1024,
  maxReadBuffer: 16 * 1024 * 1024,
  closeTimeout: 2_000,
}

/** What the bond set tells its group. */
export interface BondSetEvents {
  message(bond: Bond, message: BondMessage): void
  added(bond: Bond): void
  removed(bond: Bond, why: BondEnd): void
  refused(peer: string, reason: BondRefusal, by: 'local' | 'remote'): void
  malformed(bond: Bond, error: unknown): void
}

export interface BondSetInit {
  readonly network: Network
  readonly storeId: Digest
  readonly key: Uint8Array
  readonly timing: GroupTiming
  readonly validators: readonly TicketValidator[]
  readonly require: ((peer: PeerInfo) => boolean) | undefined
  readonly status: () => BondStatus
  /** The group's current members (voters and learners), looked for even when the catalog lost them. */
  readonly members: () => readonly string[]
  readonly events: BondSetEvents
  readonly lifecycle: Lifecycle
  readonly logger: Logger
}

const MIN_BACKOFF = 200
const MAX_BACKOFF = 10_000

export class BondSet {
  readonly #init: BondSetInit
  readonly #bonds = new Map<string, Bond>()
  readonly #dialing = new Set<string>()
  /** Earliest time to dial a peer again, and the current backoff. */
  readonly #backoff = new Map<string, { until: number; delay: number }>()
  /** When each advertising peer was first seen without a bond (for the second dialer's grace). */
  readonly #waitingSince = new Map<string, number>()
  readonly #expiry = new Map<string, NodeJS.Timeout>()
  #closed = false

  constructor(init: BondSetInit) {
    this.#init = init
  }

  /** The open bonds by peer id. */
  get bonds(): ReadonlyMap<string, Bond> {
    return this.#bonds
  }

  get(peer: string): Bond | undefined {
    return this.#bonds.get(peer)
  }

  /** Starts following the catalog and the liveness timer. */
  start(): void {
    const { network, lifecycle, timing } = this.#init
    lifecycle.defer(network.discovery.watch.subscribe(() => this.#maintain()))
    lifecycle.defer(
      network.discovery.subscribe((event) => {
        if (event.type === 'updated' && this.#bonds.has(event.entry.peerId))
          void this.#reauthorize(event.entry.peerId)
      }),
    )
    lifecycle.setInterval(() => this.#heartbeat(), timing.bondPingMs)
    this.#maintain()
  }

  /** Sends `message` to every bond. */
  broadcast(message: BondMessage): void {
    for (const bond of this.#bonds.values()) bond.send(message)
  }

  /** Accepts an inbound link whose hello names this group. */
  async accept(link: Link, hello: Hello): Promise<void> {
    const { timing } = this.#init
    if (this.#closed) return refuseBond(link, 'closing')
    const refusal = await this.#authorize(link.peer, true)
    if (refusal !== null) {
      this.#init.events.refused(link.peer, refusal, 'local')
      return refuseBond(link, refusal)
    }
    try {
      const status = await acceptBond(link, this.#handshakeSide(), hello, timing.handshakeMs)
      this.#register(link, link.peer, status)
    } catch (err) {
      this.#handshakeFailed(link, err)
    }
  }

  /** Ends every bond after telling the peers this node leaves. */
  async close(): Promise<void> {
    this.#closed = true
    for (const timer of this.#expiry.values()) clearTimeout(timer)
    this.#expiry.clear()
    const bonds = [...this.#bonds.values()]
    for (const bond of bonds) bond.send({ t: 'bye' })
    for (const bond of bonds) bond.end('left')
    await Promise.allSettled(bonds.map((bond) => bond.link.done))
  }

  // ------------------------------------------------------------------------------------------

  #handshakeSide() {
    const { storeId, key, network, status } = this.#init
    return { storeId, key, localPeer: network.peerId, status }
  }

  /** Peers whose entries advertise the store. */
  #advertisers(): PeerEntry[] {
    return this.#init.network.discovery.catalog.membersOf(this.#init.storeId)
  }

  /** Dials advertising peers that have no bond (respecting backoff and who dials first). */
  #maintain(): void {
    if (this.#closed) return
    const now = Date.now()
    const self = this.#init.network.peerId
    const advertising = new Set<string>()
    for (const entry of this.#advertisers()) {
      const peer = entry.peerId
      advertising.add(peer)
      if (this.#bonds.has(peer) || this.#dialing.has(peer)) {
        this.#waitingSince.delete(peer)
        continue
      }
      const since = this.#waitingSince.get(peer) ?? now
      this.#waitingSince.set(peer, since)
      const backoff = this.#backoff.get(peer)
      if (backoff !== undefined && backoff.until > now) continue
      // The smaller id dials at once; the other waits a handshake timeout for it to do so.
      if (self > peer && now - since < this.#init.timing.handshakeMs) continue
      void this.#dial(peer)
    }
    for (const peer of this.#waitingSince.keys()) if (!advertising.has(peer)) this.#waitingSince.delete(peer)
    for (const peer of this.#init.members()) {
      if (peer === self || advertising.has(peer) || this.#bonds.has(peer) || this.#dialing.has(peer)) continue
      const backoff = this.#backoff.get(peer)
      if (backoff === undefined || backoff.until <= now) void this.#rediscover(peer)
    }
  }

  /**
   * A member the catalog no longer lists (purged during a long partition, say): a catalog sync
   * with it by peer id (libp2p still knows its addresses) brings its entry back on both sides, and
   * the bond follows. Without this, two sides of a healed partition that each still see someone
   * could stay apart.
   */
  async #rediscover(peer: string): Promise<void> {
    this.#dialing.add(peer)
    try {
      await this.#init.network.discovery.syncWith(peer)
      this.#backoff.delete(peer)
    } catch {
      this.#failedAttempt(peer)
    } finally {
      this.#dialing.delete(peer)
    }
    if (this.#init.network.discovery.catalog.has(peer)) this.#maintain()
  }

  async #dial(peer: string): Promise<void> {
    const { network, timing } = this.#init
    this.#dialing.add(peer)
    let link: Link | undefined
    try {
      const refusal = await this.#authorize(peer, false)
      if (refusal !== null) {
        this.#init.events.refused(peer, refusal, 'local')
        this.#failedAttempt(peer)
        return
      }
      link = await network.connect(peer, GROUPS_PROTOCOL, {
        timeout: timing.handshakeMs,
        link: BOND_LINK_OPTIONS,
        transport: BOND_TRANSPORT,
      })
      const status = await initiateBond(link, this.#handshakeSide(), timing.handshakeMs)
      if (this.#closed) {
        link.abort()
        return
      }
      this.#register(link, network.peerId, status)
    } catch (err) {
      this.#failedAttempt(peer)
      if (link !== undefined) this.#handshakeFailed(link, err)
      else this.#init.logger.debug({ err, peer }, 'cannot reach group peer')
    } finally {
      this.#dialing.delete(peer)
    }
  }

  #failedAttempt(peer: string): void {
    const previous = this.#backoff.get(peer)?.delay ?? MIN_BACKOFF / 2
    const delay = Math.min(MAX_BACKOFF, previous * 2) * (0.75 + Math.random() / 2)
    this.#backoff.set(peer, { until: Date.now() + delay, delay })
  }

  #handshakeFailed(link: Link, err: unknown): void {
    link.abort()
    if (isMosaikError(err, 'ERR_REJECTED')) {
      const error = err as MosaikError & { reason: string }
      const by = error.details.by === 'remote' ? 'remote' : 'local'
      this.#init.events.refused(link.peer, error.reason as BondRefusal, by)
      this.#init.logger.debug({ peer: link.peer, reason: error.reason, by }, 'bond refused')
    } else {
      this.#init.logger.debug({ err, peer: link.peer }, 'bond handshake failed')
    }
  }

  /**
   * Null when `peer` may bond: it has a signed entry (fetched by a catalog sync for an unknown
   * inbound peer), passes `require`, and holds tickets every validator accepts. Schedules the bond's
   * end at the tickets' expiry.
   */
  async #authorize(peer: string, inbound: boolean): Promise<BondRefusal | null> {
    const { network, validators, require } = this.#init
    let entry = network.discovery.catalog.get(peer)
    if (entry === undefined && inbound) {
      await network.discovery.syncWith(peer).catch(() => undefined)
      entry = network.discovery.catalog.get(peer)
    }
    if (entry === undefined) return 'unknown-peer'
    if (require !== undefined && !safeRequire(require, entry)) return 'not-allowed'
    if (validators.length === 0) return null
    try {
      const validity = await authorize(entry.tickets, validators, {
        peerId: peer,
        networkId: network.networkId,
      })
      this.#scheduleExpiry(peer, validity.expiresAt)
      return null
    } catch {
      return 'not-allowed'
    }
  }

  #scheduleExpiry(peer: string, expiresAt: number | null): void {
    clearTimeout(this.#expiry.get(peer))
    this.#expiry.delete(peer)
    if (expiresAt === null || this.#closed) return
    const delay = Math.max(0, Math.min(expiresAt - Date.now(), 2 ** 31 - 1))
    this.#expiry.set(
      peer,
      setTimeout(() => void this.#reauthorize(peer), delay),
    )
  }

  /** Checks a bonded peer again (its entry changed or its tickets expired); ends the bond if refused. */
  async #reauthorize(peer: string): Promise<void> {
    const bond = this.#bonds.get(peer)
    if (bond === undefined) return
    if ((await this.#authorize(peer, false)) !== null) {
      this.#init.events.refused(peer, 'not-allowed', 'local')
      bond.end('not-allowed')
    }
  }

  #register(link: Link, initiator: string, status: BondStatus): void {
    const peer = link.peer
    if (this.#closed) {
      link.abort()
      return
    }
    const bond = new Bond(link, initiator, status, {
      message: (b, m) => this.#init.events.message(b, m),
      malformed: (b, err) => this.#init.events.malformed(b, err),
      ended: (b, why) => this.#ended(b, why),
    })
    const existing = this.#bonds.get(peer)
    this.#bonds.set(peer, bond)
    this.#backoff.delete(peer)
    this.#waitingSince.delete(peer)
    // The newest bond wins: the old one is either dead or a duplicate of a simultaneous dial.
    existing?.end('duplicate')
    bond.start()
    this.#init.events.added(bond)
  }

  #ended(bond: Bond, why: BondEnd): void {
    if (this.#bonds.get(bond.peer) === bond) {
      this.#bonds.delete(bond.peer)
      clearTimeout(this.#expiry.get(bond.peer))
      this.#expiry.delete(bond.peer)
      if (why !== 'left' && why !== 'duplicate') this.#failedAttempt(bond.peer)
    }
    this.#init.events.removed(bond, why)
  }

  /** Pings idle bonds, ends silent ones and retries dials whose backoff expired. */
  #heartbeat(): void {
    const { bondPingMs, bondTimeoutMs } = this.#init.timing
    const now = Date.now()
    for (const bond of [...this.#bonds.values()]) {
      if (now - bond.lastReceived > bondTimeoutMs) bond.end('timeout')
      else if (now - bond.lastSent >= bondPingMs) bond.send({ t: 'p' })
    }
    this.#maintain()
  }
}

function safeRequire(require: (peer: PeerInfo) => boolean, entry: PeerEntry): boolean {
  try {
    return require({ peerId: entry.peerId, tags: entry.tags }) === true
  } catch {
    return false
  }
}
