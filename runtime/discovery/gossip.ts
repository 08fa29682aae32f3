/**
 * Gossip: long-lived announce links to a few random neighbours (plus those that dial us), over
 * which entries and departures flood. A node sends its own entry when a link opens, on every change
 * and periodically; a node that learns something new from one neighbour relays the same signed
 * bytes to the others, and drops what it already knows, so each update crosses each link at most
 * once per direction. Inbound traffic is rate-limited per link.
 */

import type { PeerId } from '../network/identity.ts'
import type { Link } from '../network/link.ts'
import type { Network } from '../network/network.ts'
import { encode } from '../primitives/codec.ts'
import type { Logger } from '../primitives/logger.ts'
import type { DiscoveryConfig } from './config.ts'
import type { DiscoveryMetrics } from './metrics.ts'
import { ANNOUNCE_PROTOCOL, type AnnounceMessage, parseAnnounce } from './protocol.ts'
import { type Envelope, reject } from './signed.ts'

/** What gossip needs from discovery. */
export interface GossipHost {
  readonly network: Network
  readonly config: DiscoveryConfig
  readonly metrics: DiscoveryMetrics
  readonly logger: Logger
  /** The local node's current signed entry; undefined for an observer, which never announces itself. */
  localEnvelope(): Envelope | undefined
  /** Peers that could become neighbours (the catalog). */
  candidates(): readonly PeerId[]
  /** A well-formed message arrived from neighbour `from`. Throws RejectedError to refuse it. */
  receive(message: AnnounceMessage, from: PeerId): void
  /** A message from `from` was refused. */
  rejected(err: unknown, from: PeerId): void
}

const MAX_BACKOFF_MS = 60_000
/** Peers outside the neighbour set told directly of a departure. */
const DIRECT_FAREWELLS = 32

/** Refills `rate` tokens per second up to `burst`. */
class TokenBucket {
  #tokens: number
  #at = performance.now()
  readonly #rate: number
  readonly #burst: number

  constructor(rate: number) {
    this.#rate = rate
    this.#burst = Math.max(1, rate * 2)
    this.#tokens = this.#burst
  }

  take(): boolean {
    const now = performance.now()
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate)
    this.#at = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}

export class Gossip {
  readonly #host: GossipHost
  /** The link used to send to each neighbour. */
  readonly #links = new Map<PeerId, Link>()
  readonly #all = new Set<Link>()
  readonly #dialing = new Set<PeerId>()
  readonly #outbound = new Set<PeerId>()
  readonly #failures = new Map<PeerId, { count: number; until: number }>()
  #closed = false

  constructor(host: GossipHost) {
    this.#host = host
  }

  /** Starts accepting neighbours. */
  async start(): Promise<() => Promise<void>> {
    return this.#host.network.handle(ANNOUNCE_PROTOCOL, (link) => this.#serve(link), {
      link: this.#linkOptions(),
    })
  }

  /** Number of neighbours with an open link. */
  get size(): number {
    return this.#links.size
  }

  /** Peers with an open gossip link, sorted. */
  neighbors(): PeerId[] {
    return [...this.#links.keys()].sort()
  }

  /** Sends `message` to every neighbour except `except`; a full link drops it (periodic announces repair). */
  broadcast(message: AnnounceMessage, except?: PeerId): void {
    if (this.#links.size === 0) return
    const payload = encode(message)
    for (const [peer, link] of this.#links) {
      if (peer === except || !link.writable) continue
      if (link.trySendEncoded(payload)) this.#host.metrics.gossipOut.inc()
      else this.#host.metrics.gossipDropped.inc()
    }
  }

  /**
   * Dials random catalog peers until this node has `neighbors` outbound links (or no candidate is
   * left), preferring peers it already has a connection to: a new connection costs a handshake.
   */
  maintain(): void {
    if (this.#closed) return
    const now = Date.now()
    const wanted = this.#host.config.neighbors - this.#outbound.size - this.#dialing.size
    if (wanted <= 0) return
    const candidates = this.#host
      .candidates()
      .filter(
        (p) => !this.#links.has(p) && !this.#dialing.has(p) && (this.#failures.get(p)?.until ?? 0) <= now,
      )
    const network = this.#host.network
    const connected = candidates.filter((p) => network.isConnected(p))
    const others = candidates.filter((p) => !network.isConnected(p))
    for (let i = 0; i < wanted; i++) {
      const pool = connected.length > 0 ? connected : others
      if (pool.length === 0) return
      const [peer] = pool.splice(Math.floor(Math.random() * pool.length), 1) as [PeerId]
      void this.#dial(peer)
    }
  }

  /** Closes the link to a peer that left. */
  drop(peer: PeerId): void {
    const link = this.#links.get(peer)
    if (link) void link.close().catch(() => {})
  }

  /**
   * Sends `farewell` (the departure) to every neighbour and, over short-lived links, to up to
   * `DIRECT_FAREWELLS` other peers of `others` (neighbour links may still be forming), then closes
   * every link, waiting at most `departureWindow` for peers to confirm they received it.
   */
  async close(farewell?: AnnounceMessage, others: readonly PeerId[] = []): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const window = Math.max(this.#host.config.departureWindow, 1)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, window)
    })
    const direct: Promise<void>[] = []
    if (farewell) {
      this.broadcast(farewell)
      const strangers = others.filter((p) => !this.#links.has(p)).slice(0, DIRECT_FAREWELLS)
      for (const peer of strangers) direct.push(this.#sendOnce(peer, farewell, window))
    }
    const closing = [...this.#all].map((link) => link.close())
    await Promise.race([Promise.allSettled([...closing, ...direct]), deadline])
    clearTimeout(timer)
    for (const link of this.#all) link.abort()
  }

  /** Opens a link to `peer` just to deliver one message. */
  async #sendOnce(peer: PeerId, message: AnnounceMessage, timeout: number): Promise<void> {
    try {
      const link = await this.#host.network.connect(peer, ANNOUNCE_PROTOCOL, {
        timeout,
        link: this.#linkOptions(),
      })
      this.#all.add(link)
      await link.send(message)
      this.#host.metrics.gossipOut.inc()
      await link.close()
    } catch (err) {
      this.#host.logger.debug({ err, peer }, 'could not deliver a farewell')
    }
  }

  #linkOptions() {
    return { closeTimeout: Math.max(this.#host.config.departureWindow, 500), maxFrameSize: 256 * 1024 }
  }

  async #dial(peer: PeerId): Promise<void> {
    this.#dialing.add(peer)
    try {
      const link = await this.#host.network.connect(peer, ANNOUNCE_PROTOCOL, {
        timeout: this.#host.config.requestTimeout,
        link: this.#linkOptions(),
      })
      this.#failures.delete(peer)
      this.#outbound.add(peer)
      void this.#serve(link).finally(() => this.#outbound.delete(peer))
    } catch (err) {
      this.#backoff(peer)
      this.#host.logger.debug({ err, peer }, 'gossip dial failed')
    } finally {
      this.#dialing.delete(peer)
    }
  }

  #backoff(peer: PeerId): void {
    const count = (this.#failures.get(peer)?.count ?? 0) + 1
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(count, 10))
    this.#failures.set(peer, { count, until: Date.now() + delay })
    if (this.#failures.size > this.#host.config.maxPeers) {
      this.#failures.delete(this.#failures.keys().next().value as PeerId)
    }
  }

  /** Reads one neighbour link until it ends; sends our entry first. */
  async #serve(link: Link): Promise<void> {
    if (this.#closed) {
      link.abort()
      return
    }
    const peer = link.peer
    this.#all.add(link)
    if (!this.#links.has(peer)) this.#links.set(peer, link)
    const bucket = new TokenBucket(this.#host.config.maxAnnouncementsPerSecond)
    try {
      const own = this.#host.localEnvelope()
      if (own && link.trySend({ t: 'entry', e: own })) this.#host.metrics.gossipOut.inc()
      for await (const raw of link) {
        this.#host.metrics.gossipIn.inc()
        try {
          if (!bucket.take()) throw reject('rate-limit', `neighbour ${peer} exceeds the announcement rate`)
          this.#host.receive(parseAnnounce(raw), peer)
        } catch (err) {
          this.#host.rejected(err, peer)
        }
      }
    } catch (err) {
      this.#host.rejected(err, peer)
    } finally {
      this.#all.delete(link)
      if (this.#links.get(peer) === link) this.#links.delete(peer)
      if (!this.#closed) this.maintain()
    }
  }
}
