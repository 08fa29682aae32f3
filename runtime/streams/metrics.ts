/**
 * Prometheus metrics of the Streams subsystem, per stream (labelled with the declaration name):
 *
 * | metric | labels |
 * |---|---|
 * | `mosaik_streams_datums_sent_total`, `mosaik_streams_bytes_sent_total` | stream |
 * | `mosaik_streams_datums_received_total`, `mosaik_streams_bytes_received_total` | stream |
 * | `mosaik_streams_dropped_total` | stream, side, reason (`drop-oldest`, `disconnect`, `invalid`, `gap`) |
 * | `mosaik_streams_subscriptions` (gauge: connected channels) | stream, side |
 * | `mosaik_streams_refused_total` (subscriptions refused by this side or its peer, `schema-mismatch` among them) | stream, side, reason |
 * | `mosaik_streams_invalid_datums_total` | stream, peer, path |
 * | `mosaik_streams_protocol_errors_total` (malformed frames) | stream, side, peer |
 *
 * Datum and byte counts live in plain `StatsCounter`s on the hot path and are read at scrape time;
 * they are monotonic because the per-stream totals outlive the producers and consumers.
 */
import { Counter, Gauge } from 'prom-client'
import type { Metrics } from '../metrics/registry.ts'
import { StatsCounter } from './stats.ts'

export type Side = 'producer' | 'consumer'

/** A live producer or consumer as the subscriptions gauge sees it. */
export interface SubscriptionSource {
  /** The stream's declaration name. */
  readonly name: string
  readonly side: Side
  /** Channels connected right now. */
  readonly connectedChannels: number
}

interface Totals {
  readonly stream: string
  readonly side: Side
  readonly counter: StatsCounter
}

export class StreamsMetrics {
  readonly #totals = new Map<string, Totals>()
  /** Subscriptions refused by either side. */
  readonly refused: Counter<'stream' | 'side' | 'reason'>
  /** Received datums that failed validation. */
  readonly invalid: Counter<'stream' | 'peer' | 'path'>
  /** Frames that broke the protocol (the channel was dropped). */
  readonly protocolErrors: Counter<'stream' | 'side' | 'peer'>

  constructor(metrics: Metrics, sources: () => Iterable<SubscriptionSource>) {
    const registers = [metrics.registry]
    const totals = this.#totals
    const fromTotals = (name: string, help: string, side: Side, read: (c: StatsCounter) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['stream'],
        registers,
        collect() {
          this.reset()
          for (const t of totals.values())
            if (t.side === side) this.inc({ stream: t.stream }, read(t.counter))
        },
      })
    fromTotals('mosaik_streams_datums_sent_total', 'datums sent to consumers', 'producer', (c) => c.datums)
    fromTotals('mosaik_streams_bytes_sent_total', 'datum bytes sent to consumers', 'producer', (c) => c.bytes)
    fromTotals('mosaik_streams_datums_received_total', 'valid datums received', 'consumer', (c) => c.datums)
    fromTotals(
      'mosaik_streams_bytes_received_total',
      'valid datum bytes received',
      'consumer',
      (c) => c.bytes,
    )
    new Counter({
      name: 'mosaik_streams_dropped_total',
      help: 'datums dropped, by reason',
      labelNames: ['stream', 'side', 'reason'],
      registers,
      collect() {
        this.reset()
        for (const t of totals.values()) {
          for (const [reason, n] of t.counter.drops) this.inc({ stream: t.stream, side: t.side, reason }, n)
        }
      },
    })
    new Gauge({
      name: 'mosaik_streams_subscriptions',
      help: 'connected channels (a producer counts its consumers, a consumer its producers)',
      labelNames: ['stream', 'side'],
      registers,
      collect() {
        this.reset()
        for (const s of sources()) this.inc({ stream: s.name, side: s.side }, s.connectedChannels)
      },
    })
    this.refused = metrics.counter('mosaik_streams_refused_total', 'subscriptions refused, by reason', [
      'stream',
      'side',
      'reason',
    ])
    this.invalid = metrics.counter(
      'mosaik_streams_invalid_datums_total',
      'received datums rejected by schema validation or decoding',
      ['stream', 'peer', 'path'],
    )
    this.protocolErrors = metrics.counter(
      'mosaik_streams_protocol_errors_total',
      'channels dropped for malformed frames',
      ['stream', 'side', 'peer'],
    )
  }

  /** The running totals of one stream on one side; producers and consumers count into them. */
  totals(stream: string, side: Side): StatsCounter {
    const key = `${side}\u0000${stream}`
    let entry = this.#totals.get(key)
    if (entry === undefined) {
      entry = { stream, side, counter: new StatsCounter() }
      this.#totals.set(key, entry)
    }
    return entry.counter
  }
}
