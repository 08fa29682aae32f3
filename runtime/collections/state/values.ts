/**
 * Stored values: what a collection keeps is a canonical, deep-frozen copy of the plain data it was
 * given, so (1) a reader cannot mutate replicated state through a returned object, (2) encoding the
 * state for a snapshot needs no further canonicalisation, and (3) equality is structural and agrees
 * with comparing canonical bytes (compare-and-swap, `indexOf`).
 *
 * Byte arrays are copied but cannot be frozen by JavaScript; callers must not mutate bytes they read.
 *
 * This is on the apply and restore paths of every value, so it is one allocation-light walk: object
 * keys are sorted by code point (the UTF-8 byte order of `encodeCanonical`) without encoding them.
 * Anything it does not accept is handed to `canonicalize`, which converts what it can (a `Map` with
 * string keys) and otherwise throws the EncodeError that names the offending path.
 */
import { canonicalize } from '../../primitives/codec.ts'
import { EncodeError } from '../../primitives/errors.ts'

const INT64_MIN = -(2n ** 63n)
const UINT64_LIMIT = 2n ** 64n

/** Thrown inside the walk to fall back to `canonicalize` for the whole value. */
const UNSUPPORTED = Symbol('unsupported')

/**
 * Returns the stored form of `value`: object keys sorted, `-0` as `0`, bytes copied, containers
 * frozen. Throws EncodeError for data without a stable encoding (undefined, NaN, class instances,
 * bigints outside the msgpack int64/uint64 range).
 */
export function toStored(value: unknown): unknown {
  try {
    return store(value)
  } catch (error) {
    if (error !== UNSUPPORTED) throw error
  }
  const converted = canonicalize(value)
  try {
    return store(converted)
  } catch (error) {
    if (error !== UNSUPPORTED) throw error
    throw new EncodeError('value has no canonical encoding (a sparse array?)')
  }
}

function store(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw UNSUPPORTED
      return value === 0 ? 0 : value
    case 'bigint':
      if (value < INT64_MIN || value >= UINT64_LIMIT) {
        throw new EncodeError(`bigint ${value} is outside the 64-bit range`)
      }
      return value
    case 'object':
      if (value === null) return null
      if (value instanceof Uint8Array) return Uint8Array.from(value)
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length)
        for (let i = 0; i < value.length; i++) out[i] = store(value[i])
        return Object.freeze(out)
      }
      return storeRecord(value)
    default:
      throw UNSUPPORTED
  }
}

function storeRecord(value: object): Readonly<Record<string, unknown>> {
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  if (keys.length > 1) keys.sort(compareCodePoints)
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    const item = record[key]
    if (item === undefined) throw UNSUPPORTED
    if (key === '__proto__') {
      // An own property, not the prototype.
      Object.defineProperty(out, key, {
        value: store(item),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else {
      out[key] = store(item)
    }
  }
  return Object.freeze(out)
}

/** Orders strings by code point, which is the order of their UTF-8 bytes. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointRank(x) - codePointRank(y)
  }
  return a.length - b.length
}

/** UTF-16 units ranked by the code points they start: surrogates (≥ U+10000) after U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800
}

/** Structural equality of two stored values (equivalent to equal canonical bytes). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesEqual(a, b)
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, i) => valuesEqual(item, b[i]))
  }
  if (Array.isArray(b) || b instanceof Uint8Array) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  return ka.every((key, i) => key === kb[i] && valuesEqual(ra[key], rb[key]))
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
