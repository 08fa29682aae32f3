import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OrderBook } from './book.ts'
import type { Balance, Fill } from './generated/index.ts'
import { generateOrders } from './orders.ts'
import { applyFills, EMPTY_BALANCE } from './settlement.ts'

const fill = (seq: number, buyer: string, seller: string, price: number, qty: number): Fill => ({
  seq,
  buyer,
  seller,
  price,
  qty,
  buyOrder: `b${seq}`,
  sellOrder: `s${seq}`,
})

/** A settler's position: fills done, batches taken. */
interface Settler {
  done: number
  batch: number
}

/** Fills of a book fed with a few traders' generated orders. */
function bookFills(seed: number, traders: number, perTrader: number): Fill[] {
  const book = new OrderBook()
  for (let t = 0; t < traders; t++)
    for (const o of generateOrders(`t${t}`, perTrader, seed + t)) book.place(o)
  return book.fillsAfter({ seq: 0, limit: 1000 })
}

describe('settlement', () => {
  it('moves cash and units between buyer and seller and records the last fill', () => {
    const fills = [fill(1, 'ann', 'bob', 100, 3), fill(2, 'bob', 'cy', 90, 1)]
    expect(applyFills(undefined, 'ann', fills)).toEqual({ cash: -300, units: 3, settled: 1 })
    expect(applyFills(undefined, 'bob', fills)).toEqual({ cash: 300 - 90, units: -2, settled: 2 })
    expect(applyFills({ cash: 0, units: 0, settled: 2 }, 'bob', fills)).toBeUndefined()
    expect(applyFills(undefined, 'dan', fills)).toBeUndefined()
    expect(applyFills(undefined, 'ann', [fill(1, 'ann', 'ann', 100, 3)])).toEqual({
      ...EMPTY_BALANCE,
      settled: 1,
    })
  })

  it('settles every fill exactly once however two settlers interleave their batches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (seed, batchSizes, turns) => {
          const fills = bookFills(seed, 3, 30)
          // Each settler walks the fills in its own batches; a swap fails if the other wrote first.
          const balances = new Map<string, Balance>()
          const settlers: [Settler, Settler] = [
            { done: 0, batch: 0 },
            { done: 0, batch: 0 },
          ]
          const step = (s: Settler): void => {
            const size = batchSizes[s.batch++ % batchSizes.length] as number
            const batch = fills.slice(s.done, s.done + size)
            for (const trader of new Set(batch.flatMap((f) => [f.buyer, f.seller]))) {
              const next = applyFills(balances.get(trader), trader, batch)
              if (next) balances.set(trader, next)
            }
            s.done += batch.length
          }
          for (const turn of turns) step(settlers[turn ? 1 : 0])
          while (settlers[0].done < fills.length) step(settlers[0])

          const expected = new Map<string, { cash: number; units: number }>()
          for (const f of fills) {
            const b = expected.get(f.buyer) ?? { cash: 0, units: 0 }
            expected.set(f.buyer, { cash: b.cash - f.price * f.qty, units: b.units + f.qty })
            const s = expected.get(f.seller) ?? { cash: 0, units: 0 }
            expected.set(f.seller, { cash: s.cash + f.price * f.qty, units: s.units - f.qty })
          }
          for (const [trader, want] of expected) expect(balances.get(trader)).toMatchObject(want)
          const total = [...balances.values()].reduce(
            (sum, b) => ({ cash: sum.cash + b.cash, units: sum.units + b.units }),
            {
              cash: 0,
              units: 0,
            },
          )
          expect(total).toEqual({ cash: 0, units: 0 })
        },
      ),
      { numRuns: 50 },
    )
  })

  it('generates the same orders for the same seed, with prices around the mid', () => {
    const a = generateOrders('ann', 50, 7)
    expect(generateOrders('ann', 50, 7)).toEqual(a)
    expect(generateOrders('ann', 50, 8)).not.toEqual(a)
    expect(new Set(a.map((o) => o.id)).size).toBe(50)
    for (const o of a) expect(Math.abs(o.price - 10_000)).toBeLessThanOrEqual(30)
    expect(bookFills(1, 3, 30).length).toBeGreaterThan(10)
  })
})
