import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Decision, decide, REQUEST_COST, refill } from './bucket.ts'
import type { Bucket, Policy } from './generated/index.ts'

const policy: Policy = { capacity: 3, refillPerSecond: 2 }

/** Runs requests at the given times against one bucket, as a single writer would. */
function run(
  times: readonly number[],
  limits = policy,
): { before: Bucket | undefined; decision: Decision }[] {
  let bucket: Bucket | undefined
  return times.map((now) => {
    const before = bucket
    const decision = decide(before, limits, now)
    if (decision.allowed) bucket = decision.next
    return { before, decision }
  })
}

const allowed = (steps: ReturnType<typeof run>): boolean[] => steps.map((s) => s.decision.allowed)

describe('token bucket', () => {
  it('lets a burst of `capacity` through, then denies with the time until the next token', () => {
    const steps = run([0, 0, 0, 0])
    expect(allowed(steps)).toEqual([true, true, true, false])
    expect(steps[2]?.decision).toMatchObject({ remaining: 0 })
    expect(steps[3]?.decision).toEqual({ allowed: false, retryAfterMs: 500 })
  })

  it('refills at refillPerSecond up to the capacity', () => {
    expect(allowed(run([0, 0, 0, 500]))).toEqual([true, true, true, true])
    expect(refill({ milliTokens: 0, updatedAt: 0 }, policy, 10_000)).toEqual({
      milliTokens: 3000,
      updatedAt: 10_000,
    })
    expect(refill({ milliTokens: 0, updatedAt: 0 }, policy, 250)).toEqual({
      milliTokens: 500,
      updatedAt: 250,
    })
  })

  it('adds nothing when the bucket was written by a node whose clock is ahead', () => {
    expect(refill({ milliTokens: 1000, updatedAt: 5000 }, policy, 4000)).toEqual({
      milliTokens: 1000,
      updatedAt: 5000,
    })
  })

  it('never allows more than capacity + rate × elapsed, and the retry hint is exact', () => {
    fc.assert(
      fc.property(
        fc.record({
          capacity: fc.integer({ min: 1, max: 20 }),
          refillPerSecond: fc.integer({ min: 1, max: 50 }),
        }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 200 }),
        (limits, gaps) => {
          let clock = 0
          const times = gaps.map((gap) => (clock += gap))
          const steps = run(times, limits)
          const passed = allowed(steps).filter(Boolean).length
          const elapsed = (times.at(-1) ?? 0) - (times[0] ?? 0)
          expect(passed * REQUEST_COST).toBeLessThanOrEqual(
            limits.capacity * REQUEST_COST + elapsed * limits.refillPerSecond,
          )
          steps.forEach(({ before, decision }, i) => {
            if (decision.allowed) return
            const now = times[i] as number
            expect(decide(before, limits, now + decision.retryAfterMs).allowed).toBe(true)
            if (decision.retryAfterMs > 1) {
              expect(decide(before, limits, now + decision.retryAfterMs - 1).allowed).toBe(false)
            }
          })
        },
      ),
    )
  })
})
