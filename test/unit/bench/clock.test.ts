import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dueCount, pace, wallNow } from '../../../bench/lib/clock.ts'

describe('wallNow', () => {
  it('reads the epoch clock with sub-millisecond resolution', () => {
    expect(Math.abs(wallNow() - Date.now())).toBeLessThan(50)
    expect(wallNow()).toBeLessThanOrEqual(wallNow())
  })
})

describe('dueCount', () => {
  it('is zero at the start, rate × elapsed afterwards, capped at the total', () => {
    expect(dueCount(0, 5_000, 100)).toBe(0)
    expect(dueCount(1, 5_000, 100)).toBe(5)
    expect(dueCount(10.5, 5_000, 100)).toBe(52)
    expect(dueCount(1_000, 5_000, 100)).toBe(100)
  })

  it('never decreases as time passes', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        (t, dt) => {
          expect(dueCount(t + dt, 5_000, 1e9)).toBeGreaterThanOrEqual(dueCount(t, 5_000, 1e9))
        },
      ),
    )
  })
})

describe('pace', () => {
  it('hands out exactly `count` events in batches, in order', async () => {
    const batches: number[] = []
    const { startedAt, endedAt } = await pace({ rate: 20_000, count: 200, send: (n) => void batches.push(n) })
    expect(batches.reduce((a, b) => a + b, 0)).toBe(200)
    expect(batches.every((n) => n > 0)).toBe(true)
    expect(endedAt).toBeGreaterThanOrEqual(startedAt)
  })

  it('stops when aborted and validates its arguments', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      pace({ rate: 1, count: 10, send: () => undefined, signal: controller.signal }),
    ).rejects.toBeDefined()
    await expect(pace({ rate: 0, count: 10, send: () => undefined })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    })
  })
})
