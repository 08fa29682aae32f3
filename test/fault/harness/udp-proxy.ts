/**
 * A UDP relay between clients and one target that delays, drops, duplicates and reorders datagrams,
 * with faults changeable while it runs. Each client address gets its own upstream socket, so the
 * target sees one distinct peer per client and replies find their way back (the classic UDP proxy
 * shape, which is what QUIC needs).
 *
 * Point a libp2p QUIC node through it by dialing the proxy instead of the peer:
 * ```ts
 * const proxy = await UdpFaultProxy.start({ target: { host: '127.0.0.1', port: quicPortOfB } })
 * proxy.configure({ delayMs: 20, jitterMs: 5, loss: 0.01 })
 * await a.dial(multiaddr(`/ip4/127.0.0.1/udp/${proxy.address.port}/quic-v1/p2p/${b.peerId}`))
 * ```
 * Only connections dialed to the proxy address pass through it: if A also learns B's real address
 * (bootstrap lists, discovery, identify), later re-dials may bypass it — give A only the proxy
 * address, or make B announce it (`addresses.announce`). Dials from B to A need a second proxy.
 */
import { createSocket, type Socket } from 'node:dgram'
import { isIP } from 'node:net'
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'
import { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { type Random, seededRandom } from '../../../runtime/testing/random.ts'
import { DelayQueue } from './delay-queue.ts'
import { checkEndpoint, type Endpoint, listenEndpoint, localBindHost, whenListening } from './endpoint.ts'
import { type Impairment, planPacket, validateImpairment } from './impairment.ts'

/** `forward`: client → target; `backward`: target → client. */
export type Direction = 'forward' | 'backward'

/** Counters for one direction. `received` counts datagrams in; `sent` counts copies out. */
export interface DirectionStats {
  received: number
  sent: number
  dropped: number
  duplicated: number
  reordered: number
  /** Dropped because `maxQueued` datagrams were already waiting. */
  overflow: number
  /** Sends the OS refused (socket closed, unreachable…). */
  sendErrors: number
  bytes: number
  /** Copies waiting in the delay queue now. */
  queued: number
}

export interface UdpProxyStats {
  forward: DirectionStats
  backward: DirectionStats
  /** Client sessions open now. */
  sessions: number
  /** Datagrams from new clients refused because `maxSessions` were open. */
  refusedSessions: number
  /** Datagrams on an upstream socket that did not come from the target. */
  foreign: number
}

export interface UdpProxyOptions {
  target: Endpoint
  /** Where clients send; default 127.0.0.1 on a free port. */
  listen?: Partial<Endpoint>
  forward?: Impairment
  backward?: Impairment
  /** Seed for the fault decisions (default: random); the same seed replays the same decisions. */
  seed?: number
  /** Most client sessions at once (default 256). */
  maxSessions?: number
  /** A session without traffic for this long is closed (default 120 s). */
  sessionIdleMs?: number
  /** Most datagrams waiting in one direction's delay queue (default 100,000). */
  maxQueued?: number
}

interface Session {
  upstream: Socket
  client: Endpoint
  lastActive: number
}

interface Outgoing {
  socket: Socket
  data: Buffer
  to: Endpoint
}

function emptyStats(): DirectionStats {
  return {
    received: 0,
    sent: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    overflow: 0,
    sendErrors: 0,
    bytes: 0,
    queued: 0,
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new InvalidInputError(`${name} must be a positive integer, got ${value}`)
  return value
}

/** A fault-injecting UDP relay (see the module comment for use with libp2p). */
export class UdpFaultProxy implements AsyncDisposable {
  readonly target: Endpoint
  readonly #listener: Socket
  readonly #sessions = new Map<string, Session>()
  readonly #impairments: Record<Direction, Required<Impairment>>
  readonly #queues: Record<Direction, DelayQueue<Outgoing>>
  readonly #stats: Record<Direction, DirectionStats> = { forward: emptyStats(), backward: emptyStats() }
  readonly #random: Random
  readonly #maxSessions: number
  readonly #sessionIdleMs: number
  readonly #maxQueued: number
  readonly #upstreamHost: string
  readonly #lifecycle = new Lifecycle()
  #refusedSessions = 0
  #foreign = 0

  private constructor(options: UdpProxyOptions, listener: Socket) {
    this.target = checkEndpoint('target', options.target)
    this.#listener = listener
    this.#impairments = {
      forward: validateImpairment(options.forward ?? {}),
      backward: validateImpairment(options.backward ?? {}),
    }
    this.#random = seededRandom(options.seed)
    this.#maxSessions = positiveInteger('maxSessions', options.maxSessions ?? 256)
    this.#sessionIdleMs = positiveInteger('sessionIdleMs', options.sessionIdleMs ?? 120_000)
    this.#maxQueued = positiveInteger('maxQueued', options.maxQueued ?? 100_000)
    this.#upstreamHost = localBindHost(this.target)
    const deliver = (direction: Direction) => (packet: Outgoing) => this.#send(direction, packet)
    this.#queues = {
      forward: new DelayQueue(deliver('forward')),
      backward: new DelayQueue(deliver('backward')),
    }
    listener.on('message', (data, from) => this.#fromClient(data, { host: from.address, port: from.port }))
    listener.on('error', () => this.#stats.forward.sendErrors++)
    this.#lifecycle.setInterval(() => this.#expireSessions(), Math.min(this.#sessionIdleMs, 10_000))
    this.#lifecycle.defer(() => this.#closeSockets())
  }

  /** Binds the listening socket and returns the running proxy. */
  static async start(options: UdpProxyOptions): Promise<UdpFaultProxy> {
    const listen = listenEndpoint(checkEndpoint('target', options.target), options.listen)
    const listener = createSocket(isIP(listen.host) === 6 ? 'udp6' : 'udp4')
    await whenListening(listener, (done) => listener.bind(listen.port, listen.host, done))
    return new UdpFaultProxy(options, listener)
  }

  /** Where clients send their datagrams. */
  get address(): Endpoint {
    const { address, port } = this.#listener.address()
    return { host: address, port }
  }

  /**
   * Replaces the faults of one direction, or of both (default). Takes effect for the next datagram;
   * datagrams already waiting keep their delays.
   */
  configure(impairment: Impairment, direction: Direction | 'both' = 'both'): void {
    const normalized = validateImpairment(impairment)
    if (direction !== 'backward') this.#impairments.forward = normalized
    if (direction !== 'forward') this.#impairments.backward = normalized
  }

  /** The faults in force for a direction. */
  impairment(direction: Direction): Required<Impairment> {
    return { ...this.#impairments[direction] }
  }

  /** A copy of the counters. */
  stats(): UdpProxyStats {
    return {
      forward: { ...this.#stats.forward, queued: this.#queues.forward.size },
      backward: { ...this.#stats.backward, queued: this.#queues.backward.size },
      sessions: this.#sessions.size,
      refusedSessions: this.#refusedSessions,
      foreign: this.#foreign,
    }
  }

  /** Stops relaying, drops waiting datagrams and closes every socket. */
  close(): Promise<void> {
    return this.#lifecycle.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #fromClient(data: Buffer, client: Endpoint): void {
    const session = this.#session(client)
    if (!session) {
      this.#refusedSessions++
      return
    }
    session.lastActive = performance.now()
    this.#relay('forward', { socket: session.upstream, data, to: this.target })
  }

  #session(client: Endpoint): Session | undefined {
    const key = `${client.host}|${client.port}`
    const existing = this.#sessions.get(key)
    if (existing) return existing
    if (this.#lifecycle.closed || this.#sessions.size >= this.#maxSessions) return undefined
    const upstream = createSocket(isIP(this.target.host) === 6 ? 'udp6' : 'udp4')
    const session: Session = { upstream, client, lastActive: performance.now() }
    upstream.on('message', (data, from) => {
      if (from.address !== this.target.host || from.port !== this.target.port) {
        this.#foreign++
        return
      }
      session.lastActive = performance.now()
      this.#relay('backward', { socket: this.#listener, data, to: client })
    })
    upstream.on('error', () => this.#stats.forward.sendErrors++)
    // Sends issued before the bind completes are queued by Node until it does.
    upstream.bind(0, this.#upstreamHost)
    this.#sessions.set(key, session)
    return session
  }

  #relay(direction: Direction, packet: Outgoing): void {
    const stats = this.#stats[direction]
    stats.received++
    stats.bytes += packet.data.length
    const plan = planPacket(this.#impairments[direction], this.#random)
    if (plan.dropped) stats.dropped++
    if (plan.duplicated) stats.duplicated++
    if (plan.reordered) stats.reordered++
    const queue = this.#queues[direction]
    for (const delay of plan.delays) {
      if (queue.size >= this.#maxQueued) {
        stats.overflow++
        continue
      }
      queue.push(packet, delay)
    }
    queue.flush()
  }

  #send(direction: Direction, packet: Outgoing): void {
    const stats = this.#stats[direction]
    try {
      packet.socket.send(packet.data, packet.to.port, packet.to.host, (err) => {
        if (err) stats.sendErrors++
      })
      stats.sent++
    } catch {
      stats.sendErrors++
    }
  }

  #expireSessions(): void {
    const cutoff = performance.now() - this.#sessionIdleMs
    for (const [key, session] of this.#sessions) {
      if (session.lastActive < cutoff) {
        this.#sessions.delete(key)
        session.upstream.close()
      }
    }
  }

  async #closeSockets(): Promise<void> {
    this.#queues.forward.close()
    this.#queues.backward.close()
    const sockets = [this.#listener, ...[...this.#sessions.values()].map((s) => s.upstream)]
    this.#sessions.clear()
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(() => resolve())
            } catch {
              resolve()
            }
          }),
      ),
    )
  }
}
