/**
 * 32-byte blake3 digests: the type of every identifier (NetworkId, StreamId, GroupId, StoreId…).
 *
 * Rules (SPEC §4):
 * - `id(s)`: a string of exactly 64 hex characters is the digest itself; any other string is hashed
 *   (blake3 of its UTF-8 bytes). Bytes are always hashed.
 * - `derive(parent, ...parts)`: blake3(parent ‖ len(p1) ‖ p1 ‖ len(p2) ‖ p2 …) with each length a
 *   4-byte big-endian unsigned integer, so `derive(x, "ab", "c")` and `derive(x, "a", "bc")` differ.
 */
import { blake3 } from '@noble/hashes/blake3.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { InvalidInputError } from './errors.ts'

export const DIGEST_LENGTH = 32
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/

/** Anything that can be fed to `derive()` as a part. */
export type DigestPart = string | Uint8Array | Digest | bigint | number

export class Digest {
  readonly bytes: Uint8Array
  #hex: string | undefined

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }

  /** Wraps exactly 32 bytes (copied). */
  static fromBytes(bytes: Uint8Array): Digest {
    if (bytes.length !== DIGEST_LENGTH) {
      throw new InvalidInputError(`a digest is ${DIGEST_LENGTH} bytes, got ${bytes.length}`)
    }
    return new Digest(Uint8Array.from(bytes))
  }

  /** Parses 64 hex characters. */
  static fromHex(hex: string): Digest {
    if (!HEX_DIGEST.test(hex)) throw new InvalidInputError(`not a 64-character hex digest: '${hex}'`)
    return new Digest(hexToBytes(hex.toLowerCase()))
  }

  /** blake3 of raw bytes. */
  static hash(bytes: Uint8Array): Digest {
    return new Digest(blake3(bytes))
  }

  /** Lowercase hex, 64 characters. */
  get hex(): string {
    this.#hex ??= bytesToHex(this.bytes)
    return this.#hex
  }

  /** First 10 hex characters, for logs and metric labels. */
  get short(): string {
    return this.hex.slice(0, 10)
  }

  equals(other: Digest): boolean {
    return this.hex === other.hex
  }

  /** `derive(this, ...parts)`. */
  derive(...parts: DigestPart[]): Digest {
    return derive(this, ...parts)
  }

  toString(): string {
    return this.hex
  }

  toJSON(): string {
    return this.hex
  }
}

/** The identifier rule of SPEC §4: 64 hex chars are taken as the digest, anything else is hashed. */
export function id(input: string | Uint8Array): Digest {
  if (typeof input === 'string') {
    return HEX_DIGEST.test(input) ? Digest.fromHex(input) : Digest.hash(utf8ToBytes(input))
  }
  return Digest.hash(input)
}

/** Bytes of one derive part: strings as UTF-8, digests as their 32 bytes, integers as u64 big-endian. */
function partBytes(part: DigestPart): Uint8Array {
  if (part instanceof Digest) return part.bytes
  if (part instanceof Uint8Array) return part
  if (typeof part === 'string') return utf8ToBytes(part)
  if (typeof part === 'number' && !Number.isSafeInteger(part)) {
    throw new InvalidInputError(`derive() takes safe integers only, got ${part}`)
  }
  const n = BigInt(part)
  if (n < 0n || n >= 1n << 64n) throw new InvalidInputError(`derive() integer out of u64 range: ${n}`)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, n, false)
  return out
}

/** blake3(parent ‖ for each part: u32be(length) ‖ part). */
export function derive(parent: Digest, ...parts: DigestPart[]): Digest {
  const hasher = blake3.create()
  hasher.update(parent.bytes)
  const len = new Uint8Array(4)
  const view = new DataView(len.buffer)
  for (const part of parts) {
    const bytes = partBytes(part)
    view.setUint32(0, bytes.length, false)
    hasher.update(len)
    hasher.update(bytes)
  }
  return Digest.fromBytes(hasher.digest())
}
