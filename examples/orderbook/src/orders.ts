/**
 * A reproducible stream of orders for a trader: prices scattered around a mid price so buys and
 * sells cross often, quantities of a few units. The same seed gives the same orders, so a demo run
 * can be repeated exactly.
 */
import type { Order } from './generated/index.ts'

/** Mid price in cents around which orders are placed. */
export const MID_PRICE = 10_000

/** mulberry32: a tiny, good-enough PRNG with 32 bits of state; returns floats in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` orders of `trader`, ids `<trader>-1`, `<trader>-2`, … */
export function generateOrders(trader: string, count: number, seed: number): Order[] {
  const next = random(seed)
  const between = (low: number, high: number): number => low + Math.floor(next() * (high - low + 1))
  return Array.from({ length: count }, (_, i) => {
    const side = next() < 0.5 ? 'buy' : 'sell'
    // Buyers bid a little below mid on average and sellers ask a little above, with overlap.
    const offset = side === 'buy' ? between(-30, 20) : between(-20, 30)
    return { id: `${trader}-${i + 1}`, trader, side, price: MID_PRICE + offset, qty: between(1, 10) }
  })
}
