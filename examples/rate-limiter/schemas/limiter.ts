/**
 * A token-bucket rate limiter shared by every node: one bucket per client key in a replicated Map,
 * updated with compare-and-swap so two nodes never spend the same token, and the limits themselves
 * in a Once — the first node to start decides them, every later node adopts them.
 */

import { defineMap, defineOnce } from 'mosaik/schema'
import Type from 'typebox'

/** Limits every bucket follows. */
export const Policy = Type.Object({
  capacity: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    description: 'Most tokens a bucket holds (the burst).',
  }),
  refillPerSecond: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Tokens added per second.' }),
})

/** One client's bucket, in thousandths of a token so refills stay exact integers. */
export const Bucket = Type.Object({
  milliTokens: Type.Integer({ minimum: 0 }),
  updatedAt: Type.Integer({ minimum: 0, description: 'When milliTokens was computed, ms since the epoch.' }),
})

export const policy = defineOnce({
  name: 'limiter.policy',
  value: Policy,
  description: 'The limits, fixed once.',
})

export const buckets = defineMap({
  name: 'limiter.buckets',
  description: 'Token bucket per client key.',
  key: Type.String({ minLength: 1, maxLength: 128 }),
  value: Bucket,
})
