/**
 * The bond handshake on a fresh link of the groups protocol:
 *
 *     initiator → acceptor   ['h', 1, storeId, nonceI]
 *     acceptor  → initiator  ['c', nonceA, proofA]        or ['x', reason]
 *     initiator → acceptor   ['v', proofI, status]        or ['x', reason]
 *     acceptor  → initiator  ['ok', status]               or ['x', reason]
 *
 * Each proof is checked before anything else happens; a peer that cannot prove the group secret
 * gets `['x', 'invalid-proof']` and the link is closed. The acceptor reads the hello first (the
 * groups subsystem routes the link by its StoreId), authorizes the peer, then proves itself.
 */

import type { Link } from '../../network/link.ts'
import { Digest } from '../../primitives/digest.ts'
import { DecodeError, isMosaikError, RejectedError } from '../../primitives/errors.ts'
import { type BondStatus, decodeBondMessage, encodeBondMessage } from '../wire/bond.ts'
import { type BondTranscript, bondProof, NONCE_BYTES, newNonce, proofMatches } from './proof.ts'

export const HANDSHAKE_VERSION = 1

/** Why a bond was refused (sent in `['x', reason]`, counted in metrics). */
export type BondRefusal =
  | 'unknown-group'
  | 'not-allowed'
  | 'invalid-proof'
  | 'unknown-peer'
  | 'closing'
  | 'version'
  | 'malformed'
  | 'timeout'

const REFUSALS = new Set<string>([
  'unknown-group',
  'not-allowed',
  'invalid-proof',
  'unknown-peer',
  'closing',
  'version',
  'malformed',
  'timeout',
])

/** What one side brings to a handshake. */
export interface HandshakeSide {
  readonly storeId: Digest
  readonly key: Uint8Array
  readonly localPeer: string
  status(): BondStatus
}

/** The first message an acceptor reads: which store the initiator wants, and its nonce. */
export interface Hello {
  readonly storeId: Digest
  readonly nonce: Uint8Array
}

/** A refusal, by us or by the peer. */
export function bondRefused(reason: BondRefusal, by: 'local' | 'remote', peer: string): RejectedError {
  const who = by === 'local' ? 'refused' : 'was refused by'
  return new RejectedError(reason, `bond with ${peer} ${who} (${reason})`, { details: { peer, by } })
}

async function next(link: Link, deadline: number): Promise<unknown[]> {
  const timeout = Math.max(1, deadline - Date.now())
  let message: unknown
  try {
    message = await link.receive({ timeout })
  } catch (err) {
    if (isMosaikError(err, 'ERR_TIMEOUT')) throw bondRefused('timeout', 'local', link.peer)
    throw err
  }
  if (!Array.isArray(message) || typeof message[0] !== 'string')
    throw bondRefused('malformed', 'local', link.peer)
  if (message[0] === 'x') {
    const reason = REFUSALS.has(message[1] as string) ? (message[1] as BondRefusal) : 'malformed'
    throw bondRefused(reason, 'remote', link.peer)
  }
  return message
}

function statusOf(value: unknown, peer: string): BondStatus {
  try {
    const decoded = decodeBondMessage(value)
    if (decoded.t !== 's') throw new DecodeError('not a status')
    return decoded.status
  } catch {
    throw bondRefused('malformed', 'local', peer)
  }
}

function statusMessage(status: BondStatus): unknown[] {
  return encodeBondMessage({ t: 's', status })
}

/** Sends a refusal and closes the link (best effort). */
export async function refuseBond(link: Link, reason: BondRefusal): Promise<void> {
  try {
    await link.send(['x', reason])
    await link.close()
  } catch {
    link.abort()
  }
}

/** Runs the initiator's side; resolves with the peer's status or throws a RejectedError. */
export async function initiateBond(link: Link, side: HandshakeSide, timeoutMs: number): Promise<BondStatus> {
  const deadline = Date.now() + timeoutMs
  const initiatorNonce = newNonce()
  await link.send(['h', HANDSHAKE_VERSION, side.storeId.bytes, initiatorNonce])
  const challenge = await next(link, deadline)
  const [tag, acceptorNonce, acceptorProof] = challenge
  if (tag !== 'c' || !(acceptorNonce instanceof Uint8Array) || acceptorNonce.length !== NONCE_BYTES) {
    throw bondRefused('malformed', 'local', link.peer)
  }
  const transcript: BondTranscript = {
    storeId: side.storeId,
    initiator: side.localPeer,
    acceptor: link.peer,
    initiatorNonce,
    acceptorNonce,
  }
  if (!proofMatches(bondProof(side.key, 'acceptor', transcript), acceptorProof)) {
    await refuseBond(link, 'invalid-proof')
    throw bondRefused('invalid-proof', 'local', link.peer)
  }
  await link.send([
    'v',
    bondProof(side.key, 'initiator', transcript),
    ...statusMessage(side.status()).slice(1),
  ])
  const done = await next(link, deadline)
  if (done[0] !== 'ok') throw bondRefused('malformed', 'local', link.peer)
  return statusOf(['s', ...done.slice(1)], link.peer)
}

/** Reads the initiator's hello (the acceptor's first step); throws a RejectedError when malformed. */
export async function readHello(link: Link, timeoutMs: number): Promise<Hello> {
  const hello = await next(link, Date.now() + timeoutMs)
  const [tag, version, storeId, nonce] = hello
  if (tag !== 'h') throw bondRefused('malformed', 'local', link.peer)
  if (version !== HANDSHAKE_VERSION) throw bondRefused('version', 'local', link.peer)
  if (
    !(storeId instanceof Uint8Array) ||
    storeId.length !== 32 ||
    !(nonce instanceof Uint8Array) ||
    nonce.length !== NONCE_BYTES
  ) {
    throw bondRefused('malformed', 'local', link.peer)
  }
  return { storeId: Digest.fromBytes(storeId), nonce }
}

/** Runs the acceptor's side after `readHello`; resolves with the peer's status. */
export async function acceptBond(
  link: Link,
  side: HandshakeSide,
  hello: Hello,
  timeoutMs: number,
): Promise<BondStatus> {
  const deadline = Date.now() + timeoutMs
  const acceptorNonce = newNonce()
  const transcript: BondTranscript = {
    storeId: side.storeId,
    initiator: link.peer,
    acceptor: side.localPeer,
    initiatorNonce: hello.nonce,
    acceptorNonce,
  }
  await link.send(['c', acceptorNonce, bondProof(side.key, 'acceptor', transcript)])
  const verify = await next(link, deadline)
  if (verify[0] !== 'v') throw bondRefused('malformed', 'local', link.peer)
  if (!proofMatches(bondProof(side.key, 'initiator', transcript), verify[1])) {
    await refuseBond(link, 'invalid-proof')
    throw bondRefused('invalid-proof', 'local', link.peer)
  }
  const status = statusOf(['s', ...verify.slice(2)], link.peer)
  await link.send(['ok', ...statusMessage(side.status()).slice(1)])
  return status
}
