/**
 * `network.streams`: the Streams subsystem of one node (SPEC §6). It implements the codegen-v1
 * seam, so generated `orders.producer(network)` / `orders.consumer(network)` land here, answers
 * subscriptions on `/mosaik/streams/1`, and owns the per-stream metrics.
 *
 * One producer per stream per node (as in mosaik): asking again without options returns the
 * existing one; asking again with options is an error, since they could not both hold.
 */
import type { StreamDescriptor } from '../codegen/descriptors.ts'
import type { StreamsRuntime } from '../codegen/seam.ts'
import type { Consumer, ConsumerOptions, Producer, ProducerOptions } from '../codegen/streams.ts'
import type { Link } from '../network/link.ts'
import type { Network } from '../network/network.ts'
import { Digest } from '../primitives/digest.ts'
import { InvalidInputError, SchemaMismatchError } from '../primitives/errors.ts'
import { StreamConsumer } from './consumer.ts'
import { type StreamsContext, TIMING } from './context.ts'
import { StreamsMetrics, type SubscriptionSource } from './metrics.ts'
import { StreamProducer } from './producer.ts'
import { parseSubscribe, refuse, STREAMS_PROTOCOL } from './protocol.ts'

const UNKNOWN_STREAM = '(unknown)'

export class Streams implements StreamsRuntime {
  readonly #context: StreamsContext
  readonly #producers = new Map<string, StreamProducer<unknown>>()
  readonly #consumers = new Set<StreamConsumer<unknown>>()
  #unhandle: (() => Promise<void>) | undefined
  #closing: Promise<void> | undefined

  /** Created by `Network`; use `network.streams`. */
  constructor(network: Network) {
    this.#context = {
      network,
      metrics: new StreamsMetrics(network.metrics, () => this.#sources()),
      logger: network.logger.child({ subsystem: 'streams' }),
    }
  }

  /** Starts answering subscriptions; closes with the network's subsystems. Called by `Network.create`. */
  async start(): Promise<void> {
    const network = this.#context.network
    this.#unhandle = await network.handle(STREAMS_PROTOCOL, (link) => this.#accept(link))
    network.lifecycle.defer(() => this.close())
  }

  producer<T>(descriptor: StreamDescriptor, options: ProducerOptions = {}): Producer<T> {
    this.#assertOpen()
    const existing = this.#producers.get(descriptor.streamId)
    if (existing !== undefined) {
      if (existing.descriptor.datum.signature !== descriptor.datum.signature) {
        throw new SchemaMismatchError(
          descriptor.name,
          existing.descriptor.datum.signature,
          descriptor.datum.signature,
          {
            details: { reason: 'this node already produces the stream with another schema' },
          },
        )
      }
      if (Object.keys(options).some((key) => key !== 'signal')) {
        throw new InvalidInputError(
          `this node already has a producer of '${descriptor.name}'; ask without options to share it, or close it first`,
          { details: { stream: descriptor.name } },
        )
      }
      return existing as StreamProducer<T>
    }
    const producer = new StreamProducer<T>(this.#context, descriptor, options, () => {
      if (this.#producers.get(descriptor.streamId) === producer) this.#producers.delete(descriptor.streamId)
    })
    this.#producers.set(descriptor.streamId, producer as StreamProducer<unknown>)
    return producer
  }

  consumer<T>(descriptor: StreamDescriptor, options: ConsumerOptions = {}): Consumer<T> {
    this.#assertOpen()
    const consumer: StreamConsumer<T> = new StreamConsumer<T>(this.#context, descriptor, options, () =>
      this.#consumers.delete(consumer as StreamConsumer<unknown>),
    )
    this.#consumers.add(consumer as StreamConsumer<unknown>)
    return consumer
  }

  /** Closes every producer (delivering what they accepted) and consumer; stops answering. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    const all = [...this.#producers.values(), ...this.#consumers]
    await Promise.allSettled(all.map((x) => x.close()))
    await this.#unhandle?.()
  }

  #assertOpen(): void {
    if (this.#closing || this.#context.network.closed) throw new InvalidInputError('the network is closed')
  }

  /** A consumer subscribes: network and stream first, the producer decides the rest. */
  async #accept(link: Link): Promise<void> {
    const { network, metrics } = this.#context
    let request: ReturnType<typeof parseSubscribe>
    try {
      request = parseSubscribe(await link.receive({ timeout: TIMING.handshake }))
    } catch (err) {
      link.abort(err instanceof Error ? err : undefined)
      return
    }
    const stream = Digest.fromBytes(request.stream)
    const producer = this.#producers.get(stream.hex)
    // Streams we do not produce are counted under one label: the id comes from the peer.
    const label = producer?.name ?? UNKNOWN_STREAM
    if (!network.networkId.equals(Digest.fromBytes(request.network))) {
      metrics.refused.inc({ stream: label, side: 'producer', reason: 'network' })
      return refuse(link, 'network', 'the producer belongs to another network')
    }
    if (producer === undefined || this.#closing) {
      metrics.refused.inc({ stream: label, side: 'producer', reason: 'not-found' })
      return refuse(link, 'not-found', `this node does not produce stream ${stream.short}`)
    }
    await producer.admit(link, request)
  }

  #sources(): Iterable<SubscriptionSource> {
    return [...this.#producers.values(), ...this.#consumers]
  }
}
