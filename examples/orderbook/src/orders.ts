/**
 * A reproducible stream of orders for a trader: prices scattered around a mid price so buys and
 * sells cross often, quantities of a few units. The same seed gives the same orders, so a demo run
 * can be repeated exactly.
 */
import { seededRandom } from 'mosaik/testing'
import type { Order } from './generated/index.ts'

/** Mid price in cents around which orders are placed. */
export const MID_PRICE = 10_000

/** `count` orders of `trader`, ids `<trader>-1`, `<trader>-2`, … */
export function generateOrders(trader: string, count: number, seed: number): Order[] {
  const next = seededRandom(seed)
  const between = (low: number, high: number): number => low + Math.floor(next() * (high - low + 1))
  return Array.from({ length: count }, (_, i) => {
    const side = next() < 0.5 ? 'buy' : 'sell'
    // Buyers bid a little below mid on average and sellers ask a little above, with overlap.
    const offset = side === 'buy' ? between(-30, 20) : between(-20, 30)
    return { id: `${trader}-${i + 1}`, trader, side, price: MID_PRICE + offset, qty: between(1, 10) }
  })
}
