import { describe, expect, it } from 'vitest'
import { id } from '../../../runtime/primitives/digest.ts'
import {
  authorize,
  generateJwtKeyPair,
  issueJwtTicket,
  JWT_TICKET_CLASS,
  JwtValidator,
  jwtSigningKey,
  jwtVerifyingKey,
  type Ticket,
  ticketId,
} from '../../../runtime/tickets/index.ts'

const network = id('tickets-test-net')
const alice = { peerId: '12D3KooWAlice', networkId: network }
const bob = { peerId: '12D3KooWBob', networkId: network }
const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef')
const HOUR = 3_600_000

async function hmacSetup() {
  const signing = await jwtSigningKey('HS256', secret)
  const verifying = await jwtVerifyingKey('HS256', secret)
  return { signing, verifying }
}

describe('JWT tickets', () => {
  it('accepts a valid ticket for its own subject and reports its expiry', async () => {
    const { signing, verifying } = await hmacSetup()
    const expiresAt = Date.now() + HOUR
    const ticket = await issueJwtTicket(signing, alice.peerId, { issuer: 'ops', expiresAt })
    const validator = new JwtValidator({ keys: [verifying], issuers: ['ops'] })
    await expect(validator.validate(ticket.data, alice)).resolves.toEqual({
      expiresAt: Math.floor(expiresAt / 1000) * 1000,
    })
  })

  it('rejects a ticket replayed by another peer, an expired one, and a wrong issuer', async () => {
    const { signing, verifying } = await hmacSetup()
    const validator = new JwtValidator({ keys: [verifying], issuers: ['ops'] })
    const good = await issueJwtTicket(signing, alice.peerId, { issuer: 'ops', expiresAt: Date.now() + HOUR })
    await expect(validator.validate(good.data, bob)).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
    const expired = await issueJwtTicket(signing, alice.peerId, {
      issuer: 'ops',
      expiresAt: Date.now() - HOUR,
    })
    await expect(validator.validate(expired.data, alice)).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
    const other = await issueJwtTicket(signing, alice.peerId, {
      issuer: 'mallory',
      expiresAt: Date.now() + HOUR,
    })
    await expect(validator.validate(other.data, alice)).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
  })

  it('requires an expiry unless non-expiring tickets are allowed', async () => {
    const { signing, verifying } = await hmacSetup()
    const forever = await issueJwtTicket(signing, alice.peerId)
    await expect(new JwtValidator({ keys: [verifying] }).validate(forever.data, alice)).rejects.toMatchObject(
      {
        code: 'ERR_UNAUTHORIZED',
      },
    )
    await expect(
      new JwtValidator({ keys: [verifying], allowNonExpiring: true }).validate(forever.data, alice),
    ).resolves.toEqual({ expiresAt: null })
  })

  it('checks audience, required claims, lifetime and age', async () => {
    const { signing, verifying } = await hmacSetup()
    const now = Date.now()
    const ticket = await issueJwtTicket(signing, alice.peerId, {
      audience: network.hex,
      expiresAt: now + HOUR,
      claims: { role: 'writer', limits: { b: 2, a: 1 } },
    })
    const ok = new JwtValidator({
      keys: [verifying],
      audiences: [network.hex],
      claims: { role: 'writer', limits: { a: 1, b: 2 } },
      maxLifetimeMs: 2 * HOUR,
      maxAgeMs: HOUR,
    })
    await expect(ok.validate(ticket.data, alice, now)).resolves.toBeDefined()
    const wrongClaim = new JwtValidator({ keys: [verifying], claims: { role: 'admin' } })
    await expect(wrongClaim.validate(ticket.data, alice, now)).rejects.toMatchObject({
      code: 'ERR_UNAUTHORIZED',
    })
    const wrongAudience = new JwtValidator({ keys: [verifying], audiences: ['elsewhere'] })
    await expect(wrongAudience.validate(ticket.data, alice, now)).rejects.toMatchObject({
      code: 'ERR_UNAUTHORIZED',
    })
    const shortLife = new JwtValidator({ keys: [verifying], maxLifetimeMs: 60_000 })
    await expect(shortLife.validate(ticket.data, alice, now)).rejects.toMatchObject({
      code: 'ERR_UNAUTHORIZED',
    })
    const young = new JwtValidator({ keys: [verifying], maxAgeMs: 1_000 })
    await expect(young.validate(ticket.data, alice, now + 10_000)).rejects.toMatchObject({
      code: 'ERR_UNAUTHORIZED',
    })
  })

  it.each(['ES256', 'ES384', 'ES512', 'EdDSA'] as const)(
    'verifies %s tickets with rotated keys',
    async (alg) => {
      const old = await generateJwtKeyPair(alg)
      const current = await generateJwtKeyPair(alg)
      const validator = new JwtValidator({
        keys: [await jwtVerifyingKey(alg, old.publicKey), await jwtVerifyingKey(alg, current.publicKey)],
      })
      const ticket = await issueJwtTicket(current.signing, alice.peerId, { expiresAt: Date.now() + HOUR })
      await expect(validator.validate(ticket.data, alice)).resolves.toBeDefined()
      const stranger = await generateJwtKeyPair(alg)
      const forged = await issueJwtTicket(stranger.signing, alice.peerId, { expiresAt: Date.now() + HOUR })
      await expect(validator.validate(forged.data, alice)).rejects.toMatchObject({ code: 'ERR_UNAUTHORIZED' })
    },
  )

  it('accepts compressed SEC1 public keys', async () => {
    const { signing, publicKey } = await generateJwtKeyPair('ES256')
    const { p256 } = await import('@noble/curves/nist.js')
    const compressed = p256.Point.fromBytes(publicKey).toBytes(true)
    const validator = new JwtValidator({ keys: [await jwtVerifyingKey('ES256', compressed)] })
    const ticket = await issueJwtTicket(signing, alice.peerId, { expiresAt: Date.now() + HOUR })
    await expect(validator.validate(ticket.data, alice)).resolves.toBeDefined()
    await expect(jwtVerifyingKey('ES256', new Uint8Array(33))).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    })
  })

  it('rejects garbage ticket bytes with a typed error', async () => {
    const { verifying } = await hmacSetup()
    const validator = new JwtValidator({ keys: [verifying] })
    for (const bad of ['', 'not.a.jwt', '\u0000\uffff', 'a'.repeat(10_000)]) {
      await expect(validator.validate(new TextEncoder().encode(bad), alice)).rejects.toMatchObject({
        code: 'ERR_UNAUTHORIZED',
      })
    }
  })

  it('has a signature that depends on settings but not on their order', async () => {
    const { verifying } = await hmacSetup()
    const a = new JwtValidator({ keys: [verifying], issuers: ['x', 'y'] })
    const b = new JwtValidator({ keys: [verifying], issuers: ['y', 'x'] })
    const c = new JwtValidator({ keys: [verifying], issuers: ['x'] })
    expect(a.signature.hex).toBe(b.signature.hex)
    expect(a.signature.hex).not.toBe(c.signature.hex)
  })
})

describe('authorize', () => {
  it('needs an acceptable ticket for every validator and returns the earliest expiry', async () => {
    const { signing, verifying } = await hmacSetup()
    const other = await generateJwtKeyPair('EdDSA')
    const first = new JwtValidator({ keys: [verifying] })
    const second = new JwtValidator({ keys: [await jwtVerifyingKey('EdDSA', other.publicKey)] })
    const soon = Date.now() + 60_000
    const tickets: Ticket[] = [
      await issueJwtTicket(signing, alice.peerId, { expiresAt: Date.now() + HOUR }),
      await issueJwtTicket(other.signing, alice.peerId, { expiresAt: soon }),
    ]
    const validity = await authorize(tickets, [first, second], alice)
    expect(validity.expiresAt).toBe(Math.floor(soon / 1000) * 1000)
    await expect(authorize(tickets.slice(0, 1), [first, second], alice)).rejects.toMatchObject({
      code: 'ERR_UNAUTHORIZED',
    })
    await expect(authorize([], [], alice)).resolves.toEqual({ expiresAt: null })
    expect(ticketId(tickets[0] as Ticket).equals(JWT_TICKET_CLASS.derive((tickets[0] as Ticket).data))).toBe(
      true,
    )
  })
})
