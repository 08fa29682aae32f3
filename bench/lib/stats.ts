/**
 * The arithmetic of benchmark results: nearest-rank percentiles over recorded samples, medians
 * over repetitions and rates over wall-clock intervals. Pure functions, unit tested.
 */
import { InvalidInputError } from '../../runtime/primitives/errors.ts'

/** Summary of a set of latency samples, all in the samples' unit (milliseconds here). */
export interface Summary {
  n: number
  min: number
  mean: number
  p50: number
  p99: number
  max: number
}

/**
 * The nearest-rank percentile of an ascending array: the smallest sample such that at least `p`
 * percent of all samples are ≤ it. `p` in (0, 100].
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new InvalidInputError('percentile of an empty sample set')
  if (!(p > 0 && p <= 100)) throw new InvalidInputError(`percentile must be in (0, 100], got ${p}`)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[rank - 1] as number
}

/** Sorts a copy of the samples numerically (Float64Array sorts by value, not as strings). */
export function sortedCopy(samples: ArrayLike<number>): Float64Array {
  return Float64Array.from(samples).sort()
}

/** Percentile `p` of unsorted samples. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  return percentileOfSorted(sortedCopy(samples), p)
}

/** n, min, mean, p50, p99 and max of unsorted samples. */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = sortedCopy(samples)
  if (sorted.length === 0) throw new InvalidInputError('cannot summarize an empty sample set')
  let sum = 0
  for (const value of sorted) sum += value
  return {
    n: sorted.length,
    min: sorted[0] as number,
    mean: sum / sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1] as number,
  }
}

/** The median of repetition results; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new InvalidInputError('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length % 2 === 1) return sorted[mid] as number
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * Events per second over a wall-clock interval in milliseconds. Across processes this is
 * `rate(received, senderStart, receiverLastReceive)`: both readings come from `wallNow()`.
 */
export function rate(count: number, startMs: number, endMs: number): number {
  const elapsed = endMs - startMs
  if (!(elapsed > 0)) throw new InvalidInputError(`rate over a non-positive interval (${elapsed} ms)`)
  return count / (elapsed / 1000)
}
