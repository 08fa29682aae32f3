import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OrderBook } from './book.ts'
import type { Fill, Order, Side } from './generated/index.ts'

function order(id: string, trader: string, side: Side, price: number, qty: number): Order {
  return { id, trader, side, price, qty }
}

/** The obvious quadratic matcher, as the reference: scan every resting order for the best one. */
function referenceMatch(orders: readonly Order[]): {
  fills: Omit<Fill, 'seq'>[]
  resting: Map<string, number>
} {
  const book: { order: Order; remaining: number; arrival: number }[] = []
  const fills: Omit<Fill, 'seq'>[] = []
  const seen = new Set<string>()
  orders.forEach((incoming, arrival) => {
    if (seen.has(incoming.id)) return
    seen.add(incoming.id)
    let remaining = incoming.qty
    for (;;) {
      const candidates = book.filter(
        (r) =>
          r.order.side !== incoming.side &&
          (incoming.side === 'buy' ? r.order.price <= incoming.price : r.order.price >= incoming.price),
      )
      if (candidates.length === 0 || remaining === 0) break
      candidates.sort((a, b) =>
        a.order.price === b.order.price
          ? a.arrival - b.arrival
          : incoming.side === 'buy'
            ? a.order.price - b.order.price
            : b.order.price - a.order.price,
      )
      const best = candidates[0] as (typeof candidates)[number]
      const qty = Math.min(remaining, best.remaining)
      const [buy, sell] = incoming.side === 'buy' ? [incoming, best.order] : [best.order, incoming]
      fills.push({
        buyOrder: buy.id,
        sellOrder: sell.id,
        buyer: buy.trader,
        seller: sell.trader,
        price: best.order.price,
        qty,
      })
      remaining -= qty
      best.remaining -= qty
      if (best.remaining === 0) book.splice(book.indexOf(best), 1)
    }
    if (remaining > 0) book.push({ order: incoming, remaining, arrival })
  })
  return { fills, resting: new Map(book.map((r) => [r.order.id, r.remaining])) }
}

const arbitraryOrders = fc.array(
  fc.record({
    id: fc.integer({ min: 1, max: 60 }).map((n) => `o${n}`),
    trader: fc.constantFrom('ann', 'bob', 'cy'),
    side: fc.constantFrom<Side>('buy', 'sell'),
    price: fc.integer({ min: 95, max: 105 }),
    qty: fc.integer({ min: 1, max: 20 }),
  }),
  { maxLength: 80 },
)

describe('OrderBook', () => {
  it('matches the mosaik tutorial scenario: one fill at the resting price, the rest rests', () => {
    const book = new OrderBook()
    book.place(order('1', 'a', 'sell', 300_000, 10))
    book.place(order('2', 'a', 'sell', 301_000, 5))
    book.place(order('3', 'b', 'buy', 299_000, 8))
    book.place(order('4', 'b', 'buy', 300_500, 15))
    expect(book.fillsAfter({ seq: 0, limit: 10 })).toEqual([
      { seq: 1, buyOrder: '4', sellOrder: '1', buyer: 'b', seller: 'a', price: 300_000, qty: 10 },
    ])
    expect(book.depth({ levels: 5 })).toEqual({
      bids: [
        { price: 300_500, qty: 5, orders: 1 },
        { price: 299_000, qty: 8, orders: 1 },
      ],
      asks: [{ price: 301_000, qty: 5, orders: 1 }],
    })
    expect(book.stats()).toEqual({ placed: 4, cancelled: 0, resting: 3, fills: 1, volume: 10 })
  })

  it('fills oldest first within a price and walks the book across prices', () => {
    const book = new OrderBook()
    book.place(order('s1', 'a', 'sell', 101, 3))
    book.place(order('s2', 'b', 'sell', 100, 2))
    book.place(order('s3', 'c', 'sell', 100, 2))
    book.place(order('b1', 'd', 'buy', 101, 6))
    expect(book.fillsAfter({ seq: 0, limit: 10 }).map((f) => [f.sellOrder, f.price, f.qty])).toEqual([
      ['s2', 100, 2],
      ['s3', 100, 2],
      ['s1', 101, 2],
    ])
    expect(book.depth({ levels: 5 })).toEqual({ bids: [], asks: [{ price: 101, qty: 1, orders: 1 }] })
  })

  it('ignores a repeated order id and cancels only resting orders', () => {
    const book = new OrderBook()
    book.place(order('x', 'a', 'buy', 100, 5))
    book.place(order('x', 'a', 'buy', 100, 5))
    book.cancel({ id: 'nope' })
    expect(book.stats()).toMatchObject({ placed: 1, resting: 1, cancelled: 0 })
    book.cancel({ id: 'x' })
    book.place(order('x', 'a', 'buy', 100, 5))
    expect(book.stats()).toMatchObject({ placed: 1, resting: 0, cancelled: 1 })
    expect(book.depth({ levels: 1 })).toEqual({ bids: [], asks: [] })
  })

  it('pages fills by seq and keeps only the newest fillHistory of them', () => {
    const book = new OrderBook({ fillHistory: 3 })
    for (let i = 1; i <= 5; i++) {
      book.place(order(`s${i}`, 'a', 'sell', 100, 1))
      book.place(order(`b${i}`, 'b', 'buy', 100, 1))
    }
    expect(book.fillsAfter({ seq: 0, limit: 10 }).map((f) => f.seq)).toEqual([3, 4, 5])
    expect(book.fillsAfter({ seq: 3, limit: 1 }).map((f) => f.seq)).toEqual([4])
    expect(book.fillsAfter({ seq: 5, limit: 10 })).toEqual([])
  })

  it('agrees with a reference matcher, never rests a crossed book, and conserves quantity', () => {
    fc.assert(
      fc.property(
        arbitraryOrders,
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 10 }),
        (orders, cancels) => {
          const book = new OrderBook()
          for (const o of orders) book.place(o)
          const expected = referenceMatch(orders)
          const fills = book.fillsAfter({ seq: 0, limit: 1000 })
          expect(fills.map(({ seq: _, ...f }) => f)).toEqual(expected.fills)
          expect(fills.map((f) => f.seq)).toEqual(fills.map((_, i) => i + 1))
          const { bids, asks } = book.depth({ levels: 1000 })
          if (bids[0] && asks[0]) expect(bids[0].price).toBeLessThan(asks[0].price)
          const restingQty = [...bids, ...asks].reduce((sum, l) => sum + l.qty, 0)
          expect(restingQty).toBe([...expected.resting.values()].reduce((a, b) => a + b, 0))
          for (const n of cancels) book.cancel({ id: `o${n}` })
          const cancelled = new Set(cancels.map((n) => `o${n}`).filter((id) => expected.resting.has(id)))
          expect(book.stats().resting).toBe(expected.resting.size - cancelled.size)
        },
      ),
    )
  })

  it('restores from a snapshot to a book that behaves identically', () => {
    fc.assert(
      fc.property(arbitraryOrders, arbitraryOrders, (before, after) => {
        const original = new OrderBook()
        for (const o of before) original.place(o)
        const copy = new OrderBook()
        copy.restore(structuredClone(original.snapshot()))
        expect(copy.snapshot()).toEqual(original.snapshot())
        for (const o of after) {
          original.place(o)
          copy.place(o)
        }
        expect(copy.snapshot()).toEqual(original.snapshot())
      }),
    )
  })
})
