/**
 * The typed stream API that generated `orders.producer(network)` / `orders.consumer(network)`
 * handles return (SPEC §6 Streams). The Streams subsystem implements these interfaces; generated
 * code only names them.
 */

import type { Digest } from '../primitives/digest.ts'
import type { MosaikError } from '../primitives/errors.ts'
import type { WaitOptions } from '../primitives/watch.ts'
import type { TicketValidator } from '../tickets/ticket.ts'

/** A peer as the catalog describes it, as seen by `require()` predicates and conditions. */
export interface PeerInfo {
  /** The libp2p peer id string. */
  readonly peerId: string
  /** Tags the peer advertises in its signed entry. */
  readonly tags: readonly string[]
  /** Smoothed round-trip time to the peer in ms, once measured (mosaik's `rtt_below` checks). */
  readonly rtt?: number
}

/**
 * A condition on the set of connected channels (subscriptions), used by `when.subscribed()` and the
 * producer's online condition. A channel counts when it is connected and its peer passes every
 * given filter.
 */
export interface ChannelCondition {
  /** At least this many matching channels. Default 1. */
  readonly min?: number
  /** The peer must advertise every one of these tags. */
  readonly tags?: readonly string[]
  /** Extra filter on the peer. */
  readonly predicate?: (peer: PeerInfo) => boolean
}

/** State of one channel between a producer and a consumer. */
export type ChannelState = 'connecting' | 'connected' | 'terminated'

/** Counters of one channel or of a whole producer/consumer. */
export interface StreamStats {
  /** Datums sent (producer) or delivered (consumer). */
  readonly datums: number
  /** Payload bytes, excluding framing. */
  readonly bytes: number
  /** Datums dropped, by reason (`drop-oldest`, `disconnect`, `invalid`…); every drop is counted. */
  readonly drops: { readonly [reason: string]: number }
  /** Milliseconds since the first channel connected, or undefined if none ever did. */
  readonly uptime: number | undefined
}

/** One producer↔consumer channel. */
export interface ChannelInfo {
  readonly streamId: Digest
  /** The peer on the other end, as its entry was when the channel opened. */
  readonly peer: PeerInfo
  readonly state: ChannelState
  readonly stats: StreamStats
}

/** What a producer does with a consumer whose queue is full. */
export type SlowConsumerPolicy = 'block' | 'drop-oldest' | 'disconnect'

/** Options of `handle.producer(network, options)`. */
export interface ProducerOptions {
  /** Capacity of the send buffer and of each consumer's queue. Default 1024. */
  readonly bufferSize?: number
  /** What to do when a consumer's queue is full. Default `'disconnect'` (as mosaik). */
  readonly slowConsumer?: SlowConsumerPolicy
  /** Consumers beyond this many are refused. Default unlimited. */
  readonly maxConsumers?: number
  /** Only peers for which this holds may subscribe; re-evaluated on every catalog change. */
  readonly require?: (peer: PeerInfo) => boolean
  /** Consumers must present tickets acceptable to every validator; cut off at expiry. */
  readonly tickets?: readonly TicketValidator[]
  /** When `send()` may proceed. Default: at least one subscribed consumer. */
  readonly onlineWhen?: ChannelCondition
  /** Closes the producer when aborted. */
  readonly signal?: AbortSignal
}

/** Reconnect policy of a consumer (exponential backoff with jitter). */
export interface BackoffOptions {
  /** First delay in ms. */
  readonly initial?: number
  /** Largest delay in ms. */
  readonly max?: number
  /** Delay multiplier per attempt. */
  readonly factor?: number
  /** Give up on a producer after this many ms of failed attempts. Default 300 000. */
  readonly maxElapsed?: number
}

/** Options of `handle.consumer(network, options)`. */
export interface ConsumerOptions {
  /** Datums buffered before credit stops flowing to producers. Default 1024. */
  readonly bufferSize?: number
  /** Only producers for which this holds are subscribed to; re-evaluated on every catalog change. */
  readonly require?: (peer: PeerInfo) => boolean
  /** Producers must present tickets acceptable to every validator. */
  readonly tickets?: readonly TicketValidator[]
  /** Reconnect policy. */
  readonly backoff?: BackoffOptions
  /** When the consumer counts as online. Default: immediately (`min: 0`). */
  readonly onlineWhen?: ChannelCondition
  /** Closes the consumer when aborted. */
  readonly signal?: AbortSignal
}

/** Conditions a producer or consumer can wait on. All accept a timeout and an AbortSignal. */
export interface StreamWhen {
  /** Resolves when the online condition holds (immediately if it does). */
  online(options?: WaitOptions): Promise<void>
  /** Resolves when the online condition stops holding. */
  offline(options?: WaitOptions): Promise<void>
  /** Resolves when enough matching channels are connected (default: one). */
  subscribed(condition?: ChannelCondition, options?: WaitOptions): Promise<void>
  /** Resolves when fewer than `condition.min` matching channels are connected. */
  unsubscribed(condition?: ChannelCondition, options?: WaitOptions): Promise<void>
}

/** Result of `trySend()`: whether the datum was accepted or why not. */
export type TrySendResult = 'accepted' | 'full' | 'offline'

/**
 * The sending end of a stream. Datums are validated against the declaration's schema before they
 * leave (a `ValidationError` names the declaration and path) and delivered in order to every
 * subscribed consumer.
 */
export interface Producer<T> extends AsyncDisposable {
  readonly streamId: Digest
  /** The declaration name. */
  readonly name: string
  readonly when: StreamWhen
  readonly isOnline: boolean
  /** Aggregate counters over all channels. */
  readonly stats: StreamStats
  /** Waits for the online condition and for buffer capacity, then enqueues the datum. */
  send(datum: T, options?: WaitOptions): Promise<void>
  /** Enqueues the datum if possible right now; never waits. */
  trySend(datum: T): TrySendResult
  /** The current channels to consumers. */
  consumers(): ChannelInfo[]
  /**
   * Calls `listener` with every problem the producer meets with a peer (a `SchemaMismatchError`
   * when a consumer's schema differs, …); returns the unsubscribe function.
   */
  onError(listener: (error: MosaikError) => void): () => void
  /** Flushes what was accepted, unsubscribes every consumer and releases resources. Idempotent. */
  close(): Promise<void>
}

/**
 * The receiving end of a stream: an async iterator over datums from every matching producer,
 * ordered per producer. Invalid datums are rejected (counted, never delivered).
 */
export interface Consumer<T> extends AsyncIterableIterator<T, undefined>, AsyncDisposable {
  readonly streamId: Digest
  /** The declaration name. */
  readonly name: string
  readonly when: StreamWhen
  readonly isOnline: boolean
  /** Aggregate counters over all channels. */
  readonly stats: StreamStats
  /** The next datum; `{ done: true }` once the consumer is closed. */
  next(): Promise<IteratorResult<T, undefined>>
  /** A buffered datum if one is ready, otherwise undefined; never waits. */
  tryNext(): T | undefined
  /** The current channels to producers. */
  producers(): ChannelInfo[]
  /**
   * Calls `listener` with every problem the consumer meets with a peer: a `SchemaMismatchError`, a
   * `ValidationError` for each rejected datum (naming stream, peer and path), a `ProtocolError` for
   * malformed frames; returns the unsubscribe function.
   */
  onError(listener: (error: MosaikError) => void): () => void
  /** Unsubscribes from every producer and releases resources. Idempotent. */
  close(): Promise<void>
}
