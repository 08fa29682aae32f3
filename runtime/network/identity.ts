/**
 * Node identity: one ed25519 key serves libp2p (the PeerId), discovery entry signatures and the
 * Mainline DHT. Signing and verification use node:crypto with cached key objects, because
 * importing a key per call costs more than the signature itself.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { Ed25519PeerId, Ed25519PrivateKey, PeerId as Libp2pPeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { id } from '../primitives/digest.ts'
import { InvalidInputError } from '../primitives/errors.ts'

/** A peer's identity: the libp2p ed25519 peer id in its canonical text form (`12D3KooW…`). */
export type PeerId = string

/** A secret as given by users: 64 hex chars (the key seed itself), any other string (a seed phrase, hashed), or 32 bytes. */
export type SecretKeyInput = string | Uint8Array

/** The 32-byte ed25519 seed for a secret: hex is taken as is, other strings are hashed (SPEC §4). */
export function secretSeed(secret: SecretKeyInput): Uint8Array {
  if (typeof secret === 'string') return id(secret).bytes
  if (secret.length !== 32) throw new InvalidInputError(`a secret key is 32 bytes, got ${secret.length}`)
  return Uint8Array.from(secret)
}

/** The node key: stable for a given secret, random without one. */
export function nodePrivateKey(secret?: SecretKeyInput): Promise<Ed25519PrivateKey> {
  return secret === undefined
    ? generateKeyPair('Ed25519')
    : generateKeyPairFromSeed('Ed25519', secretSeed(secret))
}

/** Parses a peer id text; throws InvalidInputError unless it is a well-formed ed25519 peer id. */
export function parsePeerId(text: string): Ed25519PeerId {
  let parsed: Libp2pPeerId
  try {
    parsed = peerIdFromString(text)
  } catch (cause) {
    throw new InvalidInputError(`not a peer id: '${text.slice(0, 80)}'`, { cause })
  }
  if (parsed.type !== 'Ed25519') throw new InvalidInputError(`peer id ${text} is not an ed25519 id`)
  return parsed
}

const KNOWN_IDS_LIMIT = 4096
/** Ids already parsed successfully: gossip repeats the same few hundred ids all day. */
const knownIds = new Set<string>()

/** True when `text` is a well-formed ed25519 peer id. */
export function isPeerId(text: unknown): text is PeerId {
  if (typeof text !== 'string' || text.length > 128) return false
  if (knownIds.has(text)) return true
  try {
    parsePeerId(text)
  } catch {
    return false
  }
  if (knownIds.size >= KNOWN_IDS_LIMIT) knownIds.delete(knownIds.values().next().value as string)
  knownIds.add(text)
  return true
}

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

/** Signs with the node key (ed25519, deterministic). */
export class Signer {
  readonly #key: KeyObject
  /** The raw 32-byte public key. */
  readonly publicKey: Uint8Array

  constructor(privateKey: Ed25519PrivateKey) {
    const seed = privateKey.raw.subarray(0, 32)
    this.publicKey = privateKey.publicKey.raw
    this.#key = createPrivateKey({
      format: 'jwk',
      key: { kty: 'OKP', crv: 'Ed25519', d: base64url(seed), x: base64url(this.publicKey) },
    })
  }

  sign(data: Uint8Array): Uint8Array {
    return sign(null, data, this.#key)
  }
}

const VERIFY_CACHE_LIMIT = 4096
const verifyKeys = new Map<PeerId, KeyObject>()

/** The raw public key embedded in an ed25519 peer id. */
export function peerPublicKey(peer: PeerId): Uint8Array {
  return parsePeerId(peer).publicKey.raw
}

function verifyKey(peer: PeerId): KeyObject {
  let key = verifyKeys.get(peer)
  if (key) return key
  key = createPublicKey({
    format: 'jwk',
    key: { kty: 'OKP', crv: 'Ed25519', x: base64url(peerPublicKey(peer)) },
  })
  if (verifyKeys.size >= VERIFY_CACHE_LIMIT) verifyKeys.delete(verifyKeys.keys().next().value as PeerId)
  verifyKeys.set(peer, key)
  return key
}

/** True when `signature` is `peer`'s ed25519 signature of `data`. Never throws on bad input. */
export function verifySignature(peer: PeerId, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false
  try {
    return verify(null, data, verifyKey(peer), signature)
  } catch {
    return false
  }
}
