/**
 * Proof of the group secret. Each side of a bond proves it holds the group's bond key with an
 * HMAC-SHA256 over data specific to this one connection: the StoreId, both peer ids (which the
 * transport authenticated: libp2p's Noise/TLS handshake binds them to the connection's keys), both
 * sides' fresh random nonces, and the prover's role. A proof is therefore useless on any other
 * connection, to any other pair of peers, in the other role or for another group, and the key never
 * crosses the wire.
 *
 * The bond key comes from the group secret (`derive(id(secret), …, StoreId)`); a group without a
 * secret derives it from its GroupId, which anyone who knows the group's name and network can
 * compute — such groups are open by design, as in mosaik.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { type Digest, derive, id } from '../../primitives/digest.ts'

/** Length of a handshake nonce and of a proof, in bytes. */
export const NONCE_BYTES = 32
export const PROOF_BYTES = 32

/** Which side of the handshake a proof is for. */
export type BondRole = 'initiator' | 'acceptor'

/** The connection-specific facts both proofs cover. */
export interface BondTranscript {
  readonly storeId: Digest
  readonly initiator: string
  readonly acceptor: string
  readonly initiatorNonce: Uint8Array
  readonly acceptorNonce: Uint8Array
}

/** The HMAC key of a group's bonds. */
export function bondKey(storeId: Digest, groupId: Digest, secret?: string | Uint8Array): Uint8Array {
  const root = secret === undefined ? groupId : id(secret)
  return derive(root, 'mosaik/groups/bond-key/1', storeId).bytes
}

/** A fresh random nonce. */
export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES))
}

/** The proof `role` sends for `transcript`. */
export function bondProof(key: Uint8Array, role: BondRole, transcript: BondTranscript): Uint8Array {
  const message = derive(
    transcript.storeId,
    'mosaik/groups/bond-proof/1',
    role,
    transcript.initiator,
    transcript.acceptor,
    transcript.initiatorNonce,
    transcript.acceptorNonce,
  )
  return new Uint8Array(createHmac('sha256', key).update(message.bytes).digest())
}

/** Constant-time check of a received proof. */
export function proofMatches(expected: Uint8Array, received: unknown): boolean {
  return (
    received instanceof Uint8Array &&
    received.length === expected.length &&
    timingSafeEqual(expected, received)
  )
}
