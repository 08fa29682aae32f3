/**
 * `Producer<T>`: the sending end of a stream on one node. It advertises the stream in the local
 * discovery entry, admits consumers that subscribe (signature, capacity, `require`, tickets), and
 * fans every datum out to their queues — encoded once, validated before it leaves.
 *
 * `send()` waits until the online condition holds and, under the `block` policy, until every
 * consumer's queue has room; `drop-oldest` and `disconnect` never make it wait for a slow consumer.
 * Waiting sends are served in call order, so datums keep their order.
 */
import type { StreamDescriptor } from '../codegen/descriptors.ts'
import { encodeWith, type SchemaCodec, schemaCodecOf } from '../codegen/schema-codec.ts'
import type { ChannelInfo, PeerInfo, Producer, ProducerOptions, TrySendResult } from '../codegen/streams.ts'
import { type Validator, validatorOf } from '../codegen/validator.ts'
import type { Catalog } from '../discovery/catalog.ts'
import type { PeerEntry } from '../discovery/entry.ts'
import { Deque } from '../network/deque.ts'
import type { Link } from '../network/link.ts'
import {
  ClosedError,
  FrameTooLargeError,
  type MosaikError,
  SchemaMismatchError,
} from '../primitives/errors.ts'
import { type WaitOptions, waitFor } from '../primitives/watch.ts'
import { checkAccess, checkTickets, passesRequire, peerInfo, sameTickets } from './access.ts'
import { ChannelRecord } from './channel.ts'
import { MAX_DATUM_BYTES, type StreamsContext, TIMING } from './context.ts'
import { Endpoint } from './endpoint.ts'
import { type ResolvedProducerOptions, resolveProducerOptions } from './options.ts'
import { Outbound, type OutboundHost } from './outbound.ts'
import { type RefuseReason, refuse, type SubscribeMessage } from './protocol.ts'

const RESOLVED = Promise.resolve()
/**
 * A caller looping over `await send()` never leaves the microtask queue while sends resolve at once,
 * so queued frames would not reach the transport (and credit would not come back) until a queue
 * fills. Every this many sends, `send()` resolves on the next turn of the event loop instead: the
 * transport writes what was packed and credit is read. Larger is cheaper per datum — each turn's
 * burst ends in a flush, and every transport write costs tens of µs here (noise writes a length
 * and a ciphertext per message) — while 1024 sends of ~1–2 µs still yield every few milliseconds.
 */
const YIELD_EVERY = 1024
/** Microtask hops without a new datum after which a burst of sends counts as over (see `#settle`). */
const QUIET_HOPS = 2

interface PendingSend {
  readonly datum: Uint8Array
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
  active: boolean
}

export class StreamProducer<T> extends Endpoint implements Producer<T> {
  readonly descriptor: StreamDescriptor
  readonly #options: ResolvedProducerOptions
  readonly #validator: Validator<T>
  readonly #codec: SchemaCodec | undefined
  readonly #channels = new Set<Outbound>()
  readonly #waiting = new Deque<PendingSend>()
  readonly #outboundHost: OutboundHost
  /** Admissions in progress, counted against `maxConsumers`. */
  #admitting = 0
  #pumping = false
  /** Sends in `#waiting` that timed out or were aborted. */
  #abandoned = 0
  /** Datums fanned out so far, and as of the last settle check. */
  #fanned = 0
  #settledAt = 0
  #settling = false
  #quietHops = 0
  /** Sends resolved at once since `send()` last yielded to the event loop. */
  #sinceYield = 0
  readonly #onClosed: () => void

  constructor(
    context: StreamsContext,
    descriptor: StreamDescriptor,
    options: ProducerOptions,
    onClosed: () => void,
  ) {
    const resolved = resolveProducerOptions(options)
    super(context, descriptor, 'producer', resolved.online, options.signal)
    this.descriptor = descriptor
    this.#options = resolved
    this.#validator = validatorOf<T>(descriptor.name, descriptor.datum)
    this.#codec = schemaCodecOf(descriptor.datum)
    this.#onClosed = onClosed
    this.#outboundHost = {
      policy: resolved.policy,
      capacity: resolved.bufferSize,
      progressed: () => this.#pump(),
      ended: (channel) => this.#ended(channel),
      misbehaved: (channel, error) => this.#misbehaved(channel, error),
    }
    const discovery = context.network.discovery
    this.lifecycle.defer(discovery.watch.subscribe((catalog) => this.#onCatalog(catalog)))
    discovery.addStreams(this.streamId)
  }

  get connectedChannels(): number {
    return this.#channels.size
  }

  send(datum: T, options?: WaitOptions): Promise<void> {
    let bytes: Uint8Array
    try {
      this.lifecycle.assertOpen(`producer of '${this.name}'`)
      bytes = this.#encode(datum)
    } catch (err) {
      return Promise.reject(err)
    }
    if (this.#waiting.length === 0 && this.#ready()) {
      this.#fanOut(bytes)
      if (++this.#sinceYield < YIELD_EVERY) return RESOLVED
      this.#sinceYield = 0
      return new Promise((resolve) => setImmediate(resolve))
    }
    return waitFor<void>(options ?? {}, (resolve, reject) => {
      const entry: PendingSend = { datum: bytes, resolve, reject, active: true }
      this.#waiting.push(entry)
      return () => {
        if (!entry.active) return
        entry.active = false // timed out or aborted: skipped when its turn comes
        if (++this.#abandoned > 64 && this.#abandoned * 2 > this.#waiting.length) this.#compact()
      }
    })
  }

  trySend(datum: T): TrySendResult {
    this.lifecycle.assertOpen(`producer of '${this.name}'`)
    const bytes = this.#encode(datum)
    if (!this.watch.isOnline) return 'offline'
    if (this.#waiting.length > 0 || !this.#ready()) return 'full'
    this.#fanOut(bytes)
    return 'accepted'
  }

  consumers(): ChannelInfo[] {
    return [...this.#channels].map((c) => c.record.view())
  }

  /**
   * Decides on a subscription whose network, stream and handshake were already checked: schema
   * signature, capacity, the consumer's catalog entry, `require` and tickets. On success the
   * consumer becomes a channel; otherwise it is refused with the reason.
   */
  async admit(link: Link, request: SubscribeMessage): Promise<void> {
    const peer = link.peer
    const refused = (reason: RefuseReason, message: string, signature?: Uint8Array): Promise<void> => {
      this.context.metrics.refused.inc({ stream: this.name, side: 'producer', reason })
      this.logger.debug({ peer, reason, message }, 'refused a consumer')
      return refuse(link, reason, message, signature)
    }
    if (this.closing) return refused('closing', 'the producer is closing')
    const remote = Buffer.from(request.signature).toString('hex')
    if (remote !== this.identity.signature.hex) {
      const error = new SchemaMismatchError(this.name, this.identity.signature.hex, remote, {
        details: { peer, side: 'producer' },
      })
      this.errors.emit(error)
      return refused('schema-mismatch', error.message, this.identity.signature.bytes)
    }
    if (this.#channels.size + this.#admitting >= this.#options.maxConsumers) {
      return refused('capacity', `the producer serves at most ${this.#options.maxConsumers} consumers`)
    }
    this.#admitting++
    try {
      const entry = await this.#entryOf(peer)
      if (entry === undefined) {
        return await refused('unknown-peer', `peer ${peer} is not in the producer's catalog`)
      }
      const { discovery, networkId } = this.context.network
      const access = await checkAccess(this.#options.access, entry, networkId, discovery.rtt(peer))
      if (!access.allowed) return await refused(access.reason, access.message)
      if (this.closing) return await refused('closing', 'the producer is closing')
      await link.send({ t: 'ok', signature: this.identity.signature.bytes })
      const record = new ChannelRecord(this.streamId, peerInfo(entry, discovery.rtt(peer)), this.total)
      const channel = new Outbound({
        host: this.#outboundHost,
        link,
        record,
        entry,
        credits: request.credits,
        creditBytes: request.creditBytes,
      })
      this.#channels.add(channel)
      channel.start()
      channel.expireAt(access.expiresAt)
      this.logger.debug({ peer }, 'consumer subscribed')
      this.#changed()
    } catch (err) {
      this.logger.debug({ err, peer }, 'admitting a consumer failed')
      link.abort(err instanceof Error ? err : undefined)
    } finally {
      this.#admitting--
    }
  }

  /** The consumer's entry, syncing catalogs with it first if it is not known yet, and its RTT measured. */
  async #entryOf(peer: string): Promise<PeerEntry | undefined> {
    const discovery = this.context.network.discovery
    if (!discovery.catalog.has(peer)) {
      await discovery
        .syncWith(peer)
        .catch((err: unknown) => this.logger.debug({ err, peer }, 'catalog sync failed'))
    }
    if (discovery.rtt(peer) === undefined) {
      await discovery.ping(peer).catch((err: unknown) => this.logger.debug({ err, peer }, 'rtt probe failed'))
    }
    return discovery.catalog.get(peer)
  }

  #encode(datum: T): Uint8Array {
    const valid = this.#validator.parse(datum, { role: 'datum' })
    const bytes = encodeWith(this.#codec, valid)
    if (bytes.length > MAX_DATUM_BYTES) throw new FrameTooLargeError(bytes.length, MAX_DATUM_BYTES)
    return bytes
  }

  /** Online, and under `block` every consumer has room. */
  #ready(): boolean {
    if (!this.watch.isOnline) return false
    if (this.#options.policy !== 'block') return true
    for (const channel of this.#channels) if (!channel.makeRoom()) return false
    return true
  }

  #fanOut(datum: Uint8Array): void {
    for (const channel of this.#channels) channel.offer(datum)
    this.#fanned++
    if (this.#settling) return
    this.#settling = true
    this.#settledAt = this.#fanned
    this.#quietHops = 0
    queueMicrotask(this.#settle)
  }

  /**
   * Flushes every channel once sends have stopped coming in: a microtask chain that flushes after
   * `QUIET_HOPS` hops in a row brought no new datum. A caller's burst of sends — a loop of
   * `await send()` too, whose next send comes one microtask after the previous one resolved —
   * thus travels in one frame, and goes out in the same turn of the event loop instead of one later.
   */
  readonly #settle = (): void => {
    if (this.#fanned !== this.#settledAt) {
      this.#settledAt = this.#fanned
      this.#quietHops = 0
    } else if (++this.#quietHops >= QUIET_HOPS) {
      this.#settling = false
      for (const channel of this.#channels) channel.flush()
      return
    }
    queueMicrotask(this.#settle)
  }

  /** Serves waiting sends, in order, while the producer is ready. */
  #pump(): void {
    if (this.#pumping) return
    this.#pumping = true
    try {
      for (let next = this.#waiting.peek(); next !== undefined; next = this.#waiting.peek()) {
        if (next.active) {
          if (!this.#ready()) break
          this.#fanOut(next.datum)
          next.active = false
          next.resolve()
        } else {
          this.#abandoned--
        }
        this.#waiting.shift()
      }
    } finally {
      this.#pumping = false
    }
  }

  /** Drops abandoned sends from the queue, so a producer that stays offline does not pile them up. */
  #compact(): void {
    for (const pending of this.#waiting.drain()) if (pending.active) this.#waiting.push(pending)
    this.#abandoned = 0
  }

  protected connectedPeers(): PeerInfo[] {
    const discovery = this.context.network.discovery
    return [...this.#channels].map((c) => peerInfo(c.entry, discovery.rtt(c.peer)))
  }

  /** Channels or their peers changed: re-evaluate the online condition and serve waiting sends. */
  #changed(): void {
    this.watch.changed()
    this.#pump()
  }

  #ended(channel: Outbound): void {
    if (!this.#channels.delete(channel)) return
    this.logger.debug({ peer: channel.peer }, 'consumer unsubscribed')
    this.#changed()
  }

  #misbehaved(channel: Outbound, error: MosaikError): void {
    this.context.metrics.protocolErrors.inc({ stream: this.name, side: 'producer', peer: channel.peer })
    this.errors.emit(error)
  }

  /** Re-evaluates `require` and tickets of every consumer whose entry changed. */
  #onCatalog(catalog: Catalog): void {
    const { discovery, networkId } = this.context.network
    for (const channel of this.#channels) {
      const entry = catalog.get(channel.peer)
      if (entry === undefined || entry === channel.entry) continue
      const previous = channel.entry
      channel.entry = entry
      if (!passesRequire(this.#options.access, peerInfo(entry, discovery.rtt(channel.peer)))) {
        void channel.disconnect('not-allowed', 'the consumer no longer passes require()')
      } else if (!sameTickets(previous, entry)) {
        void checkTickets(this.#options.access, entry, networkId).then((access) => {
          if (access.allowed) channel.expireAt(access.expiresAt)
          else void channel.disconnect('unauthorized', access.message)
        })
      }
    }
    this.#changed()
  }

  protected async shutdown(): Promise<void> {
    await this.lifecycle.close()
    const closed = new ClosedError(`producer of '${this.name}' closed`)
    for (const pending of this.#waiting.drain()) {
      if (!pending.active) continue
      pending.active = false
      pending.reject(closed)
    }
    this.#onClosed()
    // Deliver first, then stop advertising: a consumer that saw the stream vanish from our entry
    // would hang up on datums still in flight.
    await Promise.allSettled([...this.#channels].map((c) => c.finish(TIMING.drain)))
    if (!this.context.network.closed) this.context.network.discovery.removeStreams(this.streamId)
    this.watch.close(closed)
    this.errors.clear()
  }
}
