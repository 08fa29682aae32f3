/**
 * The wire codec: msgpack without records (records are unsafe across peers), plus a canonical form
 * for anything hashed or signed.
 *
 * Canonical encoding sorts object keys (and `Map` keys) recursively by their UTF-8 bytes, so two
 * processes that build the same value with different key orders produce identical bytes. It rejects
 * values whose bytes would not be stable: `undefined` inside objects/arrays, functions, symbols,
 * non-finite numbers, and class instances other than Uint8Array, Map and plain arrays/objects.
 */
import { C1, Packr } from 'msgpackr'
import { DecodeError, EncodeError } from './errors.ts'

const wire = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'bigint' })

/** Encodes a value for the wire (key order as given). */
export function encode(value: unknown): Uint8Array {
  try {
    return wire.pack(value)
  } catch (cause) {
    throw new EncodeError(`cannot encode value: ${(cause as Error).message}`, { cause })
  }
}

/**
 * Decodes untrusted bytes. Any failure — truncation, garbage, trailing bytes — is a `DecodeError`;
 * no other exception escapes.
 */
export function decode(bytes: Uint8Array): unknown {
  let value: unknown
  try {
    value = wire.unpack(bytes)
  } catch (cause) {
    throw new DecodeError(`malformed msgpack (${bytes.length} bytes): ${(cause as Error).message}`, { cause })
  }
  if (containsNeverUsed(value))
    throw new DecodeError('malformed msgpack: the never-used byte 0xc1 stands for a value')
  return value
}

/**
 * msgpackr decodes the reserved byte 0xc1 to a sentinel object instead of failing; find it. The
 * sentinel is an object, so primitives are skipped without a call: large decoded arrays (snapshot
 * batches) are mostly numbers and strings.
 */
function containsNeverUsed(value: unknown): boolean {
  if (value === C1) return true
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === 'object' && item !== null && containsNeverUsed(item)) return true
    }
    return false
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key]
    if (typeof item === 'object' && item !== null && containsNeverUsed(item)) return true
  }
  return false
}

/**
 * Orders strings by their UTF-8 bytes without encoding them: UTF-8 byte order is code point order,
 * which differs from JavaScript's UTF-16 order only where surrogate pairs meet U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const xSurrogate = x >= 0xd800 && x <= 0xdfff
    const ySurrogate = y >= 0xd800 && y <= 0xdfff
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1
    return x - y
  }
  return a.length - b.length
}

/** Returns a copy of `value` whose object keys are sorted; throws EncodeError on unstable values. */
export function canonicalize(value: unknown, path = ''): unknown {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  ) {
    return value
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EncodeError(`non-finite number at '${path || '/'}'`)
    return value
  }
  if (value instanceof Uint8Array) return value
  if (Array.isArray(value)) {
    // A plain loop, not map(): map() would keep the holes of a sparse array.
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (item === undefined) throw new EncodeError(`undefined or missing item at '${path}/${i}'`)
      out[i] = canonicalize(item, `${path}/${i}`)
    }
    return out
  }
  if (value instanceof Map) {
    const keys = [...value.keys()]
    if (!keys.every((k) => typeof k === 'string')) {
      throw new EncodeError(`canonical maps need string keys at '${path || '/'}'`)
    }
    const out: Record<string, unknown> = {}
    for (const key of (keys as string[]).sort(compareUtf8)) {
      defineEntry(out, key, canonicalize(value.get(key), `${path}/${key}`))
    }
    return out
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const record = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(record).sort(compareUtf8)) {
      const item = record[key]
      if (item === undefined) throw new EncodeError(`undefined value at '${path}/${key}'`)
      defineEntry(out, key, canonicalize(item, `${path}/${key}`))
    }
    return out
  }
  throw new EncodeError(`value of type ${describe(value)} at '${path || '/'}' has no canonical encoding`)
}

/** Sets an own property even for keys such as `__proto__`, which plain assignment would turn into a prototype change. */
function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describe(value: unknown): string {
  if (typeof value !== 'object') return typeof value
  return value === null ? 'null' : (value.constructor?.name ?? 'object')
}

/** Canonical msgpack bytes: identical for equal values whatever their key insertion order. */
export function encodeCanonical(value: unknown): Uint8Array {
  return encode(canonicalize(value))
}
