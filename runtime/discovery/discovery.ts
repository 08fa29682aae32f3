/**
 * `Discovery`: who is in the network. Each node publishes a signed `PeerEntry`; entries travel by
 * gossip (immediately on change, periodically with jitter), by a full bidirectional catalog sync
 * with every newly seen peer, and in ping replies. Every received entry is verified before use.
 * Bootstrap comes from explicit peers, mDNS and Mainline DHT slots. The result is an immutable
 * `Catalog` with a change feed and discovered/updated/departed events.
 *
 * Other subsystems advertise through the local entry (`addStreams`, `addGroups`, `addTags`,
 * `addTicket`…); each change is signed and announced at once.
 */
import type { PeerInfo } from '@libp2p/interface'
import { isPeerId, type PeerId } from '../network/identity.ts'
import type { Network } from '../network/network.ts'
import type { Digest } from '../primitives/digest.ts'
import { InvalidInputError, isMosaikError, RejectedError } from '../primitives/errors.ts'
import { Lifecycle } from '../primitives/lifecycle.ts'
import type { Logger } from '../primitives/logger.ts'
import { type WaitOptions, Watchable } from '../primitives/watch.ts'
import { type Ticket, ticketId } from '../tickets/ticket.ts'
import { Catalog } from './catalog.ts'
import type { DiscoveryConfig } from './config.ts'
import { type Departure, openDeparture, signDeparture } from './departure.ts'
import { DhtBootstrap, type DhtHost } from './dht/bootstrap.ts'
import {
  ENTRY_LIMITS,
  isNewer,
  nextVersion,
  normalizeTags,
  openEntry,
  type PeerEntry,
  type PeerEntryVersion,
  type SignedPeerEntry,
  signEntry,
  sortDigests,
  sortTickets,
} from './entry.ts'
import { type DiscoveryEvent, Emitter, type Listener } from './events.ts'
import { ping, serveExchanges, syncWith } from './exchange.ts'
import { Gossip } from './gossip.ts'
import { type DiscoveryMetrics, discoveryMetrics } from './metrics.ts'
import type { AnnounceMessage } from './protocol.ts'
import { nextRtt, type RttEstimate } from './rtt.ts'
import type { Envelope, RejectReason } from './signed.ts'
import { Timers } from './timers.ts'

/** How `Network.create` starts discovery. */
export interface DiscoveryStart {
  config: DiscoveryConfig
  tags: readonly string[]
  bootstrap: readonly string[]
  dht: false | 'public' | readonly string[]
  mdns: boolean
  /** Join without announcing itself (tools such as `mosaik inspect`): see `NetworkOptions.observer`. */
  observer: boolean
}

type Source = 'gossip' | 'sync' | 'feed'

export class Discovery {
  readonly #network: Network
  readonly #logger: Logger
  readonly #lifecycle = new Lifecycle()
  readonly #timers = new Timers()
  readonly #events: Emitter<DiscoveryEvent>
  readonly #watch: Watchable<Catalog>
  /** Local time each peer's current entry arrived, for purging. */
  readonly #seenAt = new Map<PeerId, number>()
  /** Versions of peers that departed, so a stale copy relayed later cannot bring them back. */
  readonly #tombstones = new Map<PeerId, PeerEntryVersion & { until: number }>()
  readonly #rtt = new Map<PeerId, RttEstimate>()
  readonly #syncQueue = new Set<string>()
  /** Peers a catalog sync (either direction) ran or runs with: the first-sight sync skips them. */
  readonly #synced = new Set<PeerId>()
  #syncsRunning = 0
  #config: DiscoveryConfig | undefined
  #observer = false
  #metrics: DiscoveryMetrics | undefined
  #gossip: Gossip | undefined
  #dht: DhtBootstrap | undefined
  #announceScheduled = false
  #closing: Promise<void> | undefined

  /** Created by `Network`; use `network.discovery`. */
  constructor(network: Network) {
    this.#network = network
    this.#logger = network.logger.child({ subsystem: 'discovery' })
    this.#events = new Emitter((err) => this.#logger.warn({ err }, 'discovery event listener threw'))
    const now = Date.now()
    const entry: PeerEntry = {
      peerId: network.peerId,
      network: network.networkId,
      version: { start: now, update: now },
      addresses: [],
      tags: [],
      streams: [],
      groups: [],
      tickets: [],
    }
    this.#watch = new Watchable(Catalog.of(signEntry(entry, network.signer)))
  }

  // ---------------------------------------------------------------------------------------------
  // Reading the catalog

  /** The current catalog snapshot (immutable). */
  get catalog(): Catalog {
    return this.#watch.value
  }

  /** The catalog as a watchable value: `subscribe`, `when(predicate)`, `changed()`. */
  get watch(): Watchable<Catalog> {
    return this.#watch
  }

  /** This node's own current entry. */
  get local(): PeerEntry {
    return this.catalog.local
  }

  /** Resolves with the first catalog for which `predicate` holds (now or later). */
  when(predicate: (catalog: Catalog) => boolean, options?: WaitOptions): Promise<Catalog> {
    return this.#watch.when(predicate, options)
  }

  /** Calls `listener` on every discovered/updated/departed event; returns the unsubscribe function. */
  subscribe(listener: Listener<DiscoveryEvent>): () => void {
    return this.#events.subscribe(listener)
  }

  /** Smoothed round-trip time to `peer`, once measured. */
  rtt(peer: PeerId): RttEstimate | undefined {
    return this.#rtt.get(peer)
  }

  /** Peers this node currently gossips with directly. */
  neighbors(): PeerId[] {
    return this.#gossip?.neighbors() ?? []
  }

  /** The DHT bootstrap, when one runs (for `mosaik dht` and tests). */
  get dht(): DhtBootstrap | undefined {
    return this.#dht
  }

  /** The configuration in effect. */
  get config(): DiscoveryConfig {
    return this.#requireStarted().config
  }

  // ---------------------------------------------------------------------------------------------
  // Changing the local entry (each change is signed and announced immediately)

  /** Adds tags to the local entry. */
  addTags(...tags: string[]): PeerEntry {
    const merged = [...new Set([...this.local.tags, ...tags])]
    checkLocalTags(merged)
    return this.#publish({ tags: normalizeTags(merged) })
  }

  /** Removes tags from the local entry. */
  removeTags(...tags: string[]): PeerEntry {
    const drop = new Set(tags)
    return this.#publish({ tags: this.local.tags.filter((t) => !drop.has(t)) })
  }

  /** Advertises streams this node produces (StreamIds). */
  addStreams(...streams: Digest[]): PeerEntry {
    return this.#publish({ streams: sortDigests([...this.local.streams, ...streams]) })
  }

  /** Stops advertising streams. */
  removeStreams(...streams: Digest[]): PeerEntry {
    return this.#publish({ streams: without(this.local.streams, streams) })
  }

  /** Advertises membership of groups or stores (GroupIds / StoreIds). */
  addGroups(...groups: Digest[]): PeerEntry {
    return this.#publish({ groups: sortDigests([...this.local.groups, ...groups]) })
  }

  /** Stops advertising group membership. */
  removeGroups(...groups: Digest[]): PeerEntry {
    return this.#publish({ groups: without(this.local.groups, groups) })
  }

  /** Attaches a ticket to the local entry (replacing an identical one). */
  addTicket(ticket: Ticket): PeerEntry {
    if (ticket.data.length > ENTRY_LIMITS.ticketBytes) {
      throw new InvalidInputError(`a ticket is at most ${ENTRY_LIMITS.ticketBytes} bytes`)
    }
    return this.#publish({ tickets: sortTickets([...this.local.tickets, ticket]) })
  }

  /** Removes the ticket with id `id` (`ticketId(ticket)`). */
  removeTicket(id: Digest): PeerEntry {
    return this.#publish({ tickets: this.local.tickets.filter((t) => !ticketId(t).equals(id)) })
  }

  /** Removes every ticket of `ticketClass`. */
  removeTicketsOf(ticketClass: Digest): PeerEntry {
    return this.#publish({ tickets: this.local.tickets.filter((t) => !t.class.equals(ticketClass)) })
  }

  // ---------------------------------------------------------------------------------------------
  // Reaching peers

  /**
   * Syncs catalogs with each address (multiaddr, `/p2p/<id>` optional) and resolves with the PeerIds
   * reached; unreachable addresses are skipped (logged at debug).
   */
  async dial(...addresses: string[]): Promise<PeerId[]> {
    const targets = await this.#dialTargets(addresses)
    const results = await Promise.allSettled(targets.map((target) => this.syncWith(target)))
    return [...new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])))]
  }

  /**
   * One target per peer: addresses naming the same `/p2p/<id>` are recorded together and dialed
   * once by PeerId (libp2p then tries QUIC first); addresses without an id are dialed as they are.
   */
  async #dialTargets(addresses: readonly string[]): Promise<string[]> {
    const byPeer = new Map<PeerId, string[]>()
    const anonymous: string[] = []
    for (const address of addresses) {
      const peer = /\/p2p\/([^/]+)$/.exec(address)?.[1]
      if (peer === undefined || !isPeerId(peer)) anonymous.push(address)
      else byPeer.set(peer, [...(byPeer.get(peer) ?? []), address])
    }
    byPeer.delete(this.#network.peerId)
    await Promise.all([...byPeer].map(([peer, list]) => this.#network.addPeerAddresses(peer, list)))
    return [...byPeer.keys(), ...anonymous]
  }

  /** Full bidirectional catalog sync with a peer (PeerId or multiaddr). Resolves with its PeerId. */
  async syncWith(target: PeerId | string): Promise<PeerId> {
    const started = this.#requireStarted()
    try {
      const peer = await syncWith(this.#exchangeHost(), target)
      started.metrics.sync('ok')
      return peer
    } catch (err) {
      started.metrics.sync('failed')
      throw err
    }
  }

  /** Pings a peer (PeerId or multiaddr); resolves with the round-trip time in ms and records it. */
  async ping(target: PeerId | string): Promise<number> {
    this.#requireStarted()
    const { peer, rtt } = await ping(this.#exchangeHost(), target)
    this.#rtt.set(peer, nextRtt(this.#rtt.get(peer), rtt))
    return rtt
  }

  /**
   * Merges a signed entry obtained out of band (e.g. `catalog.signed(p).envelope` from another
   * node). Returns false if it was refused or not newer.
   */
  feed(envelope: Envelope): boolean {
    return this.#accept(envelope, undefined, 'feed') !== 'unchanged'
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts the protocols, timers and bootstrap. Called once by `Network.create`. */
  async start(options: DiscoveryStart): Promise<void> {
    const config = options.config
    this.#config = config
    this.#observer = options.observer
    checkLocalTags(options.tags)
    const metrics = discoveryMetrics(
      this.#network.metrics,
      () => this.catalog.size,
      () => this.#gossip?.size ?? 0,
    )
    this.#metrics = metrics
    this.#publish({
      addresses: this.#network.addresses.slice(0, ENTRY_LIMITS.addresses),
      tags: normalizeTags(options.tags),
    })
    const gossip = new Gossip({
      network: this.#network,
      config,
      metrics,
      logger: this.#logger,
      localEnvelope: () => (this.#observer ? undefined : this.#ownEnvelope()),
      candidates: () => this.catalog.peers().map((p) => p.peerId),
      receive: (message, from) => this.#onAnnouncement(message, from),
      rejected: (err, from) => this.#rejected(err, from),
    })
    this.#gossip = gossip
    this.#lifecycle.defer(() => this.#timers.clear())
    const unhandle = [await gossip.start(), ...(await serveExchanges(this.#exchangeHost()))]
    this.#lifecycle.defer(async () => {
      await Promise.allSettled(unhandle.map((stop) => stop()))
    })
    if (!this.#observer) this.#scheduleAnnounce()
    this.#schedulePurge()
    this.#scheduleRttProbe()
    this.#watchOwnAddresses()
    if (options.mdns) this.#watchMdns()
    if (options.bootstrap.length > 0) void this.#bootstrap([...options.bootstrap], 0)
    if (options.dht !== false) {
      const dht = new DhtBootstrap(this.#dhtHost(), options.dht, { claim: !options.observer })
      this.#dht = dht
      this.#lifecycle.defer(() => dht.close())
      // Not awaited: joining the public DHT can take seconds, and the node is usable before.
      dht.start().catch((err: unknown) => this.#logger.warn({ err }, 'cannot join the Mainline DHT'))
    }
  }

  /** Announces departure to neighbours, stops every timer and protocol. Called by `Network.close`. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    await this.#lifecycle.close()
    const local = this.local
    const departure = signDeparture(
      local.peerId,
      local.network,
      local.version,
      Date.now(),
      this.#network.signer,
    )
    const everyone = this.catalog.peers().map((p) => p.peerId)
    await this.#gossip?.close({ t: 'depart', d: departure.envelope }, everyone)
    this.#watch.close()
    this.#events.clear()
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  #requireStarted(): { config: DiscoveryConfig; metrics: DiscoveryMetrics } {
    if (!this.#config || !this.#metrics) throw new InvalidInputError('discovery has not started')
    return { config: this.#config, metrics: this.#metrics }
  }

  #exchangeHost() {
    return {
      network: this.#network,
      config: this.#requireStarted().config,
      catalog: () => this.catalog,
      shared: (catalog: Catalog) =>
        catalog
          .signedEntries()
          .filter((s) => !this.#observer || s.entry.peerId !== this.#network.peerId)
          .map((s) => s.envelope),
      localEnvelope: () => this.#ownEnvelope(),
      ingest: (envelopes: readonly unknown[], from: PeerId) => {
        for (const envelope of envelopes) this.#accept(envelope, from, 'sync')
      },
      syncing: (peer: PeerId, ok?: boolean) => {
        if (ok === false) this.#synced.delete(peer)
        else if (this.#synced.size < this.#requireStarted().config.maxPeers) this.#synced.add(peer)
      },
    }
  }

  #dhtHost(): DhtHost {
    return {
      network: this.#network,
      config: this.#requireStarted().config,
      logger: this.#logger.child({ component: 'dht' }),
      catalog: () => this.catalog,
      dial: (...addresses: string[]) => this.dial(...addresses),
    }
  }

  #ownEnvelope(): Envelope {
    return (this.catalog.signed(this.#network.peerId) as SignedPeerEntry).envelope
  }

  /** Re-signs the local entry with `changes` and a newer version, then announces it. */
  #publish(changes: Partial<Omit<PeerEntry, 'peerId' | 'network' | 'version'>>): PeerEntry {
    if (this.#closing) throw new InvalidInputError('discovery is closed')
    const current = this.local
    const entry: PeerEntry = Object.freeze({
      ...current,
      ...changes,
      version: nextVersion(current.version, Date.now()),
    })
    this.#watch.set(this.catalog.withLocal(signEntry(entry, this.#network.signer)))
    this.#announceSoon()
    return entry
  }

  /** Coalesces several local changes in one tick into one announcement of the latest entry. */
  #announceSoon(): void {
    if (this.#announceScheduled || !this.#gossip || this.#observer) return
    this.#announceScheduled = true
    setImmediate(() => {
      this.#announceScheduled = false
      if (!this.#closing) this.#gossip?.broadcast({ t: 'entry', e: this.#ownEnvelope() })
    })
  }

  #onAnnouncement(message: AnnounceMessage, from: PeerId): void {
    if (message.t === 'entry') {
      this.#accept(message.e, from, 'gossip')
      return
    }
    const config = this.#requireStarted().config
    const departure = openDeparture(message.d, this.#network.networkId, Date.now(), config.maxTimeDrift)
    this.#onDeparture(departure, from)
  }

  /**
   * Verifies an untrusted entry and merges it. New information from gossip (and a sync partner's
   * own entry) is relayed to the neighbours; a peer seen for the first time gets a catalog sync.
   */
  #accept(value: unknown, from: PeerId | undefined, source: Source): 'discovered' | 'updated' | 'unchanged' {
    const { config, metrics } = this.#requireStarted()
    const now = Date.now()
    let signed: SignedPeerEntry | undefined
    try {
      signed = openEntry(value, {
        network: this.#network.networkId,
        now,
        maxTimeDrift: config.maxTimeDrift,
        purgeAfter: config.purgeAfter,
        known: (peer) => this.catalog.get(peer)?.version ?? this.#tombstones.get(peer),
      })
      if (!signed) return 'unchanged'
      const peer = signed.entry.peerId
      if (!this.catalog.has(peer) && this.catalog.size >= config.maxPeers) {
        throw new RejectedError('capacity', `catalog is full (${config.maxPeers} peers)`)
      }
    } catch (err) {
      this.#rejected(err, from)
      return 'unchanged'
    }
    const { catalog, outcome, previous } = this.catalog.upsert(signed)
    if (outcome === 'unchanged') return outcome
    const entry = signed.entry
    this.#tombstones.delete(entry.peerId)
    this.#seenAt.set(entry.peerId, now)
    this.#watch.set(catalog)
    // Dialing by PeerId needs the addresses recorded first, hence the sync and neighbour dial after.
    const recorded = this.#network.addPeerAddresses(entry.peerId, entry.addresses).catch((err: unknown) => {
      this.#logger.debug({ err, peer: entry.peerId }, 'cannot record peer addresses')
    })
    if (outcome === 'discovered') {
      metrics.discovered.inc()
      this.#events.emit({ type: 'discovered', entry })
      void recorded.then(() => {
        this.#firstSightSync(entry.peerId)
        this.#gossip?.maintain()
      })
    } else {
      metrics.updated.inc()
      this.#events.emit({ type: 'updated', entry, previous: previous as PeerEntry })
    }
    // Relay what is new: gossip, and a sync partner's own entry (a node that just joined through a
    // bootstrap node reaches everyone through that node's neighbours).
    const relay = source === 'gossip' || (source === 'sync' && entry.peerId === from)
    if (relay) this.#gossip?.broadcast({ t: 'entry', e: signed.envelope }, from)
    return outcome
  }

  #onDeparture(departure: Departure, from: PeerId): void {
    const known = this.catalog.get(departure.peerId)
    if (!known || isNewer(known.version, departure.version)) return
    this.#remove(known, 'departed')
    this.#gossip?.broadcast({ t: 'depart', d: departure.envelope }, from)
  }

  #remove(entry: PeerEntry, reason: 'departed' | 'purged'): void {
    const { config, metrics } = this.#requireStarted()
    const peer = entry.peerId
    this.#watch.set(this.catalog.remove(peer))
    this.#seenAt.delete(peer)
    this.#rtt.delete(peer)
    this.#synced.delete(peer)
    this.#tombstones.set(peer, { ...entry.version, until: Date.now() + config.purgeAfter })
    metrics.departed(reason)
    this.#gossip?.drop(peer)
    this.#events.emit({ type: 'departed', peerId: peer, entry, reason })
  }

  #rejected(err: unknown, from: PeerId | undefined): void {
    const metrics = this.#metrics
    if (err instanceof RejectedError) {
      metrics?.rejected(err.reason as RejectReason)
      this.#logger.debug({ reason: err.reason, from, message: err.message }, 'refused a peer message')
    } else if (
      isMosaikError(err, 'ERR_DECODE') ||
      isMosaikError(err, 'ERR_PROTOCOL') ||
      isMosaikError(err, 'ERR_FRAME_TOO_LARGE')
    ) {
      metrics?.rejected('malformed')
      this.#logger.debug({ from, err }, 'refused malformed bytes')
    } else {
      this.#logger.debug({ from, err }, 'gossip link ended')
    }
  }

  /**
   * First sight of a peer: a full bidirectional catalog sync. Both sides usually see each other at
   * about the same time, so only the smaller PeerId starts it at once; the other waits a little and
   * syncs only if that did not happen (saves half the syncs and the duplicate connections).
   */
  #firstSightSync(peer: PeerId): void {
    if (this.#network.peerId < peer) {
      this.#queueSync(peer)
      return
    }
    const wait = Math.min(this.#requireStarted().config.requestTimeout, 1_000)
    this.#timers.after(wait * (1 + Math.random()), () => {
      if (this.catalog.has(peer)) this.#queueSync(peer)
    })
  }

  /** Queues a full bidirectional catalog sync with `target`; a few run at a time. */
  #queueSync(target: string): void {
    const config = this.#requireStarted().config
    if (this.#closing || this.#synced.has(target) || this.#syncQueue.has(target)) return
    if (this.#syncQueue.size >= config.maxPeers) return
    this.#syncQueue.add(target)
    this.#drainSyncQueue()
  }

  #drainSyncQueue(): void {
    const config = this.#requireStarted().config
    while (this.#syncsRunning < config.maxConcurrentSyncs && !this.#closing) {
      const next = this.#syncQueue.values().next()
      if (next.done) return
      const target = next.value
      this.#syncQueue.delete(target)
      if (this.#synced.has(target)) continue
      this.#syncsRunning++
      void this.syncWith(target)
        .catch((err: unknown) => this.#logger.debug({ err, target }, 'catalog sync failed'))
        .finally(() => {
          this.#syncsRunning--
          this.#drainSyncQueue()
        })
    }
  }

  /** Syncs with the bootstrap peers, retrying with backoff until the catalog is not empty. */
  async #bootstrap(addresses: string[], attempt: number): Promise<void> {
    if (this.#closing) return
    await this.dial(...addresses)
    if (this.catalog.size > 0 || this.#closing) return
    const delay = Math.min(30_000, 500 * 2 ** attempt)
    this.#timers.after(delay, () => void this.#bootstrap(addresses, attempt + 1))
  }

  #scheduleAnnounce(): void {
    const { announceInterval, announceJitter } = this.#requireStarted().config
    const delay = announceInterval * (1 - announceJitter + 2 * announceJitter * Math.random())
    this.#timers.after(delay, () => {
      if (this.#closing) return
      this.#publish({})
      this.#scheduleAnnounce()
    })
  }

  #schedulePurge(): void {
    const { purgeAfter } = this.#requireStarted().config
    const every = Math.min(5_000, Math.max(100, purgeAfter / 10))
    this.#lifecycle.setInterval(() => this.#purge(purgeAfter), every)
  }

  #purge(purgeAfter: number): void {
    const now = Date.now()
    for (const entry of this.catalog.peers()) {
      const seen = Math.min(entry.version.update, this.#seenAt.get(entry.peerId) ?? now)
      if (now - seen > purgeAfter) this.#remove(entry, 'purged')
    }
    for (const [peer, tombstone] of this.#tombstones) if (tombstone.until < now) this.#tombstones.delete(peer)
  }

  #scheduleRttProbe(): void {
    const interval = this.#requireStarted().config.rttProbeInterval
    if (interval === 0) return
    this.#timers.after(interval / 2 + Math.random() * interval, () => {
      void this.#probeAll().finally(() => {
        if (!this.#closing) this.#scheduleRttProbe()
      })
    })
  }

  /** Pings, a few at a time, every peer whose last RTT sample is older than half the probe interval. */
  async #probeAll(): Promise<void> {
    const { maxConcurrentSyncs: limit, rttProbeInterval } = this.#requireStarted().config
    const fresh = performance.now() - rttProbeInterval / 2
    const peers = this.catalog
      .peers()
      .map((p) => p.peerId)
      .filter((peer) => (this.#rtt.get(peer)?.at ?? Number.NEGATIVE_INFINITY) < fresh)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < peers.length && !this.#closing) {
        const peer = peers[next++] as PeerId
        await this.ping(peer).catch((err: unknown) => this.#logger.debug({ err, peer }, 'rtt probe failed'))
      }
    }
    await Promise.all(Array.from({ length: Math.min(limit, peers.length) }, worker))
  }

  /** Re-publishes the local entry when the node's listen addresses change. */
  #watchOwnAddresses(): void {
    this.#lifecycle.listen(this.#network.libp2p, 'self:peer:update', () => {
      const addresses = this.#network.addresses.slice(0, ENTRY_LIMITS.addresses)
      if (!this.#closing && addresses.join() !== this.local.addresses.join()) this.#publish({ addresses })
    })
  }

  /** mDNS finds a peer on the LAN: record its addresses and sync with it. */
  #watchMdns(): void {
    this.#lifecycle.listen(this.#network.libp2p, 'peer:discovery', (event) => {
      const info = (event as CustomEvent<PeerInfo>).detail
      const peer = info.id.toString()
      if (peer === this.#network.peerId || this.catalog.has(peer)) return
      const addresses = info.multiaddrs.map((ma) => ma.toString())
      void this.#network.addPeerAddresses(peer, addresses).then(() => this.#queueSync(peer))
    })
  }
}

function without(digests: readonly Digest[], remove: readonly Digest[]): Digest[] {
  const drop = new Set(remove.map((d) => d.hex))
  return digests.filter((d) => !drop.has(d.hex))
}

function checkLocalTags(tags: readonly string[]): void {
  if (tags.length > ENTRY_LIMITS.tags) throw new InvalidInputError(`at most ${ENTRY_LIMITS.tags} tags`)
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0 || Buffer.byteLength(tag) > ENTRY_LIMITS.tagLength) {
      throw new InvalidInputError(
        `a tag is a string of 1–${ENTRY_LIMITS.tagLength} bytes, got '${String(tag)}'`,
      )
    }
  }
}
