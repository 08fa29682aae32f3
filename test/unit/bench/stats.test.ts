import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { median, percentile, percentileOfSorted, rate, summarize } from '../../../bench/lib/stats.ts'

describe('percentiles (nearest rank)', () => {
  it('matches hand-computed values', () => {
    const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(oneToHundred, 50)).toBe(50)
    expect(percentile(oneToHundred, 99)).toBe(99)
    expect(percentile(oneToHundred, 100)).toBe(100)
    expect(percentile([7], 50)).toBe(7)
    expect(percentile([3, 1, 2], 50)).toBe(2)
    // Numeric, not lexicographic, order.
    expect(percentile([10, 9, 100, 2], 50)).toBe(9)
  })

  it('returns a sample with at least p% of samples at or below it, and fewer strictly below', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (samples, p) => {
          const value = percentile(samples, p)
          expect(samples).toContain(value)
          const atOrBelow = samples.filter((s) => s <= value).length
          const below = samples.filter((s) => s < value).length
          expect(atOrBelow / samples.length).toBeGreaterThanOrEqual(p / 100 - 1e-12)
          expect(below / samples.length).toBeLessThan(p / 100 + 1e-12)
        },
      ),
    )
  })

  it('is monotonic in p', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 100 }), (samples) => {
        const sorted = Float64Array.from(samples).sort()
        expect(percentileOfSorted(sorted, 50)).toBeLessThanOrEqual(percentileOfSorted(sorted, 99))
      }),
    )
  })

  it('rejects empty sets and out-of-range p with typed errors', () => {
    expect(() => percentile([], 50)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() => percentile([1], 0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() => percentile([1], 101)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
  })
})

describe('summarize, median, rate', () => {
  it('summarizes without mutating the input', () => {
    const samples = new Float64Array([4, 1, 3, 2])
    expect(summarize(samples)).toEqual({ n: 4, min: 1, mean: 2.5, p50: 2, p99: 4, max: 4 })
    expect([...samples]).toEqual([4, 1, 3, 2])
  })

  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(() => median([])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
  })

  it('divides a count by the interval in seconds', () => {
    expect(rate(1_000_000, 1_000, 3_500)).toBe(400_000)
    expect(() => rate(1, 5, 5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
  })
})
