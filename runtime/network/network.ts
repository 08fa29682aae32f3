/**
 * `Network`: one node of a mosaik network — a libp2p host (QUIC + TCP), its identity, protocol
 * routing for the subsystems, discovery, metrics, and an orderly shutdown.
 *
 * ```ts
 * await using network = await Network.create('my-app', { bootstrap: [seedAddress] })
 * network.handle('/mosaik/echo/1', async (link) => { for await (const m of link) await link.send(m) })
 * const link = await network.connect(otherPeerId, '/mosaik/echo/1')
 * ```
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { Collections } from '../collections/runtime/collections.ts'
import { discoveryConfig } from '../discovery/config.ts'
import { Discovery } from '../discovery/discovery.ts'
import { Groups } from '../groups/runtime/groups.ts'
import { Metrics } from '../metrics/registry.ts'
import { type MetricsServer, serveMetrics } from '../metrics/server.ts'
import { type Digest, id } from '../primitives/digest.ts'
import {
  AbortedError,
  ConnectError,
  InvalidInputError,
  isMosaikError,
  TimeoutError,
} from '../primitives/errors.ts'
import { Lifecycle } from '../primitives/lifecycle.ts'
import { createLogger, type Logger } from '../primitives/logger.ts'
import type { WaitOptions } from '../primitives/watch.ts'
import { Streams } from '../streams/streams.ts'
import { nodePrivateKey, type PeerId, parsePeerId, Signer } from './identity.ts'
import { Link, type LinkCounters, type LinkOptions } from './link.ts'
import { createNode } from './node.ts'
import { checkMultiaddrs, DEFAULT_LISTEN, type NetworkOptions, resolveDht } from './options.ts'
import { assertProtocolId } from './protocols.ts'
import { coalescedWrites } from './write-coalescing.ts'

/** Receives every inbound link of a protocol. The handler owns the link (close or abort it when done). */
export type LinkHandler = (link: Link) => void | Promise<void>

export interface HandleOptions {
  /** Options for the links this handler receives. */
  link?: LinkOptions
  /** Concurrent inbound links of this protocol per connection (default 1024). */
  maxInboundStreams?: number
  /** Concurrent outbound links of this protocol per connection (default 1024). */
  maxOutboundStreams?: number
}

export interface ConnectOptions extends WaitOptions {
  /** Options for the new link. */
  link?: LinkOptions
  /**
   * Prefer a connection over this transport: an open one is reused, otherwise one is dialed to the
   * peer's address of that transport; a peer without such an address is dialed as usual. Bulk
   * traffic prefers `'tcp'` (TCP with yamux moves small frames faster than QUIC's native binding).
   */
  transport?: 'tcp' | 'quic'
}

const STREAM_LIMIT = 1024

export class Network implements AsyncDisposable {
  /** The network this node belongs to: `id(name)`. */
  readonly networkId: Digest
  /** This node's identity. */
  readonly peerId: PeerId
  /** Peer discovery: the catalog of peers, the local entry and its updates. */
  readonly discovery: Discovery
  /** Typed pub/sub: producers and consumers of streams (what generated stream handles use). */
  readonly streams: Streams
  /** Prometheus metrics of every subsystem of this node. */
  readonly metrics: Metrics
  /** This node's logger (children per subsystem). */
  readonly logger: Logger
  /**
   * Where subsystems (streams, groups, collections) register their shutdown: it closes first on
   * `close()`, while discovery and the transport are still up, so they can finish gracefully.
   */
  readonly lifecycle: Lifecycle
  /** Signs on behalf of this node with its ed25519 key (the key of its PeerId). */
  readonly signer: Signer
  /** The libp2p node, for advanced uses; prefer `handle`/`connect`. */
  readonly libp2p: Libp2p

  readonly #links = new Set<Link>()
  #groups: Groups | undefined
  #collections: Collections | undefined
  readonly #handled = new Set<string>()
  readonly #counters: LinkCounters & { opened: number }
  readonly #metricsServer: MetricsServer | undefined
  #closing: Promise<void> | undefined

  /**
   * Starts a node of network `networkId` (a name, hashed, or a 64-hex digest) and resolves once it
   * accepts connections and discovery runs. See `NetworkOptions` for listen addresses, bootstrap
   * peers, mDNS, the Mainline DHT, metrics and timing.
   */
  static async create(networkId: string | Digest, options: NetworkOptions = {}): Promise<Network> {
    const network = typeof networkId === 'string' ? id(networkId) : networkId
    const listen = options.listen ?? DEFAULT_LISTEN
    checkMultiaddrs('listen', listen)
    checkMultiaddrs('bootstrap', options.bootstrap ?? [])
    const config = discoveryConfig(options.profile, options.discovery)
    const dht = resolveDht(options.dht)
    const privateKey = await nodePrivateKey(options.secretKey)
    const libp2p = await createNode({
      privateKey,
      listen,
      networkId: network,
      mdns: options.mdns ?? false,
      limits: options.connections ?? {},
    })
    const peerId = libp2p.peerId.toString()
    const logger = (options.logger ?? createLogger()).child({
      network: network.short,
      peer: peerId.slice(-8),
    })
    const metrics = new Metrics({ network: network.short, peer: peerId })
    let server: MetricsServer | undefined
    let node: Network | undefined
    try {
      server = options.metrics === undefined ? undefined : await serveMetrics(metrics, options.metrics)
      node = new Network({
        networkId: network,
        libp2p,
        signer: new Signer(privateKey),
        logger,
        metrics,
        server,
      })
      await node.discovery.start({
        config,
        tags: options.tags ?? [],
        bootstrap: options.bootstrap ?? [],
        dht,
        mdns: options.mdns ?? false,
        observer: options.observer ?? false,
      })
      await node.streams.start()
      return node
    } catch (err) {
      // A half-started node releases what it started (timers, handlers, sockets) like a closing one.
      if (node) await node.close()
      else {
        await server?.close()
        await libp2p.stop()
      }
      throw err
    }
  }

  private constructor(init: {
    networkId: Digest
    libp2p: Libp2p
    signer: Signer
    logger: Logger
    metrics: Metrics
    server: MetricsServer | undefined
  }) {
    this.networkId = init.networkId
    this.libp2p = init.libp2p
    this.peerId = init.libp2p.peerId.toString()
    this.signer = init.signer
    this.logger = init.logger
    this.metrics = init.metrics
    this.#metricsServer = init.server
    this.lifecycle = new Lifecycle()
    this.#counters = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, opened: 0 }
    this.#registerMetrics()
    this.discovery = new Discovery(this)
    this.streams = new Streams(this)
  }

  /**
   * Raft groups (SPEC §6): what generated group clients (`matcher.join(network, machine)`) and
   * replicated collections run on. Created on first use.
   */
  get groups(): Groups {
    this.#groups ??= new Groups(this)
    return this.#groups
  }

  /**
   * Replicated collections (SPEC §6): what generated `x.writer(network)` / `x.reader(network)`
   * handles open, each collection its own group. Created on first use.
   */
  get collections(): Collections {
    this.#collections ??= new Collections(this)
    return this.#collections
  }

  /** Dialable multiaddrs of this node, each ending in `/p2p/<peerId>`. */
  get addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((ma) => ma.toString())
  }

  /** `host:port` of the metrics endpoint, if `metrics` was given. */
  get metricsAddress(): string | undefined {
    return this.#metricsServer?.address
  }

  /** True once `close()` has started. */
  get closed(): boolean {
    return this.#closing !== undefined
  }

  /**
   * Accepts inbound links for `protocol` (`/mosaik/<subsystem>/<version>`); one handler per protocol.
   * Returns a function that stops accepting (links already open stay open).
   */
  async handle(
    protocol: string,
    handler: LinkHandler,
    options: HandleOptions = {},
  ): Promise<() => Promise<void>> {
    this.lifecycle.assertOpen('network')
    assertProtocolId(protocol)
    if (this.#handled.has(protocol)) throw new InvalidInputError(`protocol ${protocol} already has a handler`)
    await this.libp2p.handle(
      protocol,
      (stream: Stream, connection: Connection) => this.#accept(stream, connection, handler, options.link),
      {
        maxInboundStreams: options.maxInboundStreams ?? STREAM_LIMIT,
        maxOutboundStreams: options.maxOutboundStreams ?? STREAM_LIMIT,
      },
    )
    this.#handled.add(protocol)
    return async () => {
      if (!this.#handled.delete(protocol)) return
      await this.libp2p.unhandle(protocol)
    }
  }

  /**
   * Opens a link to `peer` (a PeerId, or a multiaddr for peers not yet in the catalog) speaking
   * `protocol`. Reuses the connection to that peer if there is one. Throws `ConnectError` when the
   * peer cannot be reached or does not speak the protocol, `TimeoutError`/`AbortedError` per `options`.
   */
  async connect(peer: PeerId | string, protocol: string, options: ConnectOptions = {}): Promise<Link> {
    this.lifecycle.assertOpen('network')
    assertProtocolId(protocol)
    const target = peer.startsWith('/') ? multiaddr(peer) : parsePeerId(peer)
    if (target.toString() === this.peerId) throw new InvalidInputError('a node cannot connect to itself')
    const { signal, dispose } = combinedSignal(options, this.lifecycle.signal)
    try {
      const connection =
        options.transport === undefined || peer.startsWith('/')
          ? await this.libp2p.dial(target, { signal })
          : await this.#connectionOver(parsePeerId(peer), options.transport, signal)
      const stream = await connection.newStream(protocol, { signal, maxOutboundStreams: STREAM_LIMIT })
      return this.#track(stream, connection, 'outbound', options.link)
    } catch (err) {
      throw connectError(err, signal, peer, protocol)
    } finally {
      dispose()
    }
  }

  /** An open direct connection to `peer` over `transport`, or a new one to its address of that transport. */
  async #connectionOver(
    peer: ReturnType<typeof parsePeerId>,
    transport: 'tcp' | 'quic',
    signal: AbortSignal,
  ): Promise<Connection> {
    const over = (address: string) =>
      !address.includes('/p2p-circuit') &&
      (transport === 'tcp' ? address.includes('/tcp/') : address.includes('/quic'))
    const open = this.libp2p
      .getConnections(peer)
      .find((c) => c.status === 'open' && c.limits === undefined && over(c.remoteAddr.toString()))
    if (open !== undefined) return open
    const known = await this.libp2p.peerStore.get(peer).catch(() => undefined)
    const addresses = (known?.addresses ?? [])
      .map((a) => a.multiaddr)
      .filter((ma) => over(ma.toString()))
      .map((ma) => (ma.getComponents().some((c) => c.name === 'p2p') ? ma : ma.encapsulate(`/p2p/${peer}`)))
    if (addresses.length === 0) return this.libp2p.dial(peer, { signal })
    return this.libp2p.dial(addresses, { signal, force: true })
  }

  /** Records dialable addresses of a peer (discovery does this for every verified entry). */
  async addPeerAddresses(peer: PeerId, addresses: readonly string[]): Promise<void> {
    if (this.closed || peer === this.peerId || addresses.length === 0) return
    const multiaddrs = addresses.flatMap((text) => {
      try {
        return [multiaddr(text)]
      } catch {
        return []
      }
    })
    await this.libp2p.peerStore.patch(parsePeerId(peer), { multiaddrs })
  }

  /** Drops the connections to `peer` (its links fail). */
  async disconnect(peer: PeerId): Promise<void> {
    await this.libp2p.hangUp(parsePeerId(peer))
  }

  /** True when this node has an open connection to `peer`. */
  isConnected(peer: PeerId): boolean {
    return this.libp2p.getConnections(parsePeerId(peer)).length > 0
  }

  /**
   * Stops the node: subsystems first (`lifecycle`), then discovery (which tells peers this node
   * departs), then every remaining link, the metrics endpoint and the transport. Releases every
   * socket and timer. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  async #shutdown(): Promise<void> {
    const errors: unknown[] = []
    const attempt = async (step: () => void | Promise<void>): Promise<void> => {
      try {
        await step()
      } catch (err) {
        errors.push(err)
      }
    }
    await attempt(() => this.lifecycle.close())
    await attempt(() => this.discovery.close())
    for (const link of this.#links) link.abort()
    await attempt(() => this.#metricsServer?.close())
    await attempt(() => this.libp2p.stop())
    if (errors.length > 0) this.logger.warn({ errors }, 'errors while closing the network')
  }

  #accept(
    stream: Stream,
    connection: Connection,
    handler: LinkHandler,
    options: LinkOptions | undefined,
  ): void {
    if (this.closed) {
      stream.abort(new AbortedError('network is closing'))
      return
    }
    const link = this.#track(stream, connection, 'inbound', options)
    void (async () => handler(link))().catch((err: unknown) => {
      this.logger.debug({ err, protocol: stream.protocol, peer: link.peer }, 'link handler failed')
      link.abort(err instanceof Error ? err : new Error(String(err)))
    })
  }

  #track(
    stream: Stream,
    connection: Connection,
    direction: 'inbound' | 'outbound',
    options?: LinkOptions,
  ): Link {
    const init = {
      peer: connection.remotePeer.toString(),
      direction,
      counters: this.#counters,
      writes: coalescedWrites(connection),
    }
    const link = new Link(stream, options ? { ...init, options } : init)
    this.#counters.opened++
    this.#links.add(link)
    void link.done.then(() => this.#links.delete(link))
    return link
  }

  #registerMetrics(): void {
    const c = this.#counters
    this.metrics.gaugeOf(
      'mosaik_network_links_opened_total',
      'links opened (both directions)',
      () => c.opened,
    )
    this.metrics.gaugeOf('mosaik_network_links_open', 'links currently open', () => this.#links.size)
    this.metrics.gaugeOf('mosaik_network_egress_bytes_total', 'bytes sent on links', () => c.bytesSent)
    this.metrics.gaugeOf(
      'mosaik_network_ingress_bytes_total',
      'bytes received on links',
      () => c.bytesReceived,
    )
    this.metrics.gaugeOf('mosaik_network_egress_frames_total', 'frames sent on links', () => c.framesSent)
    this.metrics.gaugeOf(
      'mosaik_network_ingress_frames_total',
      'frames received on links',
      () => c.framesReceived,
    )
    this.metrics.gaugeOf(
      'mosaik_network_connections',
      'open connections',
      () => this.libp2p.getConnections().length,
    )
  }
}

/** One signal for the caller's signal, the caller's timeout and the network's own shutdown. */
function combinedSignal(
  options: WaitOptions,
  closing: AbortSignal,
): { signal: AbortSignal; dispose: () => void } {
  const signals = [closing]
  if (options.signal) signals.push(options.signal)
  let timer: NodeJS.Timeout | undefined
  if (options.timeout !== undefined) {
    const controller = new AbortController()
    const timeout = options.timeout
    timer = setTimeout(
      () => controller.abort(new TimeoutError(`connect timed out after ${timeout} ms`)),
      timeout,
    )
    signals.push(controller.signal)
  }
  return { signal: AbortSignal.any(signals), dispose: () => clearTimeout(timer) }
}

function connectError(err: unknown, signal: AbortSignal, peer: string, protocol: string): Error {
  if (isMosaikError(err)) return err
  const details = { peer, protocol }
  if (signal.aborted) {
    const reason: unknown = signal.reason
    if (isMosaikError(reason)) return reason
    return new AbortedError(`connecting to ${peer} was aborted`, { cause: reason, details })
  }
  const cause = err instanceof Error ? err : new Error(String(err))
  const what = cause.name === 'UnsupportedProtocolError' ? `does not speak ${protocol}` : 'is unreachable'
  return new ConnectError(`peer ${peer} ${what}: ${cause.message}`, { cause, details })
}
