/**
 * JWT tickets (HS256/384/512, ES256/384/512, EdDSA) signed by an issuer the network trusts.
 * By default a ticket's `sub` must be the presenting peer's id, so a ticket cannot be replayed by
 * another node; `exp` is required unless the validator allows non-expiring tickets.
 */
import type { webcrypto } from 'node:crypto'
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { encodeCanonical } from '../primitives/codec.ts'
import { type Digest, id } from '../primitives/digest.ts'
import { InvalidInputError } from '../primitives/errors.ts'
import {
  InvalidTicketError,
  type Ticket,
  type TicketSubject,
  type TicketValidator,
  type TicketValidity,
} from './ticket.ts'

export const JWT_TICKET_CLASS: Digest = id('mosaik.tickets.jwt.v1')

export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

const HMAC_HASH = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' } as const
const EC = {
  ES256: { namedCurve: 'P-256', curve: p256 },
  ES384: { namedCurve: 'P-384', curve: p384 },
  ES512: { namedCurve: 'P-521', curve: p521 },
} as const

/** A key that verifies tickets, with a fingerprint that feeds the validator signature. */
export interface JwtVerifyingKey {
  readonly alg: JwtAlgorithm
  readonly key: webcrypto.CryptoKey
  /** `derive(id(alg), raw key bytes)`: stable across processes. */
  readonly fingerprint: Digest
}

/** A key that signs tickets. For HMAC algorithms it is the shared secret itself. */
export interface JwtSigningKey {
  readonly alg: JwtAlgorithm
  readonly key: webcrypto.CryptoKey
}

function isHmac(alg: JwtAlgorithm): alg is keyof typeof HMAC_HASH {
  return alg in HMAC_HASH
}

function isEc(alg: JwtAlgorithm): alg is keyof typeof EC {
  return alg in EC
}

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer
}

/**
 * Imports a verifying key from raw bytes: the shared secret (HS*), a SEC1 public key, compressed
 * or not (ES*), or the 32-byte public key (EdDSA).
 */
export async function jwtVerifyingKey(alg: JwtAlgorithm, raw: Uint8Array): Promise<JwtVerifyingKey> {
  const fingerprint = id(alg).derive(raw)
  if (isHmac(alg)) {
    const key = await crypto.subtle.importKey(
      'raw',
      toBuffer(raw),
      { name: 'HMAC', hash: HMAC_HASH[alg] },
      false,
      ['verify'],
    )
    return { alg, key, fingerprint }
  }
  if (isEc(alg)) {
    const { namedCurve, curve } = EC[alg]
    let uncompressed: Uint8Array
    try {
      uncompressed = curve.Point.fromBytes(raw).toBytes(false)
    } catch (cause) {
      throw new InvalidInputError(`not a valid ${namedCurve} public key`, { cause })
    }
    const key = await crypto.subtle.importKey(
      'raw',
      toBuffer(uncompressed),
      { name: 'ECDSA', namedCurve },
      false,
      ['verify'],
    )
    return { alg, key, fingerprint }
  }
  if (raw.length !== 32) throw new InvalidInputError(`an EdDSA public key is 32 bytes, got ${raw.length}`)
  const key = await crypto.subtle.importKey('raw', toBuffer(raw), { name: 'Ed25519' }, false, ['verify'])
  return { alg, key, fingerprint }
}

/** Imports a signing key: the shared secret (HS*) or a private key in PKCS#8 DER (ES*, EdDSA). */
export async function jwtSigningKey(alg: JwtAlgorithm, material: Uint8Array): Promise<JwtSigningKey> {
  if (isHmac(alg)) {
    const key = await crypto.subtle.importKey(
      'raw',
      toBuffer(material),
      { name: 'HMAC', hash: HMAC_HASH[alg] },
      false,
      ['sign'],
    )
    return { alg, key }
  }
  const algorithm = isEc(alg) ? { name: 'ECDSA', namedCurve: EC[alg].namedCurve } : { name: 'Ed25519' }
  const key = await crypto.subtle.importKey('pkcs8', toBuffer(material), algorithm, false, ['sign'])
  return { alg, key }
}

/** Generates an asymmetric key pair; returns the signing key and the raw public key bytes. */
export async function generateJwtKeyPair(
  alg: Exclude<JwtAlgorithm, 'HS256' | 'HS384' | 'HS512'>,
): Promise<{ signing: JwtSigningKey; publicKey: Uint8Array }> {
  const algorithm = isEc(alg) ? { name: 'ECDSA', namedCurve: EC[alg].namedCurve } : { name: 'Ed25519' }
  const pair = (await crypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return { signing: { alg, key: pair.privateKey }, publicKey }
}

export interface JwtTicketOptions {
  issuer?: string
  /** Defaults to the peer id the ticket is issued for. */
  subject?: string
  audience?: string | string[]
  /** Expiry in ms since the epoch; omit for a non-expiring ticket. */
  expiresAt?: number
  notBefore?: number
  /** Issued-at in ms since the epoch; defaults to now. */
  issuedAt?: number
  tokenId?: string
  /** Extra claims; registered names above take precedence. */
  claims?: Record<string, unknown>
}

/** Issues a JWT ticket for `peerId`. */
export async function issueJwtTicket(
  signing: JwtSigningKey,
  peerId: string,
  options: JwtTicketOptions = {},
): Promise<Ticket> {
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: signing.alg, typ: 'JWT' })
    .setSubject(options.subject ?? peerId)
    .setIssuedAt(Math.floor((options.issuedAt ?? Date.now()) / 1000))
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer)
  if (options.audience !== undefined) jwt.setAudience(options.audience)
  if (options.expiresAt !== undefined) jwt.setExpirationTime(Math.floor(options.expiresAt / 1000))
  if (options.notBefore !== undefined) jwt.setNotBefore(Math.floor(options.notBefore / 1000))
  if (options.tokenId !== undefined) jwt.setJti(options.tokenId)
  const token = await jwt.sign(signing.key)
  return { class: JWT_TICKET_CLASS, data: new TextEncoder().encode(token) }
}

export interface JwtValidatorOptions {
  /** Accepted keys; several allow rotation. At least one. */
  keys: readonly JwtVerifyingKey[]
  /** Accept tickets from any of these issuers (default: any issuer). */
  issuers?: readonly string[]
  /** Accept tickets for any of these audiences (default: no audience check). */
  audiences?: readonly string[]
  /** Required `sub`; default: the presenting peer's id. */
  subject?: string
  /** Claims that must be present with exactly these (JSON) values. */
  claims?: Readonly<Record<string, unknown>>
  /** Accept tickets without `exp` (default false). */
  allowNonExpiring?: boolean
  /** Reject tickets whose `exp - now` exceeds this (ms). */
  maxLifetimeMs?: number
  /** Require `iat` and reject tickets older than this (ms). */
  maxAgeMs?: number
}

/** Validates JWT tickets against configured keys and claim rules. */
export class JwtValidator implements TicketValidator {
  readonly class = JWT_TICKET_CLASS
  readonly signature: Digest
  readonly #options: JwtValidatorOptions

  constructor(options: JwtValidatorOptions) {
    if (options.keys.length === 0) throw new InvalidInputError('a JwtValidator needs at least one key')
    this.#options = options
    this.signature = JWT_TICKET_CLASS.derive(
      encodeCanonical({
        keys: options.keys.map((k) => k.fingerprint.hex).sort(),
        issuers: [...(options.issuers ?? [])].sort(),
        audiences: [...(options.audiences ?? [])].sort(),
        subject: options.subject ?? '',
        claims: bytesToHex(encodeCanonical(options.claims ?? {})),
        allowNonExpiring: options.allowNonExpiring ?? false,
        maxLifetimeMs: options.maxLifetimeMs ?? 0,
        maxAgeMs: options.maxAgeMs ?? 0,
      }),
    )
  }

  async validate(
    data: Uint8Array,
    subject: TicketSubject,
    now: number = Date.now(),
  ): Promise<TicketValidity> {
    const token = new TextDecoder().decode(data)
    const payload = await this.#verify(token, subject, now)
    const o = this.#options
    if (payload.exp === undefined && !o.allowNonExpiring) throw new InvalidTicketError('ticket has no expiry')
    const expiresAt = payload.exp === undefined ? null : payload.exp * 1000
    if (o.maxLifetimeMs !== undefined && (expiresAt === null || expiresAt - now > o.maxLifetimeMs)) {
      throw new InvalidTicketError(`ticket lifetime exceeds ${o.maxLifetimeMs} ms`)
    }
    if (o.maxAgeMs !== undefined && (payload.iat === undefined || now - payload.iat * 1000 > o.maxAgeMs)) {
      throw new InvalidTicketError(`ticket is older than ${o.maxAgeMs} ms or has no issued-at`)
    }
    for (const [name, expected] of Object.entries(o.claims ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const actual = payload[name]
      if (
        actual === undefined ||
        bytesToHex(encodeCanonical(actual)) !== bytesToHex(encodeCanonical(expected))
      ) {
        throw new InvalidTicketError(`claim '${name}' does not have the required value`)
      }
    }
    return { expiresAt }
  }

  /** Tries each configured key whose algorithm matches; the first that verifies wins. */
  async #verify(token: string, subject: TicketSubject, now: number): Promise<JWTPayload> {
    const o = this.#options
    let lastError: unknown
    for (const key of o.keys) {
      try {
        const { payload } = await jwtVerify(token, key.key, {
          algorithms: [key.alg],
          currentDate: new Date(now),
          subject: o.subject ?? subject.peerId,
          ...(o.issuers ? { issuer: [...o.issuers] } : {}),
          ...(o.audiences ? { audience: [...o.audiences] } : {}),
        })
        return payload
      } catch (err) {
        lastError = err
        // A claim failure is final whichever key verified the signature.
        if (err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTExpired) break
      }
    }
    const reason = lastError instanceof Error ? lastError.message : 'no key accepted the ticket'
    throw new InvalidTicketError(`invalid JWT ticket: ${reason}`, { cause: lastError })
  }
}
