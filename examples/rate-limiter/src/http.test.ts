import { describe, expect, it } from 'vitest'
import { decide } from './bucket.ts'
import type { Bucket } from './generated/index.ts'
import { type Limiter, serveLimiter } from './http.ts'

/** A limiter over one in-process Map: the same arithmetic as the shared one, without a network. */
function localLimiter(now: () => number): Limiter {
  const buckets = new Map<string, Bucket>()
  const policy = { capacity: 2, refillPerSecond: 1 }
  return {
    policy,
    async take(key) {
      const decision = decide(buckets.get(key), policy, now())
      if (decision.allowed) buckets.set(key, decision.next)
      return decision
    },
  }
}

describe('limiter HTTP service', () => {
  it('answers allow, deny with Retry-After, the policy, and rejects bad requests', async () => {
    await using server = await serveLimiter(
      localLimiter(() => 1_000),
      '127.0.0.1',
      0,
    )
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`)
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() }
    }
    expect(await get('/allow?key=ann')).toEqual({
      status: 200,
      retryAfter: null,
      body: { allowed: true, remaining: 1 },
    })
    expect(await get('/allow?key=ann')).toMatchObject({ status: 200, body: { remaining: 0 } })
    expect(await get('/allow?key=ann')).toEqual({
      status: 429,
      retryAfter: '1',
      body: { allowed: false, retryAfterMs: 1000 },
    })
    expect(await get('/allow?key=bob')).toMatchObject({ status: 200 })
    expect(await get('/policy')).toEqual({
      status: 200,
      retryAfter: null,
      body: { capacity: 2, refillPerSecond: 1 },
    })
    expect((await get('/allow')).status).toBe(400)
    expect((await get(`/allow?key=${'k'.repeat(129)}`)).status).toBe(400)
    expect((await get('/nope')).status).toBe(404)
    expect((await fetch(`${server.url}/allow?key=x`, { method: 'POST' })).status).toBe(405)
  })
})
