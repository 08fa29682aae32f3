/**
 * Counters of datums, bytes and drops. Each channel has one; a producer or consumer has an
 * aggregate one that every channel counter forwards to, and that in turn forwards to the
 * per-stream totals behind the Prometheus metrics. Plain numbers, so the hot path stays cheap.
 */
import type { StreamStats } from '../codegen/streams.ts'

/** Why datums were dropped. */
export type DropReason =
  /** The `drop-oldest` policy evicted a queued datum (producer). */
  | 'drop-oldest'
  /** Datums queued for a consumer when its channel ended or was cut off (producer). */
  | 'disconnect'
  /** Datums that failed validation or decoding on receipt (consumer). */
  | 'invalid'
  /** Datums the producer dropped for this consumer, seen as a gap in sequence numbers (consumer). */
  | 'gap'

export class StatsCounter {
  datums = 0
  bytes = 0
  readonly drops = new Map<DropReason, number>()
  /** When the first channel connected (ms since the epoch). */
  connectedAt: number | undefined
  readonly #parent: StatsCounter | undefined

  constructor(parent?: StatsCounter) {
    this.#parent = parent
  }

  /** Counts `datums` datums of `bytes` payload bytes, here and in every parent. */
  add(datums: number, bytes: number): void {
    this.datums += datums
    this.bytes += bytes
    this.#parent?.add(datums, bytes)
  }

  /** Counts `count` dropped datums, here and in every parent. */
  drop(reason: DropReason, count: number): void {
    if (count <= 0) return
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + count)
    this.#parent?.drop(reason, count)
  }

  /** Records that a channel connected now (the first one starts the uptime clock). */
  connected(now = Date.now()): void {
    this.connectedAt ??= now
    this.#parent?.connected(now)
  }

  /** A frozen snapshot in the shape of the public `StreamStats`. */
  snapshot(now = Date.now()): StreamStats {
    return Object.freeze({
      datums: this.datums,
      bytes: this.bytes,
      drops: Object.freeze(Object.fromEntries(this.drops)),
      uptime: this.connectedAt === undefined ? undefined : now - this.connectedAt,
    })
  }
}
