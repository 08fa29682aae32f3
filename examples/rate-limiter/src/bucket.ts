/**
 * The token-bucket arithmetic, free of any network: given a bucket as last written, the policy and
 * the time, decide whether one request may pass and what the bucket becomes. Tokens are counted in
 * thousandths, so a refill of `refillPerSecond` tokens per second is exactly `refillPerSecond`
 * milli-tokens per millisecond.
 */
import type { Bucket, Policy } from './generated/index.ts'

/** Milli-tokens one request costs. */
export const REQUEST_COST = 1000

/** The outcome of one request against a bucket. */
export type Decision =
  | {
      readonly allowed: true
      /** The bucket to write (compare-and-swap against the one read). */
      readonly next: Bucket
      /** Whole tokens left after this request. */
      readonly remaining: number
    }
  | {
      readonly allowed: false
      /** How long until one token is available, in ms. */
      readonly retryAfterMs: number
    }

/** What a bucket holds at `now`: its last state plus the refill since, capped at the capacity. */
export function refill(bucket: Bucket | undefined, policy: Policy, now: number): Bucket {
  const full = policy.capacity * REQUEST_COST
  if (bucket === undefined) return { milliTokens: full, updatedAt: now }
  // Another node's clock may be ahead: never go back in time, just add nothing until we catch up.
  const elapsed = Math.max(0, now - bucket.updatedAt)
  return {
    milliTokens: Math.min(full, bucket.milliTokens + elapsed * policy.refillPerSecond),
    updatedAt: Math.max(now, bucket.updatedAt),
  }
}

/** Decides one request at `now` against `bucket` (undefined: a client never seen, with a full bucket). */
export function decide(bucket: Bucket | undefined, policy: Policy, now: number): Decision {
  const current = refill(bucket, policy, now)
  if (current.milliTokens < REQUEST_COST) {
    return {
      allowed: false,
      retryAfterMs: Math.ceil((REQUEST_COST - current.milliTokens) / policy.refillPerSecond),
    }
  }
  const next = { milliTokens: current.milliTokens - REQUEST_COST, updatedAt: current.updatedAt }
  return { allowed: true, next, remaining: Math.floor(next.milliTokens / REQUEST_COST) }
}
