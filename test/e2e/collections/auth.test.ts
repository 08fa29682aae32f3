/**
 * Tickets (mosaik-features §5.5 `auth.rs`): writer n0 and reader n1 hold valid JWT tickets, reader
 * n2 has none. The authorized reader receives the writes; the unauthorized one never bonds and
 * stays empty.
 */
import { describe, expect, it } from 'vitest'
import { issueJwtTicket, JwtValidator, jwtSigningKey, jwtVerifyingKey } from '../../../runtime/tickets/jwt.ts'
import { groupOf, mapOf, nodes, opts, T, until } from './helpers.ts'

describe('collections that require tickets', () => {
  it('only readers with an acceptable ticket replicate', async () => {
    const secret = new TextEncoder().encode('collection ticket secret')
    const validator = new JwtValidator({ keys: [await jwtVerifyingKey('HS256', secret)], issuers: ['ops'] })
    const [n0, n1, n2] = await nodes(3)
    for (const n of [n0, n1]) {
      n?.discovery.addTicket(
        await issueJwtTicket(await jwtSigningKey('HS256', secret), n.peerId, {
          issuer: 'ops',
          expiresAt: Date.now() + 3_600_000,
        }),
      )
    }
    const handle = mapOf<number, number>('auth-map')
    const w = handle.writer(n0 as never, opts({ tickets: [validator] }))
    const allowed = handle.reader(n1 as never, opts({ tickets: [validator] }))
    const refused = handle.reader(n2 as never, opts({ tickets: [validator] }))
    await w.when.online(T())
    const v = await w.insert(1, 1)
    await allowed.when.reaches(v, T())
    expect(allowed.get(1)).toBe(1)
    await expect(until(() => groupOf(n2 as never, refused).bonded.length > 0, 1_500)).rejects.toThrow()
    expect(refused.size).toBe(0)
    expect(groupOf(n0 as never, w).members.learners).toEqual([n1?.peerId])
  })
})
