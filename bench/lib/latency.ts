/**
 * Collects latency samples into a growable Float64Array (no per-sample allocation, so a million
 * samples cost 8 MB and no GC churn in the hot receive path).
 */
import { type Summary, summarize } from './stats.ts'

export class LatencyRecorder {
  #samples: Float64Array
  #count = 0

  constructor(expected = 1024) {
    this.#samples = new Float64Array(Math.max(16, expected))
  }

  get count(): number {
    return this.#count
  }

  record(ms: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2)
      grown.set(this.#samples)
      this.#samples = grown
    }
    this.#samples[this.#count++] = ms
  }

  /** The recorded samples (a view, valid until the next `record`). */
  samples(): Float64Array {
    return this.#samples.subarray(0, this.#count)
  }

  /** Summary of the samples, or undefined when none were recorded. */
  summary(): Summary | undefined {
    return this.#count === 0 ? undefined : summarize(this.samples())
  }
}
