/**
 * One consumer as its producer sees it: a bounded queue of encoded datums, the credit the consumer
 * granted, and the link they travel on.
 *
 * `offer()` appends a datum to the queue; `flush()` — called by the producer once a burst of sends
 * has settled, and again whenever credit arrives — packs as many queued datums as the credit
 * allows into data frames. When the queue is full the slow-consumer policy decides: `drop-oldest`
 * evicts the oldest queued datum, `disconnect` cuts the consumer off, `block` never gets here (the
 * producer waits for room before offering). Every datum lost either way is counted.
 */
import type { SlowConsumerPolicy } from '../codegen/streams.ts'
import type { PeerEntry } from '../discovery/entry.ts'
import { Deque } from '../network/deque.ts'
import type { Link } from '../network/link.ts'
import { decode } from '../primitives/codec.ts'
import { isMosaikError, type MosaikError, TimeoutError } from '../primitives/errors.ts'
import { waitFor } from '../primitives/watch.ts'
import { expiryTimer } from './access.ts'
import { batchSize, encodeBatch } from './batch.ts'
import type { ChannelRecord } from './channel.ts'
import { type ByeReason, bye, PROTOCOL_LIMITS, parseCredit } from './protocol.ts'

/** Largest data frame built from several datums (a single bigger datum still goes alone). */
const BATCH_BYTES = 64 * 1024

/** A data frame built from the queue, with what it carries for the counters. */
interface Frame {
  readonly bytes: Uint8Array
  readonly datums: number
  readonly payload: number
}

/** What a channel needs from its producer. */
export interface OutboundHost {
  readonly policy: SlowConsumerPolicy
  /** Queue capacity (the producer's buffer size). */
  readonly capacity: number
  /** The queue shrank: sends waiting for room may go on. */
  progressed(): void
  /** The channel ended (any reason); it is no longer connected. */
  ended(channel: Outbound): void
  /** The consumer broke the protocol. */
  misbehaved(channel: Outbound, error: MosaikError): void
}

export interface OutboundInit {
  readonly host: OutboundHost
  readonly link: Link
  readonly record: ChannelRecord
  readonly entry: PeerEntry
  /** The consumer's initial credit. */
  readonly credits: number
  readonly creditBytes: number
}

export class Outbound {
  readonly record: ChannelRecord
  /** The consumer's latest catalog entry (updated by the producer on catalog changes). */
  entry: PeerEntry
  readonly #host: OutboundHost
  readonly #link: Link
  readonly #queue = new Deque<Uint8Array>()
  /** Sequence number of the datum at the head of the queue. */
  #headSeq = 0
  #credits: number
  #creditBytes: number
  /** Most datums per frame: a quarter of the consumer's window, so credit flows back while frames are in flight. */
  readonly #maxBatch: number
  readonly #batch: Uint8Array[] = []
  /** A frame the link had no room for; it goes first once the link drains. */
  #stalled: Frame | undefined
  #flushScheduled = false
  #awaitingRoom = false
  #ended = false
  readonly #drainWaiters: (() => void)[] = []
  #cancelExpiry: (() => void) | undefined
  #closed: Promise<void> | undefined

  constructor(init: OutboundInit) {
    this.#host = init.host
    this.#link = init.link
    this.record = init.record
    this.entry = init.entry
    this.#credits = init.credits
    this.#creditBytes = init.creditBytes
    this.#maxBatch = Math.max(1, Math.floor(init.credits / 4))
  }

  get peer(): string {
    return this.#link.peer
  }

  get connected(): boolean {
    return !this.#ended
  }

  /** True when the queue has room for another datum, after sending what the credit allows. */
  makeRoom(): boolean {
    if (this.#queue.length >= this.#host.capacity && this.#credits > 0) this.#flush()
    return this.#queue.length < this.#host.capacity
  }

  /** Marks the channel connected and starts reading the consumer's credit. */
  start(): void {
    this.record.state = 'connected'
    this.record.counter.connected()
    void this.#readCredits()
  }

  /** Disconnects with `unauthorized` at `expiresAt` (ms since the epoch; null = never). */
  expireAt(expiresAt: number | null): void {
    this.#cancelExpiry?.()
    this.#cancelExpiry = expiryTimer(expiresAt, () => this.disconnect('unauthorized', 'ticket expired'))
  }

  /** Queues one encoded datum for this consumer, applying the slow-consumer policy when full. */
  offer(datum: Uint8Array): void {
    if (this.#ended) return
    if (this.#queue.length >= this.#host.capacity) {
      if (this.#credits > 0) this.#flush()
      if (this.#queue.length >= this.#host.capacity && !this.#overflow()) return
    }
    this.#queue.push(datum)
  }

  /** Sends what the credit allows now (the producer calls this when a burst of sends settled). */
  flush(): void {
    if (this.#queue.length === 0 || this.#credits === 0) return
    this.#flush()
    this.#link.flushNow() // the burst is packed: write it in this turn, not the next
  }

  /** Makes room in a full queue; false when the consumer was cut off instead. */
  #overflow(): boolean {
    switch (this.#host.policy) {
      case 'drop-oldest':
        this.#queue.shift()
        this.#headSeq++
        this.record.counter.drop('drop-oldest', 1)
        return true
      case 'disconnect':
        this.record.counter.drop('disconnect', 1)
        this.disconnect('too-slow', `queue of ${this.#host.capacity} datums is full`)
        return false
      case 'block':
        return true
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    if (this.#stalled !== undefined && !this.#sendFrame(this.#stalled)) return
    this.#stalled = undefined
    while (!this.#ended && this.#queue.length > 0 && this.#credits > 0 && this.#creditBytes > 0) {
      const frame = this.#nextFrame()
      if (!this.#sendFrame(frame)) {
        this.#stalled = frame
        break
      }
    }
    if (this.#queue.length === 0 && this.#stalled === undefined) {
      for (const wake of this.#drainWaiters.splice(0)) wake()
    }
    this.#host.progressed()
  }

  /** Takes the next batch off the queue within the credit and size limits, and charges the credit. */
  #nextFrame(): Frame {
    const batch = this.#batch
    batch.length = 0
    let bytes = 0
    const limit = Math.min(this.#credits, this.#maxBatch)
    for (
      let next = this.#queue.peek();
      next !== undefined && batch.length < limit;
      next = this.#queue.peek()
    ) {
      const size = bytes + next.length
      if (batch.length > 0 && (batchSize(batch.length + 1, size) > BATCH_BYTES || size > this.#creditBytes))
        break
      batch.push(next)
      bytes = size
      this.#queue.shift()
    }
    const frame = { bytes: encodeBatch(this.#headSeq, batch, bytes), datums: batch.length, payload: bytes }
    this.#headSeq += batch.length
    this.#credits -= batch.length
    this.#creditBytes -= bytes
    return frame
  }

  /** Hands a frame to the link; false (and a flush once it drains) when it has no room. */
  #sendFrame(frame: Frame): boolean {
    try {
      if (this.#link.trySendEncoded(frame.bytes)) {
        this.record.counter.add(frame.datums, frame.payload)
        return true
      }
      if (!this.#awaitingRoom) {
        this.#awaitingRoom = true
        this.#link.whenWritable().then(
          () => {
            this.#awaitingRoom = false
            this.#schedule()
          },
          () => undefined,
        )
      }
    } catch {
      // The link failed; #readCredits sees it and ends the channel.
    }
    return false
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#ended) return
    this.#flushScheduled = true
    setImmediate(this.#flush)
  }

  async #readCredits(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.#link.receiveEncoded()
        if (frame === null) break // the consumer unsubscribed
        const credit = parseCredit(decode(frame))
        this.#credits = Math.min(PROTOCOL_LIMITS.maxCredits, this.#credits + credit.n)
        this.#creditBytes = Math.min(PROTOCOL_LIMITS.maxCreditBytes, this.#creditBytes + credit.b)
        if (this.#queue.length > 0 || this.#stalled !== undefined) this.#schedule()
      }
    } catch (err) {
      if (isMosaikError(err, 'ERR_PROTOCOL') || isMosaikError(err, 'ERR_DECODE')) {
        this.#host.misbehaved(this, err)
        this.#link.abort(err)
      }
    }
    this.#end()
  }

  /** Cuts the consumer off: tells it why, drops what is queued (counted) and closes the link. */
  disconnect(reason: ByeReason, message: string): Promise<void> {
    if (!this.#ended) {
      this.#end()
      this.#closed = this.#link
        .send(bye(reason, message))
        .then(() => this.#link.close())
        .catch(() => this.#link.abort())
    }
    return this.#closed ?? Promise.resolve()
  }

  /**
   * Graceful end when the producer closes: waits (up to `timeout` ms) until everything queued was
   * sent, then says goodbye and closes the link, which resolves once the consumer has it all.
   */
  async finish(timeout: number): Promise<void> {
    if (!this.#ended && (this.#queue.length > 0 || this.#stalled !== undefined)) {
      await waitFor<void>({ timeout }, (resolve) => {
        this.#drainWaiters.push(resolve)
        return () => undefined
      }).catch((err: unknown) => {
        if (!(err instanceof TimeoutError)) throw err
      })
    }
    await this.disconnect('closing', 'the producer closed')
  }

  #end(): void {
    if (this.#ended) return
    this.#ended = true
    this.record.state = 'terminated'
    this.record.counter.drop('disconnect', this.#queue.length + (this.#stalled?.datums ?? 0))
    this.#queue.drain()
    this.#stalled = undefined
    this.#cancelExpiry?.()
    for (const wake of this.#drainWaiters.splice(0)) wake()
    this.#host.ended(this)
  }
}
