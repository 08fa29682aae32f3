/**
 * A receiver's bookkeeping of one run, the same for every system compared: deliveries, order,
 * first and last arrival, and one-way latency (receiver `wallNow()` minus the `ts` the sender put
 * in the datum) for datums numbered from `warmup` on.
 */
import { wallNow } from './clock.ts'
import { LatencyRecorder } from './latency.ts'
import type { Summary } from './stats.ts'

export class DeliveryCounter {
  received = 0
  outOfOrder = 0
  /** `wallNow()` of the first and the latest delivery (0 before any). */
  firstAt = 0
  lastAt = 0
  #nextSeq = 0
  readonly #warmup: number
  readonly #recorder: LatencyRecorder

  /** A run expecting `expected` datums, the first `warmup` of which are not sampled. */
  constructor(expected: number, warmup: number) {
    this.#warmup = warmup
    this.#recorder = new LatencyRecorder(Math.max(16, expected - warmup))
  }

  /** Counts the delivery of datum `seq` stamped `ts` by its sender. */
  record(seq: number, ts: number): void {
    const now = wallNow()
    if (this.received === 0) this.firstAt = now
    this.lastAt = now
    this.received++
    if (seq !== this.#nextSeq) this.outOfOrder++
    this.#nextSeq = seq + 1
    if (seq >= this.#warmup) this.#recorder.record(now - ts)
  }

  /** Latency percentiles of the sampled datums, or null when none was sampled. */
  latency(): Summary | null {
    return this.#recorder.summary() ?? null
  }
}
