/**
 * The limiter every node runs against the shared `buckets` Map. A request reads the local replica,
 * decides with the token-bucket arithmetic and, if it may pass, writes the new bucket with
 * compare-and-swap. Two nodes that read the same bucket cannot both win the swap, so a token is
 * spent once across the whole deployment; the loser re-reads (its replica already holds the
 * winner's write) and decides again.
 *
 * A deny needs no write and no round trip: a replica that lags has seen fewer requests, not more,
 * so if even its view has no token left, the up-to-date bucket has none either.
 */
import type { MapWriter } from 'mosaik/codegen-v1'
import { type Decision, decide } from './bucket.ts'
import type { Bucket, Policy } from './generated/index.ts'

/** Swaps lost in a row before a request is denied (under heavy contention a deny is the safe answer). */
const MAX_ATTEMPTS = 16
/** Retry hint when a request was denied for contention rather than for an empty bucket. */
const CONTENDED_RETRY_MS = 10

export class SharedLimiter {
  readonly #buckets: MapWriter<string, Bucket>
  readonly #policy: () => Policy
  readonly #now: () => number

  /**
   * `policy` is read on every request, so a node follows the replicated policy even if it changes
   * under it (when a node that started alone merges into the older group, it adopts that group's
   * state, policy included).
   */
  constructor(buckets: MapWriter<string, Bucket>, policy: () => Policy, now: () => number = Date.now) {
    this.#buckets = buckets
    this.#policy = policy
    this.#now = now
  }

  /** The limits in force. */
  get policy(): Policy {
    return this.#policy()
  }

  /** Spends one token of `key`'s bucket if it has one. */
  async take(key: string): Promise<Decision> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = this.#buckets.get(key)
      const decision = decide(current, this.policy, this.#now())
      if (!decision.allowed) return decision
      const { applied } = await this.#buckets.compareAndSwap(key, current, decision.next)
      if (applied) return decision
    }
    return { allowed: false, retryAfterMs: CONTENDED_RETRY_MS }
  }
}
