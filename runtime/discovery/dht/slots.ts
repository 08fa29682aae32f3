/**
 * Mainline DHT bootstrap slots: 16 BEP 44 mutable records whose ed25519 keys derive from the network
 * id, so every node that knows the network name can find, read and write them. Each record names one
 * peer and its addresses. The record's signature only proves the writer knows the network id; the
 * peer itself is authenticated when it is dialed (the libp2p handshake and its signed entry).
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { isPeerId, type PeerId } from '../../network/identity.ts'
import { decode, encode } from '../../primitives/codec.ts'
import type { Digest } from '../../primitives/digest.ts'

/** How many slots a network has. */
export const SLOT_COUNT = 16
/** BEP 44 caps a value below 1000 bytes. */
const MAX_VALUE_BYTES = 999
const MAX_RECORD_ADDRESSES = 8

export interface SlotKey {
  readonly index: number
  /** The BEP 44 `k`. */
  readonly publicKey: Uint8Array
  /** BEP 44 signer for this slot. */
  sign(data: Uint8Array): Uint8Array
}

/** What a slot says. */
export interface SlotRecord {
  readonly peerId: PeerId
  readonly addresses: readonly string[]
  /** When it was written, ms since the epoch (writer's clock). */
  readonly at: number
}

/** The 16 slot keys of a network: seed_i = derive(networkId, 'mosaik/discovery/dht-slot', i). */
export function slotKeys(networkId: Digest): SlotKey[] {
  return Array.from({ length: SLOT_COUNT }, (_, index) => {
    const seed = networkId.derive('mosaik/discovery/dht-slot', index).bytes
    return {
      index,
      publicKey: ed25519.getPublicKey(seed),
      sign: (data: Uint8Array) => ed25519.sign(data, seed),
    }
  })
}

/** BEP 44 signature check, for the DHT nodes that store and return slot records. */
export function verifyBep44(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey)
  } catch {
    return false
  }
}

/** The record bytes, with as many addresses as fit in a BEP 44 value. */
export function encodeSlotRecord(record: SlotRecord): Uint8Array {
  for (let count = Math.min(record.addresses.length, MAX_RECORD_ADDRESSES); count >= 0; count--) {
    const bytes = encode({ p: record.peerId, a: record.addresses.slice(0, count), t: record.at })
    if (bytes.length <= MAX_VALUE_BYTES) return bytes
  }
  throw new RangeError('a slot record without addresses does not fit in a BEP 44 value')
}

/** Parses an untrusted slot value; undefined if it is not a well-formed record. */
export function decodeSlotRecord(bytes: Uint8Array): SlotRecord | undefined {
  if (bytes.length > MAX_VALUE_BYTES) return undefined
  let value: unknown
  try {
    value = decode(bytes)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { p, a, t } = value as Record<string, unknown>
  if (!isPeerId(p) || typeof t !== 'number' || !Number.isSafeInteger(t) || !Array.isArray(a)) return undefined
  if (a.length > MAX_RECORD_ADDRESSES || !a.every((x) => typeof x === 'string' && x.length <= 256))
    return undefined
  return { peerId: p, addresses: a as string[], at: t }
}
