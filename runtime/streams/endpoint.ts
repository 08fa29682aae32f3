/**
 * What a producer and a consumer have in common: the stream they serve, their channel conditions
 * (`when`, `isOnline`), aggregate counters, error listeners and a close that runs once.
 */
import type { StreamDescriptor } from '../codegen/descriptors.ts'
import type { PeerInfo, StreamStats, StreamWhen } from '../codegen/streams.ts'
import { Emitter } from '../discovery/events.ts'
import type { MosaikError } from '../primitives/errors.ts'
import { Lifecycle } from '../primitives/lifecycle.ts'
import type { Logger } from '../primitives/logger.ts'
import { identityOf, type StreamIdentity, type StreamsContext } from './context.ts'
import type { Side, SubscriptionSource } from './metrics.ts'
import { StatsCounter } from './stats.ts'
import { ChannelWatch, type ResolvedCondition } from './when.ts'

export abstract class Endpoint implements SubscriptionSource {
  readonly streamId: StreamIdentity['streamId']
  readonly name: string
  readonly side: Side
  protected readonly identity: StreamIdentity
  protected readonly context: StreamsContext
  protected readonly logger: Logger
  /** Closes first when the endpoint closes: timers, catalog subscriptions, the abort signal. */
  protected readonly lifecycle = new Lifecycle()
  /** Counters over every channel, ever. */
  protected readonly total: StatsCounter
  protected readonly watch: ChannelWatch
  protected readonly errors: Emitter<MosaikError>
  #closing: Promise<void> | undefined

  constructor(
    context: StreamsContext,
    descriptor: StreamDescriptor,
    side: Side,
    online: ResolvedCondition,
    signal: AbortSignal | undefined,
  ) {
    this.identity = identityOf(descriptor)
    this.streamId = this.identity.streamId
    this.name = descriptor.name
    this.side = side
    this.context = context
    this.logger = context.logger.child({ stream: descriptor.name, side })
    this.total = new StatsCounter(context.metrics.totals(descriptor.name, side))
    this.errors = new Emitter((err) => this.logger.warn({ err }, `${side} error listener threw`))
    this.watch = new ChannelWatch(() => this.connectedPeers(), online)
    if (signal?.aborted) queueMicrotask(() => void this.close())
    else if (signal) this.lifecycle.listen(signal, 'abort', () => void this.close())
  }

  get when(): StreamWhen {
    return this.watch.when
  }

  get isOnline(): boolean {
    return this.watch.isOnline
  }

  get stats(): StreamStats {
    return this.total.snapshot()
  }

  /** Channels connected right now. */
  abstract get connectedChannels(): number

  onError(listener: (error: MosaikError) => void): () => void {
    return this.errors.subscribe(listener)
  }

  /** True once `close()` has started. */
  protected get closing(): boolean {
    return this.#closing !== undefined
  }

  close(): Promise<void> {
    this.#closing ??= this.shutdown()
    return this.#closing
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** The peers of the connected channels, as the catalog describes them now. */
  protected abstract connectedPeers(): PeerInfo[]

  /** Releases everything; runs once, from `close()`. */
  protected abstract shutdown(): Promise<void>
}
