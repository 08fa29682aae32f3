/**
 * A matcher node: a member of the `matcher` group that
 * - consumes the `orders` stream and proposes every order it receives (every matcher does, so an
 *   order survives the loss of any one of them; the book ignores an id it has seen, so each order
 *   is applied once);
 * - while it is the leader, takes new fills from the book, settles them into `balances` and
 *   publishes them on the `fills` stream.
 */
import { isMosaikError } from 'mosaik'
import type {
  CodegenNetwork,
  Consumer,
  GroupClient,
  MapWriter,
  Producer,
  WaitOptions,
} from 'mosaik/codegen-v1'
import { type BookSnapshot, OrderBook } from './book.ts'
import {
  type Balance,
  type BookStats,
  balances,
  type Depth,
  type Fill,
  fills,
  type MatcherCommands,
  type MatcherQueries,
  matcher,
  type Order,
  orders,
} from './generated/index.ts'
import { settle } from './settlement.ts'
import { isClosing, pause, retryUntilClosed } from './util.ts'

/** Tag a matcher puts in its discovery entry; traders send orders only once one is subscribed. */
export const MATCHER_TAG = 'orderbook-matcher'

/** Fills taken from the book per settle-and-publish round. */
const PUBLISH_BATCH = 500
/** How long the publisher waits for a commit before it looks again anyway (e.g. after an election). */
const PUBLISH_POLL_MS = 250

export interface MatcherOptions {
  /** Matchers in the deployment: the group waits for this many before its first election. */
  readonly matchers: number
  /** Called when this node settled and published fills up to `through` (their seq). */
  readonly onPublished?: (through: number) => void
  /** Called when a round of settling and publishing failed (it is retried). */
  readonly onError?: (err: unknown) => void
}

/** What a matcher reports about the whole market. */
export interface MarketSummary {
  readonly leader: string | undefined
  readonly voters: readonly string[]
  readonly stats: BookStats
  readonly depth: Depth
  /** Every trader's balance, sorted by trader. */
  readonly balances: readonly (readonly [string, Balance])[]
}

export class MatcherNode implements AsyncDisposable {
  readonly group: GroupClient<MatcherCommands, MatcherQueries>
  readonly balances: MapWriter<string, Balance>
  readonly #orders: Consumer<Order>
  readonly #fills: Producer<Fill>
  readonly #abort = new AbortController()
  readonly #loops: Promise<void>[]
  readonly #options: MatcherOptions
  #published = 0

  constructor(network: CodegenNetwork, options: MatcherOptions) {
    this.#options = options
    const book: OrderBook = new OrderBook()
    this.group = matcher.join<BookSnapshot>(network, book, { minVoters: options.matchers })
    this.balances = balances.writer(network)
    this.#orders = orders.consumer(network)
    // Nobody may be listening for fills yet; publishing must never wait for a subscriber.
    this.#fills = fills.producer(network, { onlineWhen: { min: 0 } })
    this.#loops = [this.#ingest(), this.#publish()]
  }

  /** Resolves once this node follows a leader of both the book and the balances. */
  async online(options: WaitOptions = {}): Promise<void> {
    await Promise.all([this.group.when.online(options), this.balances.when.online(options)])
  }

  /** The seq of the last fill this node settled and published. */
  get published(): number {
    return this.#published
  }

  /** Book, depth and balances, all read linearizably (they include every committed write). */
  async summary(levels = 5): Promise<MarketSummary> {
    const [stats, depth, view] = await Promise.all([
      this.group.query.stats({}),
      this.group.query.depth({ levels }),
      this.balances.read({ consistency: 'linearizable' }),
    ])
    const entries = [...view.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return { leader: this.group.leader, voters: this.group.members.voters, stats, depth, balances: entries }
  }

  async close(): Promise<void> {
    this.#abort.abort()
    await this.#orders.close()
    await Promise.allSettled(this.#loops)
    await Promise.allSettled([this.#fills.close(), this.balances.close(), this.group.close()])
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  async #ingest(): Promise<void> {
    const signal = this.#abort.signal
    for await (const order of this.#orders) {
      await retryUntilClosed(() => this.group.execute.place(order, { signal }), signal)
    }
  }

  async #publish(): Promise<void> {
    const signal = this.#abort.signal
    while (!signal.aborted) {
      try {
        await this.#nextCommit(signal)
        if (this.group.isLeader) await this.#publishNewFills(signal)
      } catch (err) {
        if (isClosing(err, signal)) return
        // Not leader any more, balances offline for a moment…: report it and try again.
        this.#options.onError?.(err)
        await pause(PUBLISH_POLL_MS, signal)
      }
    }
  }

  /**
   * Waits for the next commit, or for PUBLISH_POLL_MS without one: fills committed while the last
   * round was busy (or failed) must be published even if nothing else is ever committed.
   */
  async #nextCommit(signal: AbortSignal): Promise<void> {
    try {
      await this.group.when.committed().changed({ timeout: PUBLISH_POLL_MS, signal })
    } catch (err) {
      if (!isMosaikError(err, 'ERR_TIMEOUT')) throw err
    }
  }

  async #publishNewFills(signal: AbortSignal): Promise<void> {
    for (;;) {
      const batch: Fill[] = await this.group.query.fillsAfter(
        { seq: this.#published, limit: PUBLISH_BATCH },
        { consistency: 'local', signal },
      )
      const last = batch.at(-1)
      if (last === undefined) return
      await settle(this.balances, batch)
      for (const fill of batch) await this.#fills.send(fill, { signal })
      this.#published = last.seq
      this.#options.onPublished?.(last.seq)
    }
  }
}
