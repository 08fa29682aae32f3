import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../runtime/testing/random.ts'
import { planPacket, validateImpairment } from '../../fault/harness/impairment.ts'

const arbitraryImpairment = fc.record({
  delayMs: fc.double({ min: 0, max: 1000, noNaN: true }),
  jitterMs: fc.double({ min: 0, max: 1000, noNaN: true }),
  loss: fc.double({ min: 0, max: 1, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 1, noNaN: true }),
  reorder: fc.double({ min: 0, max: 1, noNaN: true }),
  reorderMs: fc.double({ min: 0, max: 1000, noNaN: true }),
})

describe('impairment', () => {
  it('fills defaults and rejects out-of-range fields naming the field', () => {
    expect(validateImpairment({})).toEqual({
      delayMs: 0,
      jitterMs: 0,
      loss: 0,
      duplicate: 0,
      reorder: 0,
      reorderMs: 20,
    })
    expect(() => validateImpairment({ loss: 2 })).toThrow(/impairment\.loss/)
    expect(() => validateImpairment({ delayMs: -1 })).toThrow(/impairment\.delayMs/)
    expect(() => validateImpairment({ jitterMs: Number.POSITIVE_INFINITY })).toThrow(/impairment\.jitterMs/)
  })

  it('keeps every delay within [delay, delay + jitter + reorder hold-back] and at most two copies', () => {
    fc.assert(
      fc.property(arbitraryImpairment, fc.integer(), (raw, seed) => {
        const impairment = validateImpairment(raw)
        const random = seededRandom(seed)
        for (let i = 0; i < 50; i++) {
          const plan = planPacket(impairment, random)
          expect(plan.dropped).toBe(plan.delays.length === 0)
          expect(plan.delays.length).toBeLessThanOrEqual(2)
          for (const delay of plan.delays) {
            expect(delay).toBeGreaterThanOrEqual(impairment.delayMs)
            expect(delay).toBeLessThanOrEqual(impairment.delayMs + impairment.jitterMs + impairment.reorderMs)
          }
        }
      }),
    )
  })

  it('replays the same decisions from the same seed', () => {
    const impairment = validateImpairment({ loss: 0.3, duplicate: 0.2, reorder: 0.1, jitterMs: 5 })
    const run = (seed: number) => {
      const random = seededRandom(seed)
      return Array.from({ length: 200 }, () => planPacket(impairment, random))
    }
    expect(run(42)).toEqual(run(42))
    expect(run(42)).not.toEqual(run(43))
  })

  it('drops and duplicates about the configured share', () => {
    const impairment = validateImpairment({ loss: 0.2, duplicate: 0.1 })
    const random = seededRandom(7)
    const plans = Array.from({ length: 10_000 }, () => planPacket(impairment, random))
    const dropped = plans.filter((p) => p.dropped).length
    const duplicated = plans.filter((p) => p.duplicated).length
    expect(dropped).toBeGreaterThan(1800)
    expect(dropped).toBeLessThan(2200)
    // Duplication applies to the 80 % that survive.
    expect(duplicated).toBeGreaterThan(650)
    expect(duplicated).toBeLessThan(950)
  })
})
