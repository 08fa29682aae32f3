/**
 * Canonical schemas and signatures (SPEC §4). A schema is normalized — object keys sorted,
 * `description`, `title`, `examples`, `$comment` and `default` dropped, `required` sorted — then
 * serialized as RFC 8785 canonical JSON and hashed with blake3. So property order and doc strings do
 * not change a signature, while a type, optionality or constraint change does.
 *
 * Normalization also rejects what cannot cross the wire or be compared across nodes: functions,
 * TypeBox `Refine`/`Codec` callbacks, references and recursive types, `undefined`/`symbol`/`void`,
 * non-finite numbers. The error names the JSON path and says what to use instead.
 */
import canonicalize from 'canonicalize'
import { Digest } from '../runtime/primitives/digest.ts'
import { InvalidInputError } from '../runtime/primitives/errors.ts'
import { EXTRA_TYPE_KEYWORD, isExtraTypeName } from './types.ts'
import { isRecord, keywordRole, mapSubschemas } from './walk.ts'

/** A JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue }

/**
 * A normalized schema: sorted keys, no doc keywords, sorted `required`. Mosaik's extra types appear
 * as `{ "x-mosaik": "bytes" }` and `{ "type": "bigint", "x-mosaik": "u64" | "i64" }`.
 */
export type CanonicalSchema = { readonly [keyword: string]: JsonValue }

/** Doc-only keywords, dropped before hashing. */
const DOC_KEYWORDS = new Set(['description', 'title', 'examples', '$comment', 'default'])

/** JSON Schema `type` values that have no wire representation. */
const UNSUPPORTED_TYPES: Readonly<Record<string, string>> = {
  function: 'functions cannot cross the wire; declare the data the function would compute',
  constructor: 'constructors cannot cross the wire; declare the data instead',
  undefined: 'use Type.Optional(...) for a field that may be absent, or Type.Null()',
  void: 'use Type.Null() or leave the field out',
  symbol: 'symbols cannot cross the wire; use a string literal union',
  promise: 'promises cannot cross the wire; declare the resolved value',
  iterator: 'iterators cannot cross the wire; use Type.Array(...)',
  asyncIterator: 'async iterators cannot cross the wire; use a stream declaration',
}

/** A schema uses something mosaik cannot embed, hash or validate across nodes. */
export class UnsupportedSchemaError extends InvalidInputError {
  /** JSON pointer to the offending node, relative to the schema passed in. */
  readonly path: string
  /** What to do instead. */
  readonly hint: string

  constructor(path: string, reason: string, hint: string) {
    super(`unsupported schema at '${path || '/'}': ${reason}`, { details: { path, reason, hint } })
    this.path = path
    this.hint = hint
  }
}

/** Throws UnsupportedSchemaError unless `schema` (one node, not its children) is supported. */
function assertSupportedNode(schema: unknown, path: string): asserts schema is Record<string, unknown> {
  if (typeof schema === 'boolean') {
    throw new UnsupportedSchemaError(
      path,
      'boolean schemas are not supported',
      'use Type.Unknown() or Type.Never()',
    )
  }
  if (!isRecord(schema)) {
    throw new UnsupportedSchemaError(
      path,
      `expected a TypeBox schema, got ${describe(schema)}`,
      'build values with Type.* from typebox (or mosaik/schema extra types)',
    )
  }
  const own = Object.getOwnPropertyNames(schema)
  if (own.includes('~codec')) {
    throw new UnsupportedSchemaError(
      path,
      'Type.Codec transforms are functions',
      'declare the encoded form instead',
    )
  }
  if (own.includes('~refine') && !isExtraTypeName(schema[EXTRA_TYPE_KEYWORD])) {
    throw new UnsupportedSchemaError(
      path,
      'Type.Refine checks are functions and cannot be embedded or compared across nodes',
      'express the constraint with JSON Schema keywords (minimum, maxLength, pattern, …)',
    )
  }
  if ('$ref' in schema || '$defs' in schema || 'definitions' in schema) {
    throw new UnsupportedSchemaError(
      path,
      'references and recursive types (Type.Ref, Type.Cyclic) are not supported',
      'inline the referenced schema; model recursion as a flat list with ids',
    )
  }
  if ('not' in schema) {
    throw new UnsupportedSchemaError(
      path,
      "'not' schemas (Type.Never, Type.Not) are not supported",
      'remove the field',
    )
  }
  const { type } = schema
  if (typeof type === 'string' && type in UNSUPPORTED_TYPES) {
    throw new UnsupportedSchemaError(
      path,
      `type '${type}' is not supported`,
      UNSUPPORTED_TYPES[type] as string,
    )
  }
  if (EXTRA_TYPE_KEYWORD in schema && !isExtraTypeName(schema[EXTRA_TYPE_KEYWORD])) {
    throw new UnsupportedSchemaError(
      path,
      `unknown ${EXTRA_TYPE_KEYWORD} type ${JSON.stringify(schema[EXTRA_TYPE_KEYWORD])}`,
      'use Bytes(), U64() or I64() from mosaik/schema',
    )
  }
}

/** Copies JSON data (const/enum values, constraints), rejecting what JSON cannot hold. */
function canonicalData(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new UnsupportedSchemaError(path, `non-finite number ${value}`, 'use a finite bound')
    }
    return value
  }
  if (Array.isArray(value)) return value.map((item, i) => canonicalData(item, `${path}/${i}`))
  if (isRecord(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return sortKeys(
      Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonicalData(v, `${path}/${k}`)])),
    )
  }
  throw new UnsupportedSchemaError(
    path,
    `${describe(value)} is not JSON data`,
    typeof value === 'bigint' ? 'use U64()/I64() for the type, or a number literal' : 'use JSON values only',
  )
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(record).sort(compareCodeUnits)) out[key] = record[key]
  return out
}

/** RFC 8785 orders keys by UTF-16 code units, which is JavaScript's default string order. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'function') return 'a function'
  if (typeof value !== 'object') return `a ${typeof value}`
  if (Array.isArray(value)) return 'an array'
  return `an instance of ${value.constructor?.name ?? 'object'}`
}

/**
 * The normalized form of a TypeBox (or plain JSON) schema. Throws UnsupportedSchemaError with a
 * JSON path for anything that cannot be embedded or compared across nodes.
 */
export function canonicalSchema(schema: unknown, path = ''): CanonicalSchema {
  assertSupportedNode(schema, path)
  const normalized = mapSubschemas(
    schema,
    path,
    // `additionalProperties: false` and friends: boolean schemas are fine below the root.
    (sub, at) => (typeof sub === 'boolean' ? sub : canonicalSchema(sub, at)),
    (keyword, value, at) => {
      if (DOC_KEYWORDS.has(keyword)) return undefined
      const data = canonicalData(value, `${at}/${keyword}`)
      return keyword === 'required' && Array.isArray(data)
        ? [...(data as string[])].sort(compareCodeUnits)
        : data
    },
  )
  for (const [keyword, value] of Object.entries(normalized)) {
    if (keywordRole(keyword, value) === 'schemaMap' && isRecord(value)) normalized[keyword] = sortKeys(value)
  }
  return sortKeys(normalized) as CanonicalSchema
}

/** RFC 8785 canonical JSON text of a normalized schema (or any canonical JSON value). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value)
  if (text === undefined) throw new InvalidInputError('value has no canonical JSON form')
  return text
}

/** `blake3(canonical JSON)` of an already canonical value. */
export function signatureOfCanonical(value: unknown): Digest {
  return Digest.hash(new TextEncoder().encode(canonicalJson(value)))
}

/** `signature(schema)` of SPEC §4: blake3 of the canonical JSON of the normalized schema. */
export function signature(schema: unknown): Digest {
  return signatureOfCanonical(canonicalSchema(schema))
}
