/**
 * `Consumer<T>`: the receiving end of a stream on one node. It watches the catalog and subscribes
 * to every producer of the stream that passes `require` and the required tickets — also producers
 * that appear later — and unsubscribes from those that stop advertising or stop passing. Datums
 * from all producers land in one buffer (ordered per producer) that `next()` / `for await` read;
 * taking a datum gives its credit back to the producer it came from.
 *
 * A producer that refused or ended a subscription for good (not allowed, schema mismatch, gave up
 * after backoff…) is not tried again until its catalog entry or ours changes.
 */
import type { StreamDescriptor } from '../codegen/descriptors.ts'
import { schemaCodecOf } from '../codegen/schema-codec.ts'
import type { ChannelInfo, Consumer, ConsumerOptions, PeerInfo } from '../codegen/streams.ts'
import { type Validator, validatorOf } from '../codegen/validator.ts'
import type { PeerEntry } from '../discovery/entry.ts'
import { Deque } from '../network/deque.ts'
import { ClosedError } from '../primitives/errors.ts'
import { checkAccess, checkTickets, passesRequire, peerInfo, sameTickets } from './access.ts'
import { Backoff } from './backoff.ts'
import { ChannelRecord } from './channel.ts'
import type { StreamsContext } from './context.ts'
import { Endpoint } from './endpoint.ts'
import { type ResolvedConsumerOptions, resolveConsumerOptions } from './options.ts'
import { type Ending, type Session, Subscription, type SubscriptionHost } from './subscription.ts'

/** Datums of one frame waiting to be taken; its credit goes back once all are taken. */
interface Chunk {
  readonly session: Session
  readonly items: unknown[]
  index: number
  readonly credits: number
  readonly bytes: number
}

type Reader<T> = (result: IteratorResult<T, undefined>) => void

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined })
const NOTHING: unique symbol = Symbol('nothing')

export class StreamConsumer<T> extends Endpoint implements Consumer<T> {
  readonly #options: ResolvedConsumerOptions
  readonly #subscriptions = new Map<string, Subscription>()
  /** Producers being admitted (ping, tickets) right now. */
  readonly #admitting = new Set<string>()
  /** Producers not to try again until the versions in their key change. */
  readonly #blocked = new Map<string, { readonly untilRestart: boolean; readonly key: string }>()
  readonly #chunks = new Deque<Chunk>()
  readonly #readers = new Deque<Reader<T>>()
  readonly #host: SubscriptionHost
  #reconcileScheduled = false
  readonly #onClosed: () => void

  constructor(
    context: StreamsContext,
    descriptor: StreamDescriptor,
    options: ConsumerOptions,
    onClosed: () => void,
  ) {
    const resolved = resolveConsumerOptions(options)
    super(context, descriptor, 'consumer', resolved.online, options.signal)
    this.#options = resolved
    this.#onClosed = onClosed
    this.#host = {
      context,
      identity: this.identity,
      validator: validatorOf<unknown>(descriptor.name, descriptor.datum) as Validator<unknown>,
      codec: schemaCodecOf(descriptor.datum),
      window: resolved.bufferSize,
      deliver: (session, items, credits, bytes) => this.#deliver(session, items, credits, bytes),
      changed: () => this.watch.changed(),
      ended: (subscription, ending) => this.#ended(subscription, ending),
      error: (error) => this.errors.emit(error),
    }
    this.lifecycle.defer(context.network.discovery.watch.subscribe(() => this.#scheduleReconcile()))
    this.#scheduleReconcile()
  }

  get connectedChannels(): number {
    let n = 0
    for (const s of this.#subscriptions.values()) if (s.connected) n++
    return n
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const value = this.#take()
    if (value !== NOTHING) return Promise.resolve({ done: false, value })
    if (this.closing) return Promise.resolve(DONE)
    return new Promise((resolve) => this.#readers.push(resolve))
  }

  tryNext(): T | undefined {
    const value = this.#take()
    return value === NOTHING ? undefined : value
  }

  /** Iterating does not close the consumer when the loop breaks; call `close()` for that. */
  [Symbol.asyncIterator](): this {
    return this
  }

  producers(): ChannelInfo[] {
    return [...this.#subscriptions.values()].map((s) => s.record.view())
  }

  #take(): T | typeof NOTHING {
    const chunk = this.#chunks.peek()
    if (chunk === undefined) return NOTHING
    const value = chunk.items[chunk.index++] as T
    if (chunk.index === chunk.items.length) {
      this.#chunks.shift()
      chunk.session.credit(chunk.credits, chunk.bytes)
    }
    return value
  }

  #deliver(session: Session, items: unknown[], credits: number, bytes: number): void {
    if (this.closing) return
    const chunk: Chunk = { session, items, index: 0, credits, bytes }
    while (this.#readers.length > 0 && chunk.index < items.length) {
      const reader = this.#readers.shift() as Reader<T>
      reader({ done: false, value: items[chunk.index++] as T })
    }
    if (chunk.index === items.length) session.credit(credits, bytes)
    else this.#chunks.push(chunk)
  }

  protected connectedPeers(): PeerInfo[] {
    const discovery = this.context.network.discovery
    const peers: PeerInfo[] = []
    for (const s of this.#subscriptions.values()) {
      if (s.connected) peers.push(peerInfo(s.entry, discovery.rtt(s.peer)))
    }
    return peers
  }

  #scheduleReconcile(): void {
    if (this.#reconcileScheduled || this.closing) return
    this.#reconcileScheduled = true
    queueMicrotask(() => {
      this.#reconcileScheduled = false
      if (!this.closing) this.#reconcile()
    })
  }

  /** Subscribes to new eligible producers and drops those that left or no longer pass. */
  #reconcile(): void {
    const catalog = this.context.network.discovery.catalog
    const producers = new Map(catalog.producersOf(this.streamId).map((e) => [e.peerId, e]))
    for (const [peer, subscription] of this.#subscriptions) {
      const entry = producers.get(peer)
      if (entry === undefined) void subscription.close({ reason: 'closing', block: false })
      else this.#recheck(subscription, entry)
    }
    for (const [peer, entry] of producers) {
      if (this.#subscriptions.has(peer) || this.#admitting.has(peer)) continue
      const blocked = this.#blocked.get(peer)
      if (blocked !== undefined) {
        if (blocked.key === this.#blockKey(entry, blocked.untilRestart)) continue
        this.#blocked.delete(peer)
      }
      void this.#admit(peer)
    }
    this.watch.changed()
  }

  /** A subscribed producer's entry changed: `require` again, tickets again if they changed. */
  #recheck(subscription: Subscription, entry: PeerEntry): void {
    if (subscription.entry === entry) return
    const previous = subscription.entry
    subscription.entry = entry
    const rtt = this.context.network.discovery.rtt(entry.peerId)
    if (!passesRequire(this.#options.access, peerInfo(entry, rtt))) {
      this.#notEligible(entry.peerId, 'not-allowed', 'the producer no longer passes require()')
      void subscription.close({ reason: 'not-allowed', block: true })
    } else if (!sameTickets(previous, entry)) {
      void checkTickets(this.#options.access, entry, this.context.network.networkId).then((access) => {
        if (access.allowed) {
          subscription.expireAt(access.expiresAt)
        } else {
          this.#notEligible(entry.peerId, access.reason, access.message)
          void subscription.close({ reason: access.reason, block: true })
        }
      })
    }
  }

  /** This consumer decided a producer may not serve it (counted with the refusals). */
  #notEligible(peer: string, reason: 'not-allowed' | 'unauthorized', message: string): void {
    this.context.metrics.refused.inc({ stream: this.name, side: 'consumer', reason })
    this.logger.debug({ peer, reason, message }, 'producer not eligible')
  }

  /** Measures the RTT if unknown (for `require` on `rtt`), checks access, then subscribes. */
  async #admit(peer: string): Promise<void> {
    this.#admitting.add(peer)
    const discovery = this.context.network.discovery
    try {
      if (discovery.rtt(peer) === undefined) {
        await discovery
          .ping(peer)
          .catch((err: unknown) => this.logger.debug({ err, peer }, 'rtt probe failed'))
      }
      const entry = discovery.catalog.get(peer)
      if (this.closing || entry === undefined || !entry.streams.some((s) => s.equals(this.streamId))) return
      const access = await checkAccess(
        this.#options.access,
        entry,
        this.context.network.networkId,
        discovery.rtt(peer),
      )
      if (this.closing) return
      if (!access.allowed) {
        this.#notEligible(peer, access.reason, access.message)
        this.#block(peer, entry, false)
        return
      }
      const record = new ChannelRecord(this.streamId, peerInfo(entry, discovery.rtt(peer)), this.total)
      const subscription = new Subscription(this.#host, entry, record, new Backoff(this.#options.backoff))
      this.#subscriptions.set(peer, subscription)
      subscription.expireAt(access.expiresAt)
      subscription.start()
    } finally {
      this.#admitting.delete(peer)
      this.#scheduleReconcile()
    }
  }

  #ended(subscription: Subscription, ending: Ending): void {
    if (this.#subscriptions.get(subscription.peer) !== subscription) return
    this.#subscriptions.delete(subscription.peer)
    this.logger.debug({ peer: subscription.peer, reason: ending.reason }, 'subscription ended')
    const entry = this.context.network.discovery.catalog.get(subscription.peer)
    if (ending.block && entry !== undefined)
      this.#block(subscription.peer, entry, ending.untilRestart ?? false)
    this.watch.changed()
    this.#scheduleReconcile()
  }

  #block(peer: string, entry: PeerEntry, untilRestart: boolean): void {
    this.#blocked.set(peer, { untilRestart, key: this.#blockKey(entry, untilRestart) })
  }

  /**
   * What must change before a blocked producer is tried again: its entry or ours (a tag may have
   * changed; both are re-announced now and then, so this is also a slow retry), or for a schema
   * mismatch only a restart of the producer.
   */
  #blockKey(entry: PeerEntry, untilRestart: boolean): string {
    if (untilRestart) return `${entry.version.start}`
    const local = this.context.network.discovery.local.version
    return `${entry.version.start}.${entry.version.update}|${local.start}.${local.update}`
  }

  protected async shutdown(): Promise<void> {
    await this.lifecycle.close()
    this.#onClosed()
    await Promise.allSettled([...this.#subscriptions.values()].map((s) => s.close()))
    for (let reader = this.#readers.shift(); reader !== undefined; reader = this.#readers.shift())
      reader(DONE)
    this.#chunks.drain()
    this.watch.close(new ClosedError(`consumer of '${this.name}' closed`))
    this.errors.clear()
  }
}
