/**
 * Canonical key encoding for replicated collections.
 *
 * Collection keys (Map keys, Set elements, PriorityQueue keys) are stored under an *encoded key*: a
 * primitive that is equal for equal keys on every replica, so no structure ever hashes or compares a
 * plain object by identity (stack-feasibility §4).
 * - a finite number stays a number (`-0` becomes `0`);
 * - a string stays itself, unless it starts with U+0000, in which case it gets one more U+0000;
 * - anything else (bigint, boolean, null, bytes, arrays, objects) becomes U+0000 U+0001 followed by
 *   its canonical msgpack bytes, one char per byte (latin1), so equal values encode equally whatever
 *   their key order.
 * The three forms cannot collide, so the encoding is injective and `decodeKey` inverts it.
 *
 * `compareKeys` is the canonical order of encoded keys used for iteration and snapshots on every
 * replica: numbers first (ascending), then strings by UTF-16 code units (the JS `<` order).
 */
import { decode, encodeCanonical } from '../../primitives/codec.ts'
import { EncodeError } from '../../primitives/errors.ts'

/** The stored, comparable form of a key. */
export type EncodedKey = number | string

const ESCAPE = '\u0000'
const STRUCTURED = '\u0000\u0001'
const ESCAPED_STRING = '\u0000\u0000'

/** Encodes a key; throws EncodeError when it has no canonical form (NaN, undefined, functions…). */
export function encodeKey(key: unknown): EncodedKey {
  if (typeof key === 'string') return key.startsWith(ESCAPE) ? ESCAPE + key : key
  if (typeof key === 'number') {
    if (!Number.isFinite(key)) throw new EncodeError(`a key must be a finite number, got ${key}`)
    return key === 0 ? 0 : key
  }
  return STRUCTURED + Buffer.from(encodeCanonical(key)).toString('latin1')
}

/** The key an encoded key stands for (structured keys come back as canonical plain data). */
export function decodeKey(encoded: EncodedKey): unknown {
  if (typeof encoded === 'number' || !encoded.startsWith(ESCAPE)) return encoded
  if (encoded.startsWith(ESCAPED_STRING)) return encoded.slice(1)
  return decode(Buffer.from(encoded.slice(STRUCTURED.length), 'latin1'))
}

/** The canonical total order of encoded keys. */
export function compareKeys(a: EncodedKey, b: EncodedKey): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a - b
    return -1
  }
  if (typeof b === 'number') return 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** `encodeKey`, or undefined for a value that cannot be a key (so it is in no collection). */
export function tryEncodeKey(key: unknown): EncodedKey | undefined {
  try {
    return encodeKey(key)
  } catch {
    return undefined
  }
}
