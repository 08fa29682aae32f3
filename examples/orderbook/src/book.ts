/**
 * The matcher's state machine: a limit order book with price-time priority. It implements the
 * generated `MatcherMachine` interface, so every replica of the `matcher` group applies the same
 * committed orders in the same order and ends with the same book, fills and snapshot.
 *
 * Matching: an incoming buy takes the cheapest asks whose price is ≤ its limit, oldest first within a
 * price; an incoming sell takes the highest bids whose price is ≥ its limit. Every trade happens at
 * the resting order's price. What is left of the incoming order rests in the book.
 *
 * Deterministic by construction: no clock, no randomness, only arrays and Maps whose order is the
 * order of the log.
 */
import type {
  BookStats,
  Depth,
  Fill,
  Level,
  MatcherCancelCommand,
  MatcherDepthInput,
  MatcherFillsAfterInput,
  MatcherMachine,
  Order,
  Side,
} from './generated/index.ts'

/** An order waiting in the book, with what is left of its quantity. */
export interface RestingOrder {
  readonly id: string
  readonly trader: string
  readonly side: Side
  readonly price: number
  remaining: number
}

/** Everything a replica needs to continue from this point; plain data in log order. */
export interface BookSnapshot {
  /** Bids in priority order (best price first, oldest first within a price). */
  readonly bids: RestingOrder[]
  /** Asks in priority order. */
  readonly asks: RestingOrder[]
  /** The most recent fills (at most `fillHistory`). */
  readonly fills: Fill[]
  /** Every order id ever placed, in log order (repeats are ignored, so ids must stay known). */
  readonly seen: string[]
  readonly stats: BookStats
}

/** Fills kept for `fillsAfter` queries; older ones have been published and settled long ago. */
export const DEFAULT_FILL_HISTORY = 10_000

/**
 * One side of the book: price levels kept sorted best-first, each a FIFO queue of orders. Levels
 * are few compared with orders, so a sorted array of prices with binary search is enough.
 */
class BookSide {
  readonly #better: (a: number, b: number) => boolean
  /** Prices with resting orders, best first. */
  readonly #prices: number[] = []
  readonly #levels = new Map<number, RestingOrder[]>()

  constructor(side: Side) {
    this.#better = side === 'buy' ? (a, b) => a > b : (a, b) => a < b
  }

  /** The best level's price, if any. */
  bestPrice(): number | undefined {
    return this.#prices[0]
  }

  /** The oldest order at the best price. */
  bestOrder(): RestingOrder | undefined {
    const price = this.#prices[0]
    return price === undefined ? undefined : this.#levels.get(price)?.[0]
  }

  add(order: RestingOrder): void {
    const level = this.#levels.get(order.price)
    if (level) {
      level.push(order)
      return
    }
    this.#levels.set(order.price, [order])
    this.#prices.splice(this.#insertionPoint(order.price), 0, order.price)
  }

  /** Removes an order wherever it is in its level. */
  remove(order: RestingOrder): void {
    const level = this.#levels.get(order.price)
    if (!level) return
    const at = level.indexOf(order)
    if (at >= 0) level.splice(at, 1)
    if (level.length === 0) this.#dropLevel(order.price)
  }

  /** Removes the oldest order at the best price (after it was filled). */
  popBest(): void {
    const price = this.#prices[0]
    if (price === undefined) return
    const level = this.#levels.get(price) as RestingOrder[]
    level.shift()
    if (level.length === 0) this.#dropLevel(price)
  }

  /** Aggregated quantities of the best `count` levels. */
  depth(count: number): Level[] {
    return this.#prices.slice(0, count).map((price) => {
      const level = this.#levels.get(price) as RestingOrder[]
      return { price, qty: level.reduce((sum, o) => sum + o.remaining, 0), orders: level.length }
    })
  }

  /** Every resting order in priority order. */
  orders(): RestingOrder[] {
    return this.#prices.flatMap((price) => this.#levels.get(price) as RestingOrder[])
  }

  #dropLevel(price: number): void {
    this.#levels.delete(price)
    this.#prices.splice(this.#prices.indexOf(price), 1)
  }

  /** First position whose price is not better than `price` (binary search). */
  #insertionPoint(price: number): number {
    let low = 0
    let high = this.#prices.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.#better(this.#prices[mid] as number, price)) low = mid + 1
      else high = mid
    }
    return low
  }
}

function emptyStats(): BookStats {
  return { placed: 0, cancelled: 0, resting: 0, fills: 0, volume: 0 }
}

/** The order book as the `matcher` group's state machine. */
export class OrderBook implements MatcherMachine<BookSnapshot> {
  readonly #fillHistory: number
  #bids = new BookSide('buy')
  #asks = new BookSide('sell')
  /** Resting orders by id, for cancels. */
  #resting = new Map<string, RestingOrder>()
  #seen = new Set<string>()
  #fills: Fill[] = []
  #stats = emptyStats()

  constructor(options: { fillHistory?: number } = {}) {
    this.#fillHistory = options.fillHistory ?? DEFAULT_FILL_HISTORY
  }

  place(order: Order): void {
    if (this.#seen.has(order.id)) return
    this.#seen.add(order.id)
    this.#stats.placed++
    const incoming: RestingOrder = { ...order, remaining: order.qty }
    const opposite = order.side === 'buy' ? this.#asks : this.#bids
    const crosses = (price: number): boolean =>
      order.side === 'buy' ? price <= order.price : price >= order.price
    for (
      let best = opposite.bestOrder();
      best !== undefined && incoming.remaining > 0 && crosses(best.price);
      best = opposite.bestOrder()
    ) {
      const qty = Math.min(incoming.remaining, best.remaining)
      this.#recordFill(incoming, best, qty)
      incoming.remaining -= qty
      best.remaining -= qty
      if (best.remaining === 0) {
        opposite.popBest()
        this.#resting.delete(best.id)
      }
    }
    if (incoming.remaining > 0) this.#rest(incoming)
    this.#stats.resting = this.#resting.size
  }

  cancel(command: MatcherCancelCommand): void {
    const order = this.#resting.get(command.id)
    if (!order) return
    ;(order.side === 'buy' ? this.#bids : this.#asks).remove(order)
    this.#resting.delete(order.id)
    this.#stats.cancelled++
    this.#stats.resting = this.#resting.size
  }

  depth(input: MatcherDepthInput): Depth {
    return { bids: this.#bids.depth(input.levels), asks: this.#asks.depth(input.levels) }
  }

  fillsAfter(input: MatcherFillsAfterInput): Fill[] {
    // Fills are numbered consecutively, so the first wanted one is found by arithmetic.
    const first = this.#fills[0]?.seq ?? 1
    const start = Math.max(0, input.seq + 1 - first)
    return this.#fills.slice(start, start + input.limit)
  }

  stats(): BookStats {
    return { ...this.#stats }
  }

  snapshot(): BookSnapshot {
    const copy = (orders: RestingOrder[]): RestingOrder[] => orders.map((o) => ({ ...o }))
    return {
      bids: copy(this.#bids.orders()),
      asks: copy(this.#asks.orders()),
      fills: this.#fills.map((f) => ({ ...f })),
      seen: [...this.#seen],
      stats: { ...this.#stats },
    }
  }

  restore(snapshot: BookSnapshot): void {
    this.#bids = new BookSide('buy')
    this.#asks = new BookSide('sell')
    this.#resting = new Map()
    for (const order of [...snapshot.bids, ...snapshot.asks]) this.#rest({ ...order })
    this.#seen = new Set(snapshot.seen)
    this.#fills = snapshot.fills.map((f) => ({ ...f }))
    this.#stats = { ...snapshot.stats }
  }

  #rest(order: RestingOrder): void {
    ;(order.side === 'buy' ? this.#bids : this.#asks).add(order)
    this.#resting.set(order.id, order)
  }

  #recordFill(incoming: RestingOrder, resting: RestingOrder, qty: number): void {
    const [buy, sell] = incoming.side === 'buy' ? [incoming, resting] : [resting, incoming]
    this.#stats.fills++
    this.#stats.volume += qty
    this.#fills.push({
      seq: this.#stats.fills,
      buyOrder: buy.id,
      sellOrder: sell.id,
      buyer: buy.trader,
      seller: sell.trader,
      price: resting.price,
      qty,
    })
    if (this.#fills.length > this.#fillHistory) this.#fills.shift()
  }
}
