/**
 * Signed envelopes for discovery messages. The signer encodes the body canonically and signs those
 * exact bytes with its ed25519 key; the envelope carries the bytes, so a receiver verifies before it
 * even looks at the fields, and never has to re-encode anything to check a signature.
 *
 * Wire: `{ body: bin, sig: bin(64) }`; the body is a canonical msgpack map with a `kind` (domain
 * separation: an entry can never pass as a departure) and the signer's `peer`.
 */

import { isPeerId, type PeerId, type Signer, verifySignature } from '../network/identity.ts'
import { decode, encodeCanonical } from '../primitives/codec.ts'
import { RejectedError } from '../primitives/errors.ts'

/** Why a peer's message was refused; also the `reason` label of the rejection metric. */
export type RejectReason =
  | 'malformed'
  | 'oversized'
  | 'signature'
  | 'network'
  | 'future'
  | 'stale'
  | 'capacity'
  | 'rate-limit'
  | 'peer-mismatch'

/** The signed message as it travels. */
export interface Envelope {
  readonly body: Uint8Array
  readonly sig: Uint8Array
}

/** A verified envelope: its decoded body, the signer and the original bytes. */
export interface Opened {
  readonly peer: PeerId
  readonly fields: Record<string, unknown>
  readonly envelope: Envelope
}

export function reject(reason: RejectReason, message: string, cause?: unknown): RejectedError {
  return new RejectedError(reason, message, cause === undefined ? {} : { cause })
}

/** Signs `fields` (which must include `peer`) under `kind`. */
export function seal(kind: string, fields: Record<string, unknown>, signer: Signer): Envelope {
  const body = encodeCanonical({ ...fields, kind })
  return { body, sig: signer.sign(body) }
}

/**
 * Checks an untrusted value is an envelope of `kind` within `maxBytes`, signed by the `peer` it
 * names. Throws `RejectedError` (reason malformed, oversized or signature) otherwise.
 */
export function open(kind: string, value: unknown, maxBytes: number): Opened {
  return verified(unseal(kind, value, maxBytes))
}

/**
 * The shape checks of `open` without the signature check, for callers that can drop a message as
 * uninteresting (e.g. not newer than what they hold) before paying for `verified`.
 */
export function unseal(kind: string, value: unknown, maxBytes: number): Opened {
  if (typeof value !== 'object' || value === null) throw reject('malformed', 'envelope is not a map')
  const { body, sig } = value as Record<string, unknown>
  if (!(body instanceof Uint8Array) || !(sig instanceof Uint8Array)) {
    throw reject('malformed', 'envelope needs binary body and sig')
  }
  if (body.length > maxBytes) {
    throw reject('oversized', `signed body of ${body.length} bytes exceeds ${maxBytes}`)
  }
  let fields: unknown
  try {
    fields = decode(body)
  } catch (cause) {
    throw reject('malformed', 'signed body is not msgpack', cause)
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw reject('malformed', 'signed body is not a map')
  }
  const record = fields as Record<string, unknown>
  if (record.kind !== kind) {
    throw reject('malformed', `expected a ${kind}, got ${String(record.kind).slice(0, 40)}`)
  }
  if (!isPeerId(record.peer)) throw reject('malformed', 'signed body names no valid peer id')
  return { peer: record.peer, fields: record, envelope: { body, sig } }
}

/** Throws `RejectedError('signature')` unless the envelope is signed by the peer it names. */
export function verified(opened: Opened): Opened {
  const { peer, envelope } = opened
  if (!verifySignature(peer, envelope.body, envelope.sig))
    throw reject('signature', `bad signature for ${peer}`)
  return opened
}
