/**
 * A TCP relay to one target that delays the byte stream (fixed + jitter, order preserved), can
 * stall it (`hold`: stop reading both ends, so senders block on flow control and nothing is lost)
 * and can reset every connection at once. TCP itself retransmits, so loss, duplication and
 * reordering are not meaningful here; use `UdpFaultProxy` for those.
 *
 * For libp2p over TCP, dial `/ip4/127.0.0.1/tcp/<proxy port>/p2p/<peer id>`; the caveats about
 * re-dials bypassing the proxy in udp-proxy.ts apply here too.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'
import { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { type Random, seededRandom } from '../../../runtime/testing/random.ts'
import { DelayQueue } from './delay-queue.ts'
import { checkEndpoint, type Endpoint, listenEndpoint, whenListening } from './endpoint.ts'
import { validateImpairment } from './impairment.ts'

/** Faults of a TCP proxy, applied to both directions. */
export interface TcpImpairment {
  /** Fixed delay per chunk, in ms. */
  delayMs?: number
  /** Extra delay per chunk drawn from [0, jitterMs); chunks never overtake each other. */
  jitterMs?: number
  /** Stop reading from both ends: the stream stalls until `hold` is set back to false. */
  hold?: boolean
}

export interface TcpProxyOptions extends TcpImpairment {
  target: Endpoint
  /** Where clients connect; default 127.0.0.1 on a free port. */
  listen?: Partial<Endpoint>
  seed?: number
  /** Most connections at once (default 1024); more are refused. */
  maxConnections?: number
  /** Bytes one direction may hold in its delay queue before reading pauses (default 8 MiB). */
  maxBufferedBytes?: number
}

export interface TcpProxyStats {
  /** Connections open now. */
  connections: number
  accepted: number
  refused: number
  /** Connections cut by `resetAll()`. */
  resets: number
  forwardBytes: number
  backwardBytes: number
}

/** One direction of one connection: reads `from`, writes `to` after the delay. */
class Pipe {
  readonly from: Socket
  readonly to: Socket
  readonly #queue: DelayQueue<Buffer | null>
  readonly #maxBuffered: number
  readonly #proxy: TcpFaultProxy
  #buffered = 0
  #lastDue = 0
  #blocked = false

  constructor(
    from: Socket,
    to: Socket,
    proxy: TcpFaultProxy,
    maxBuffered: number,
    count: (n: number) => void,
  ) {
    this.from = from
    this.to = to
    this.#proxy = proxy
    this.#maxBuffered = maxBuffered
    this.#queue = new DelayQueue((chunk) => {
      if (chunk === null) {
        to.end()
        return
      }
      this.#buffered -= chunk.length
      count(chunk.length)
      if (!to.write(chunk)) {
        this.#blocked = true
        to.once('drain', () => {
          this.#blocked = false
          this.updateFlow()
        })
      }
      this.updateFlow()
    })
    from.on('data', (chunk: Buffer) => {
      this.#buffered += chunk.length
      this.#enqueue(chunk)
      this.updateFlow()
    })
    from.on('end', () => this.#enqueue(null))
  }

  /** Pauses reading while holding, while too much waits, or while the far side is full. */
  updateFlow(): void {
    if (this.#proxy.holding || this.#blocked || this.#buffered > this.#maxBuffered) this.from.pause()
    else this.from.resume()
  }

  close(): void {
    this.#queue.close()
  }

  #enqueue(chunk: Buffer | null): void {
    // Never earlier than the previous chunk: a byte stream keeps its order.
    const due = Math.max(performance.now() + this.#proxy.drawDelay(), this.#lastDue)
    this.#lastDue = due
    this.#queue.pushAt(chunk, due)
    this.#queue.flush()
  }
}

/** A delaying, stallable TCP relay. */
export class TcpFaultProxy implements AsyncDisposable {
  readonly target: Endpoint
  readonly #server: Server
  readonly #connections = new Set<{ client: Socket; upstream: Socket; pipes: Pipe[] }>()
  readonly #random: Random
  readonly #maxConnections: number
  readonly #maxBuffered: number
  readonly #lifecycle = new Lifecycle()
  readonly #stats: Omit<TcpProxyStats, 'connections'> = {
    accepted: 0,
    refused: 0,
    resets: 0,
    forwardBytes: 0,
    backwardBytes: 0,
  }
  #delayMs = 0
  #jitterMs = 0
  #hold = false

  private constructor(options: TcpProxyOptions, server: Server) {
    this.target = checkEndpoint('target', options.target)
    this.#server = server
    this.#random = seededRandom(options.seed)
    this.#maxConnections = options.maxConnections ?? 1024
    this.#maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024
    if (!Number.isSafeInteger(this.#maxConnections) || this.#maxConnections <= 0) {
      throw new InvalidInputError(`maxConnections must be a positive integer, got ${this.#maxConnections}`)
    }
    if (!Number.isSafeInteger(this.#maxBuffered) || this.#maxBuffered <= 0) {
      throw new InvalidInputError(`maxBufferedBytes must be a positive integer, got ${this.#maxBuffered}`)
    }
    this.configure(options)
    server.on('connection', (client) => this.#accept(client))
    this.#lifecycle.defer(() => this.#shutdown())
  }

  /** Starts listening and returns the running proxy. */
  static async start(options: TcpProxyOptions): Promise<TcpFaultProxy> {
    const listen = listenEndpoint(checkEndpoint('target', options.target), options.listen)
    // Half-open both ways: an end from one side is delayed like data, not applied at once.
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true })
    await whenListening(server, (done) => server.listen(listen.port, listen.host, done))
    return new TcpFaultProxy(options, server)
  }

  /** Where clients connect. */
  get address(): Endpoint {
    const address = this.#server.address()
    if (address === null || typeof address === 'string') throw new InvalidInputError('proxy is not listening')
    return { host: address.address, port: address.port }
  }

  /** True while `hold` is in force. */
  get holding(): boolean {
    return this.#hold
  }

  /** Changes delay, jitter and hold; fields left out keep their values. */
  configure(impairment: TcpImpairment): void {
    const { delayMs, jitterMs } = validateImpairment({
      delayMs: impairment.delayMs ?? this.#delayMs,
      jitterMs: impairment.jitterMs ?? this.#jitterMs,
    })
    this.#delayMs = delayMs
    this.#jitterMs = jitterMs
    this.#hold = impairment.hold ?? this.#hold
    for (const connection of this.#connections) for (const pipe of connection.pipes) pipe.updateFlow()
  }

  /** A delay for the next chunk (used by the pipes). */
  drawDelay(): number {
    return this.#delayMs + (this.#jitterMs > 0 ? this.#random() * this.#jitterMs : 0)
  }

  /** Cuts every open connection at once (both ends see a reset). */
  resetAll(): void {
    for (const connection of [...this.#connections]) {
      this.#stats.resets++
      connection.client.resetAndDestroy()
      connection.upstream.resetAndDestroy()
    }
  }

  stats(): TcpProxyStats {
    return { ...this.#stats, connections: this.#connections.size }
  }

  /** Stops accepting, destroys every connection and closes the listening socket. */
  close(): Promise<void> {
    return this.#lifecycle.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #accept(client: Socket): void {
    if (this.#lifecycle.closed || this.#connections.size >= this.#maxConnections) {
      this.#stats.refused++
      client.destroy()
      return
    }
    this.#stats.accepted++
    const upstream = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true })
    const connection = {
      client,
      upstream,
      pipes: [
        new Pipe(client, upstream, this, this.#maxBuffered, (n) => {
          this.#stats.forwardBytes += n
        }),
        new Pipe(upstream, client, this, this.#maxBuffered, (n) => {
          this.#stats.backwardBytes += n
        }),
      ],
    }
    this.#connections.add(connection)
    const teardown = (): void => {
      if (!this.#connections.delete(connection)) return
      for (const pipe of connection.pipes) pipe.close()
      client.destroy()
      upstream.destroy()
    }
    // An error cuts both sides; a clean close waits for the other side, whose delayed end is queued.
    let open = 2
    for (const socket of [client, upstream]) {
      socket.on('error', teardown)
      socket.on('close', () => {
        open--
        if (open === 0) teardown()
      })
    }
    for (const pipe of connection.pipes) pipe.updateFlow()
  }

  async #shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    for (const connection of [...this.#connections]) {
      connection.client.destroy()
      connection.upstream.destroy()
    }
    await closed
  }
}
