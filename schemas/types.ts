/**
 * Extra types that JSON Schema lacks: byte strings and 64-bit integers. Each is a TypeBox schema
 * whose JSON form carries an `x-mosaik` marker, so it survives being embedded as JSON in generated
 * code; `restoreExtraChecks()` turns the marker back into the check (TypeBox `Refine`) when a
 * validator is compiled from that JSON.
 */
import Type, { type TBigInt, type TRefine, type TUnsafe } from 'typebox'
import { isRecord, mapSubschemas } from './walk.ts'

/** The keyword that marks a mosaik extra type in a JSON schema. */
export const EXTRA_TYPE_KEYWORD = 'x-mosaik'

/** The extra types, by marker value. */
export type ExtraTypeName = 'bytes' | 'u64' | 'i64'

const U64_MAX = (1n << 64n) - 1n
const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n

export interface BytesOptions {
  /** Fewest bytes allowed. */
  minBytes?: number
  /** Most bytes allowed. */
  maxBytes?: number
  description?: string
}

export interface IntegerTypeOptions {
  description?: string
}

/** A byte string (`Uint8Array`), optionally bounded in length. */
export function Bytes(options: BytesOptions = {}): TRefine<TUnsafe<Uint8Array>> {
  const schema: Record<string, unknown> = { [EXTRA_TYPE_KEYWORD]: 'bytes', ...options }
  return withExtraCheck(Type.Unsafe<Uint8Array>(schema), 'bytes', schema)
}

/** An unsigned 64-bit integer, as a `bigint` in [0, 2^64). */
export function U64(options: IntegerTypeOptions = {}): TRefine<TBigInt> {
  const schema = Type.BigInt({ [EXTRA_TYPE_KEYWORD]: 'u64', ...options })
  return withExtraCheck(schema, 'u64', schema as unknown as Record<string, unknown>)
}

/** A signed 64-bit integer, as a `bigint` in [-2^63, 2^63). */
export function I64(options: IntegerTypeOptions = {}): TRefine<TBigInt> {
  const schema = Type.BigInt({ [EXTRA_TYPE_KEYWORD]: 'i64', ...options })
  return withExtraCheck(schema, 'i64', schema as unknown as Record<string, unknown>)
}

interface ExtraCheck {
  check(value: unknown): boolean
  error(value: unknown): string
}

function extraCheck(name: ExtraTypeName, schema: Readonly<Record<string, unknown>>): ExtraCheck {
  switch (name) {
    case 'bytes': {
      const { minBytes, maxBytes } = schema
      const min = typeof minBytes === 'number' ? minBytes : 0
      const max = typeof maxBytes === 'number' ? maxBytes : Number.POSITIVE_INFINITY
      return {
        check: (v) => v instanceof Uint8Array && v.length >= min && v.length <= max,
        error: (v) =>
          v instanceof Uint8Array
            ? `expected between ${min} and ${max} bytes, got ${v.length}`
            : 'expected a Uint8Array',
      }
    }
    case 'u64':
      return {
        check: (v) => typeof v === 'bigint' && v >= 0n && v <= U64_MAX,
        error: () => 'expected a bigint in [0, 2^64)',
      }
    case 'i64':
      return {
        check: (v) => typeof v === 'bigint' && v >= I64_MIN && v <= I64_MAX,
        error: () => 'expected a bigint in [-2^63, 2^63)',
      }
  }
}

function withExtraCheck<T extends TUnsafe<Uint8Array> | TBigInt>(
  type: T,
  name: ExtraTypeName,
  schema: Readonly<Record<string, unknown>>,
): TRefine<T> {
  const { check, error } = extraCheck(name, schema)
  return Type.Refine(type, check as (value: unknown) => boolean, error) as TRefine<T>
}

/** True when `name` is a known extra type marker. */
export function isExtraTypeName(name: unknown): name is ExtraTypeName {
  return name === 'bytes' || name === 'u64' || name === 'i64'
}

/**
 * Returns a copy of a JSON schema in which every `x-mosaik` node carries its check again, ready for
 * TypeBox `Compile`. JSON without markers comes back structurally unchanged.
 */
export function restoreExtraChecks(schema: unknown, path = ''): unknown {
  if (!isRecord(schema)) return schema
  const copy = mapSubschemas(schema, path, restoreExtraChecks)
  const marker = schema[EXTRA_TYPE_KEYWORD]
  if (!isExtraTypeName(marker)) return copy
  const { check, error } = extraCheck(marker, schema)
  return Type.Refine(Type.Unsafe(copy), check, error)
}
