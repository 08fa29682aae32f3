/**
 * A trader node: sends orders on the `orders` stream once a matcher listens, and follows the
 * `fills` stream (each fill once, by seq, even when a new matcher leader publishes some again).
 */
import type { Consumer, Producer, StreamsHost, WaitOptions } from 'mosaik/codegen-v1'
import { type Fill, fills, type Order, orders } from './generated/index.ts'
import { MATCHER_TAG } from './matcher.ts'
import { generateOrders } from './orders.ts'
import { isClosing } from './util.ts'

/** Distinct fills seen on the stream (any trader's), and how many of them were this trader's. */
export interface FillCounts {
  readonly seen: number
  readonly own: number
}

export interface TraderOptions {
  /** The trader's name, in its orders and in `balances`. */
  readonly name: string
  /** Called for each fill the first time it is seen (any trader's), with the counts after it. */
  readonly onFill?: (fill: Fill, counts: FillCounts) => void
}

export class TraderNode implements AsyncDisposable {
  readonly name: string
  readonly #orders: Producer<Order>
  readonly #fills: Consumer<Fill>
  readonly #abort = new AbortController()
  readonly #following: Promise<void>
  readonly #onFill: TraderOptions['onFill']
  /** Fills seen on the stream (any trader's), by seq. */
  readonly #seen = new Set<number>()
  #sent = 0
  #own = 0

  constructor(network: StreamsHost, options: TraderOptions) {
    this.name = options.name
    this.#onFill = options.onFill
    this.#orders = orders.producer(network, { onlineWhen: { tags: [MATCHER_TAG] } })
    this.#fills = fills.consumer(network)
    // Awaited by close(); marked handled now so a failure before then does not crash the process.
    this.#following = this.#follow()
    this.#following.catch(() => {})
  }

  /** Orders sent so far. */
  get sent(): number {
    return this.#sent
  }

  get fills(): FillCounts {
    return { seen: this.#seen.size, own: this.#own }
  }

  /**
   * Resolves once the fills stream is subscribed at `matchers` matchers, so that no fill they
   * publish from now on is missed (a stream delivers to the consumers subscribed when it sends).
   */
  async followingMatchers(matchers: number, options: WaitOptions = {}): Promise<void> {
    await this.#fills.when.subscribed({ tags: [MATCHER_TAG], min: matchers }, options)
  }

  /** Sends `count` orders generated from `seed`; `onSent` after each. */
  async trade(count: number, seed: number, onSent?: (sent: number) => void): Promise<void> {
    for (const order of generateOrders(this.name, count, seed)) {
      await this.#orders.send(order, { signal: this.#abort.signal })
      onSent?.(++this.#sent)
    }
  }

  /** Stops trading and following; rejects if following the fills had failed. */
  async close(): Promise<void> {
    this.#abort.abort()
    await Promise.allSettled([this.#orders.close(), this.#fills.close()])
    await this.#following
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  async #follow(): Promise<void> {
    try {
      for await (const fill of this.#fills) {
        if (this.#seen.has(fill.seq)) continue
        this.#seen.add(fill.seq)
        if (fill.buyer === this.name || fill.seller === this.name) this.#own++
        this.#onFill?.(fill, this.fills)
      }
    } catch (err) {
      if (!isClosing(err, this.#abort.signal)) throw err
    }
  }
}
