/**
 * The order-matching engine's declarations: traders publish orders on a stream, a Raft group of
 * matchers orders them into one book (price-time priority), fills go out on a second stream, and
 * every trader's net position lives in a replicated Map.
 */

import { defineGroup, defineMap, defineStream } from 'mosaik/schema'
import Type from 'typebox'

const OrderId = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'Unique per order; a repeated id is ignored.',
})
const Trader = Type.String({ minLength: 1, maxLength: 64, description: 'Who placed the order.' })
const Price = Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Limit price in cents.' })
const Quantity = Type.Integer({ minimum: 1, maximum: 1_000_000 })

export const Side = Type.Union([Type.Literal('buy'), Type.Literal('sell')])

/** A limit order. */
export const Order = Type.Object(
  { id: OrderId, trader: Trader, side: Side, price: Price, qty: Quantity },
  { description: 'A limit order; what does not match at once rests in the book.' },
)

/** One trade between a resting order and an incoming one, at the resting order's price. */
export const Fill = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Position of the fill in the book: 1, 2, 3, …' }),
    buyOrder: OrderId,
    sellOrder: OrderId,
    buyer: Trader,
    seller: Trader,
    price: Price,
    qty: Quantity,
  },
  { description: 'A trade: qty units at price, between a buy and a sell order.' },
)

/** Total resting quantity at one price. */
export const Level = Type.Object({
  price: Price,
  qty: Type.Integer({ minimum: 1 }),
  orders: Type.Integer({ minimum: 1 }),
})

/** The best price levels on each side: bids highest first, asks lowest first. */
export const Depth = Type.Object({ bids: Type.Array(Level), asks: Type.Array(Level) })

/** Counters of the book since it started. */
export const BookStats = Type.Object({
  placed: Type.Integer({ minimum: 0, description: 'Orders accepted (duplicates are not counted).' }),
  cancelled: Type.Integer({ minimum: 0 }),
  resting: Type.Integer({ minimum: 0, description: 'Orders in the book now.' }),
  fills: Type.Integer({ minimum: 0 }),
  volume: Type.Integer({ minimum: 0, description: 'Units traded.' }),
})

/** A trader's net position, and the last fill it includes. */
export const Balance = Type.Object({
  cash: Type.Integer({ description: 'Net cash in cents: received for sales minus paid for buys.' }),
  units: Type.Integer({ description: 'Net units: bought minus sold.' }),
  settled: Type.Integer({ minimum: 0, description: 'seq of the last fill applied to this balance.' }),
})

export const orders = defineStream({ name: 'orders', datum: Order, description: 'Orders from traders.' })

export const fills = defineStream({
  name: 'fills',
  datum: Fill,
  description: 'Fills, published by the matcher leader.',
})

export const matcher = defineGroup({
  name: 'matcher',
  description: 'The order book: one log of orders and cancels, matched with price-time priority.',
  commands: {
    place: Order,
    cancel: Type.Object({ id: OrderId }),
  },
  queries: {
    depth: { input: Type.Object({ levels: Type.Integer({ minimum: 1, maximum: 1000 }) }), output: Depth },
    fillsAfter: {
      input: Type.Object({
        seq: Type.Integer({ minimum: 0 }),
        limit: Type.Integer({ minimum: 1, maximum: 1000 }),
      }),
      output: Type.Array(Fill),
    },
    stats: { input: Type.Object({}), output: BookStats },
  },
})

export const balances = defineMap({
  name: 'balances',
  description: 'Net position per trader, settled from fills exactly once (compare-and-swap on `settled`).',
  key: Trader,
  value: Balance,
})
