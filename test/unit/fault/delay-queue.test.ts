import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DelayQueue } from '../../fault/harness/delay-queue.ts'

describe('DelayQueue', () => {
  it('delivers by due time, ties in insertion order (any insertion pattern)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (delays) => {
        let now = 0
        const out: number[] = []
        const queue = new DelayQueue<number>(
          (i) => out.push(i),
          () => now,
        )
        delays.forEach((delay, i) => {
          queue.push(i, delay)
        })
        now = 1_000
        queue.flush()
        queue.close()
        const expected = delays
          .map((delay, i) => ({ delay, i }))
          .sort((a, b) => a.delay - b.delay || a.i - b.i)
          .map((x) => x.i)
        expect(out).toEqual(expected)
      }),
    )
  })

  it('releases only what is due, on its own timer, and nothing after close', async () => {
    const out: string[] = []
    const { promise: bothDelivered, resolve } = Promise.withResolvers<void>()
    const queue = new DelayQueue<string>((item) => {
      out.push(item)
      if (out.length === 2) resolve()
    })
    queue.push('late', 30)
    queue.push('soon', 1)
    queue.flush()
    expect(out).toEqual([])
    await bothDelivered
    expect(out).toEqual(['soon', 'late'])
    queue.push('never', 1)
    queue.close()
    queue.push('ignored', 0)
    expect(queue.size).toBe(0)
  })
})
