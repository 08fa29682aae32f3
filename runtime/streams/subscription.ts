/**
 * One producer as its consumer sees it: connect, handshake, receive, and reconnect with backoff
 * when the channel breaks, until the consumer closes it or the producer says no for good.
 *
 * Each connection is a `Session` with its own credit: the consumer grants `window` datums (and
 * `WINDOW_BYTES` bytes) in the handshake and gives credit back as the application takes datums,
 * so the producer never has more in flight than the consumer can hold.
 *
 * Every received datum is decoded and validated on its own; an invalid one is rejected (counted,
 * reported with stream, peer and path, never delivered) and the rest of the frame still arrives.
 * A frame that breaks the protocol drops the connection (a new one follows after backoff).
 */
import { decodeWith, type SchemaCodec } from '../codegen/schema-codec.ts'
import type { Validator } from '../codegen/validator.ts'
import type { PeerEntry } from '../discovery/entry.ts'
import type { Link } from '../network/link.ts'
import { decode } from '../primitives/codec.ts'
import { Digest } from '../primitives/digest.ts'
import {
  DecodeError,
  isMosaikError,
  type MosaikError,
  ProtocolError,
  SchemaMismatchError,
  ValidationError,
} from '../primitives/errors.ts'
import { expiryTimer } from './access.ts'
import type { Backoff } from './backoff.ts'
import { decodeBatch, isBatch } from './batch.ts'
import type { ChannelRecord } from './channel.ts'
import { type StreamIdentity, type StreamsContext, TIMING, WINDOW_BYTES } from './context.ts'
import { type ByeReason, parseBye, parseReply, type RefuseReason, STREAMS_PROTOCOL } from './protocol.ts'

/** How a subscription ended for good. */
export interface Ending {
  /** Why, for logs. */
  readonly reason: RefuseReason | ByeReason | 'gave-up' | 'expired' | 'closed'
  /** Block reconnecting until the producer's (or our own) entry changes. */
  readonly block: boolean
  /** Block only until the producer restarts (a schema mismatch cannot heal otherwise). */
  readonly untilRestart?: boolean
}

/** What a subscription needs from its consumer. */
export interface SubscriptionHost {
  readonly context: StreamsContext
  readonly identity: StreamIdentity
  readonly validator: Validator<unknown>
  /** The datum schema's compiled decoder, when it has one. */
  readonly codec: SchemaCodec | undefined
  /** The credit window in datums. */
  readonly window: number
  /** Hands received valid datums to the application buffer; `credits`/`bytes` go back once taken. */
  deliver(session: Session, items: unknown[], credits: number, bytes: number): void
  /** The channel's state changed (connected or not). */
  changed(): void
  /** The subscription ended for good. */
  ended(subscription: Subscription, ending: Ending): void
  /** A problem with the producer worth reporting. */
  error(error: MosaikError): void
}

/** One connection to the producer, with its credit accounting. */
export class Session {
  readonly link: Link
  /** Datums granted and not yet received. */
  outstanding: number
  /**
   * Bytes granted and not yet received. A producer may start a frame while it has any byte credit
   * left, so this can go below zero by less than one frame, never further.
   */
  outstandingBytes = WINDOW_BYTES
  /** Sequence number of the next datum expected (gaps are datums the producer dropped). */
  expectedSeq = 0
  active = true
  readonly #threshold: number
  #pendingDatums = 0
  #pendingBytes = 0

  constructor(link: Link, window: number) {
    this.link = link
    this.outstanding = window
    this.#threshold = Math.max(1, Math.floor(window / 4))
  }

  /** The application took datums: gives their credit back, in batches of a quarter window. */
  credit(datums: number, bytes: number): void {
    if (!this.active) return
    this.#pendingDatums += datums
    this.#pendingBytes += bytes
    if (this.#pendingDatums < this.#threshold) return
    this.outstanding += this.#pendingDatums
    this.outstandingBytes += this.#pendingBytes
    const message = { t: 'c', n: this.#pendingDatums, b: this.#pendingBytes }
    this.#pendingDatums = 0
    this.#pendingBytes = 0
    this.link.send(message).catch(() => undefined)
  }
}

/** The outcome of one connection attempt. */
type Attempt = { readonly ending: Ending } | { readonly retry: true; readonly connected: boolean }

const RETRY: Attempt = { retry: true, connected: false }
/** Refusals that another attempt may get past (after backoff). */
const TRANSIENT: ReadonlySet<string> = new Set(['capacity', 'unknown-peer', 'too-slow'])

export class Subscription {
  readonly peer: string
  readonly record: ChannelRecord
  /** The producer's latest catalog entry (updated by the consumer). */
  entry: PeerEntry
  readonly #host: SubscriptionHost
  readonly #backoff: Backoff
  readonly #stop = new AbortController()
  #session: Session | undefined
  #cancelExpiry: (() => void) | undefined
  #done: Promise<void> | undefined

  constructor(host: SubscriptionHost, entry: PeerEntry, record: ChannelRecord, backoff: Backoff) {
    this.#host = host
    this.peer = entry.peerId
    this.entry = entry
    this.record = record
    this.#backoff = backoff
  }

  get connected(): boolean {
    return this.record.state === 'connected'
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    this.#done ??= this.#run()
  }

  /** Ends the subscription when the producer's ticket expires at `expiresAt` (null = never). */
  expireAt(expiresAt: number | null): void {
    this.#cancelExpiry?.()
    this.#cancelExpiry = expiryTimer(expiresAt, () => void this.close({ reason: 'expired', block: true }))
  }

  /** Stops for good: unsubscribes (gracefully when connected) and reports `ending` to the consumer. */
  async close(ending: Ending = { reason: 'closed', block: false }): Promise<void> {
    if (!this.#stop.signal.aborted) {
      this.#stop.abort()
      this.#finish(ending)
      await this.#session?.link.close().catch(() => undefined)
    }
    await this.#done
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const attempt = await this.#attempt()
      if (this.#stop.signal.aborted) return
      if ('ending' in attempt) {
        this.#stop.abort()
        this.#finish(attempt.ending)
        return
      }
      if (attempt.connected) this.#backoff.reset()
      const delay = this.#backoff.next()
      if (delay === undefined) {
        this.#stop.abort()
        this.#finish({ reason: 'gave-up', block: true })
        return
      }
      if (delay > 0) await sleep(delay, this.#stop.signal)
    }
  }

  async #attempt(): Promise<Attempt> {
    const { context, identity } = this.#host
    let link: Link
    try {
      link = await context.network.connect(this.peer, STREAMS_PROTOCOL, {
        timeout: TIMING.connect,
        signal: this.#stop.signal,
        // Data moves over TCP when the producer has it: libp2p's QUIC binding reads 4 KiB per
        // native call and tops out near 350k datums/s here, TCP + yamux past 550k at equal latency.
        transport: 'tcp',
      })
    } catch {
      return RETRY
    }
    const session = new Session(link, this.#host.window)
    try {
      await link.send({
        t: 'sub',
        network: context.network.networkId.bytes,
        stream: identity.streamId.bytes,
        signature: identity.signature.bytes,
        name: identity.name,
        credits: this.#host.window,
        creditBytes: WINDOW_BYTES,
      })
      const reply = parseReply(await link.receive({ timeout: TIMING.handshake, signal: this.#stop.signal }))
      if (reply.t === 'no') {
        await link.close().catch(() => undefined)
        return this.#refused(reply.reason, reply.message, reply.signature)
      }
      if (!identity.signature.equals(Digest.fromBytes(reply.signature))) {
        link.abort()
        return this.#refused('schema-mismatch', 'the producer accepted a different schema', reply.signature)
      }
      this.#session = session
      this.record.state = 'connected'
      this.record.counter.connected()
      this.#host.changed()
      return await this.#receive(session)
    } catch (err) {
      if (isMosaikError(err, 'ERR_PROTOCOL') || isMosaikError(err, 'ERR_DECODE')) this.#misbehaved(err)
      link.abort(err instanceof Error ? err : undefined)
      return { retry: true, connected: this.#session === session }
    } finally {
      session.active = false
      if (this.#session === session) {
        this.#session = undefined
        if (this.record.state === 'connected') this.record.state = 'connecting'
        this.#host.changed()
      }
    }
  }

  /** Receives until the link ends; a `bye` says whether to come back. */
  async #receive(session: Session): Promise<Attempt> {
    const link = session.link
    for (;;) {
      const frame = await link.receiveEncoded()
      if (frame === null) return { retry: true, connected: true }
      if (isBatch(frame)) {
        this.#onBatch(session, frame)
        continue
      }
      const bye = parseBye(decode(frame))
      await link.close().catch(() => undefined)
      if (TRANSIENT.has(bye.reason)) return { retry: true, connected: true }
      return { ending: { reason: bye.reason, block: true } }
    }
  }

  #onBatch(session: Session, frame: Uint8Array): void {
    if (this.#stop.signal.aborted) return // unsubscribed: what is still in flight is not wanted
    if (session.outstandingBytes <= 0) throw new ProtocolError('data frame beyond the byte credit')
    const batch = decodeBatch(frame, session.outstanding)
    const count = batch.starts.length
    if (batch.seq < session.expectedSeq)
      throw new ProtocolError(`data frame ${batch.seq} arrived out of order`)
    const counter = this.record.counter
    counter.drop('gap', batch.seq - session.expectedSeq)
    session.expectedSeq = batch.seq + count
    session.outstanding -= count
    session.outstandingBytes -= batch.payloadBytes
    const { validator, codec } = this.#host
    const items: unknown[] = []
    let bytes = 0
    for (let i = 0; i < count; i++) {
      const start = batch.starts[i] as number
      const end = batch.ends[i] as number
      let value: unknown
      try {
        value = decodeWith(codec, frame, start, end)
      } catch (err) {
        this.#reject(err as DecodeError, '')
        continue
      }
      if (!validator.check(value)) {
        try {
          validator.parse(value, { peer: this.peer, role: 'datum' })
        } catch (err) {
          this.#reject(err as ValidationError, (err as ValidationError).path)
        }
        continue
      }
      items.push(value)
      bytes += end - start
    }
    counter.add(items.length, bytes)
    this.#host.deliver(session, items, count, batch.payloadBytes)
  }

  /** A received datum failed decoding or validation: count it, report it, never deliver it. */
  #reject(error: DecodeError | ValidationError, path: string): void {
    const { context, identity } = this.#host
    this.record.counter.drop('invalid', 1)
    // Array indices in the label would let a peer mint new series at will.
    context.metrics.invalid.inc({
      stream: identity.name,
      peer: this.peer,
      path: path.replace(/\/\d+(?=\/|$)/g, '/#'),
    })
    this.#host.error(
      error instanceof ValidationError
        ? error
        : new DecodeError(`undecodable datum of '${identity.name}' from peer ${this.peer}`, {
            cause: error,
            details: { stream: identity.name, peer: this.peer },
          }),
    )
  }

  #refused(reason: RefuseReason, message: string, signature: Uint8Array | undefined): Attempt {
    const { context, identity } = this.#host
    context.metrics.refused.inc({ stream: identity.name, side: 'consumer', reason })
    if (reason === 'schema-mismatch') {
      const remote = signature === undefined ? 'unknown' : Digest.fromBytes(signature).hex
      this.#host.error(
        new SchemaMismatchError(identity.name, identity.signature.hex, remote, {
          details: { peer: this.peer, side: 'consumer' },
        }),
      )
      return { ending: { reason, block: true, untilRestart: true } }
    }
    if (reason === 'unknown-peer') {
      // The producer does not know us yet: make sure it does before trying again.
      void context.network.discovery.syncWith(this.peer).catch(() => undefined)
    }
    context.logger.debug({ stream: identity.name, peer: this.peer, reason, message }, 'subscription refused')
    return TRANSIENT.has(reason) ? RETRY : { ending: { reason, block: true } }
  }

  #misbehaved(error: MosaikError): void {
    const { context, identity } = this.#host
    context.metrics.protocolErrors.inc({ stream: identity.name, side: 'consumer', peer: this.peer })
    this.#host.error(error)
  }

  #finish(ending: Ending): void {
    this.#cancelExpiry?.()
    this.record.state = 'terminated'
    this.#host.ended(this, ending)
  }
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
