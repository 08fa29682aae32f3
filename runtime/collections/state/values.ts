/**
 * Stored values: what a collection keeps is a canonical, deep-frozen copy of the plain data it was
 * given, so (1) a reader cannot mutate replicated state through a returned object, (2) encoding the
 * state for a snapshot needs no further canonicalisation, and (3) equality is structural and agrees
 * with comparing canonical bytes (compare-and-swap, `indexOf`).
 *
 * Byte arrays are copied but cannot be frozen by JavaScript; callers must not mutate bytes they read.
 */
import { canonicalize } from '../../primitives/codec.ts'
import { EncodeError } from '../../primitives/errors.ts'

const INT64_MIN = -(2n ** 63n)
const UINT64_LIMIT = 2n ** 64n

/**
 * Returns the stored form of `value`: object keys sorted, `-0` as `0`, bytes copied, containers
 * frozen. Throws EncodeError for data without a stable encoding (undefined, NaN, class instances,
 * bigints outside the msgpack int64/uint64 range).
 */
export function toStored(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value
  if (typeof value === 'number' && Number.isFinite(value)) return value === 0 ? 0 : value
  return seal(canonicalize(value), '')
}

function seal(value: unknown, path: string): unknown {
  if (typeof value === 'number') return value === 0 ? 0 : value
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value >= UINT64_LIMIT) {
      throw new EncodeError(`bigint at '${path || '/'}' is outside the 64-bit range`)
    }
    return value
  }
  if (value instanceof Uint8Array) return Uint8Array.from(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = seal(value[i], `${path}/${i}`)
    return Object.freeze(value)
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) record[key] = seal(record[key], `${path}/${key}`)
    return Object.freeze(record)
  }
  return value
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
