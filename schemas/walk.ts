/**
 * Keyword-aware traversal of JSON schemas. A schema object mixes keywords whose values are
 * sub-schemas (`items`, `anyOf`…), maps of sub-schemas (`properties`…) and plain data (`const`,
 * `enum`, `required`…); a property named `description` is a sub-schema, not a doc keyword, so every
 * transformation goes through this one place that knows which is which.
 */

/** Keywords whose value is one sub-schema (or a boolean schema). */
const SINGLE = new Set([
  'additionalItems',
  'additionalProperties',
  'contains',
  'else',
  'if',
  'not',
  'propertyNames',
  'then',
  'unevaluatedItems',
  'unevaluatedProperties',
])

/** Keywords whose value is an array of sub-schemas. */
const LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems'])

/** Keywords whose value maps names to sub-schemas. */
const MAP = new Set(['$defs', 'definitions', 'dependentSchemas', 'patternProperties', 'properties'])

/** What a keyword's value is. `items` is a sub-schema or (tuple form) a list of them. */
export type KeywordRole = 'schema' | 'schemas' | 'schemaMap' | 'data'

/** The role of `keyword` given its `value`. */
export function keywordRole(keyword: string, value: unknown): KeywordRole {
  if (keyword === 'items') return Array.isArray(value) ? 'schemas' : 'schema'
  if (SINGLE.has(keyword)) return 'schema'
  if (LIST.has(keyword)) return 'schemas'
  if (MAP.has(keyword)) return 'schemaMap'
  return 'data'
}

/** JSON-pointer escaping of one reference token. */
export function pointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Transforms one sub-schema found at `path` (a JSON pointer into the root schema). */
export type SubschemaFn = (schema: unknown, path: string) => unknown

/** Transforms a data keyword's value; returning undefined drops the keyword. */
export type DataFn = (keyword: string, value: unknown, path: string) => unknown

/**
 * A shallow copy of `schema` (own enumerable keys, in the given order) with every sub-schema
 * replaced by `sub(subschema, path)` and every data keyword by `data(keyword, value, path)`.
 */
export function mapSubschemas(
  schema: Readonly<Record<string, unknown>>,
  path: string,
  sub: SubschemaFn,
  data: DataFn = (_keyword, value) => value,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [keyword, value] of Object.entries(schema)) {
    const at = `${path}/${pointerToken(keyword)}`
    let mapped: unknown
    switch (keywordRole(keyword, value)) {
      case 'schema':
        mapped = sub(value, at)
        break
      case 'schemas':
        mapped = Array.isArray(value) ? value.map((item, i) => sub(item, `${at}/${i}`)) : sub(value, at)
        break
      case 'schemaMap':
        mapped = isRecord(value)
          ? Object.fromEntries(
              Object.entries(value).map(([name, item]) => [name, sub(item, `${at}/${pointerToken(name)}`)]),
            )
          : data(keyword, value, path)
        break
      case 'data':
        mapped = data(keyword, value, path)
        break
    }
    if (mapped !== undefined) out[keyword] = mapped
  }
  return out
}

/** A non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
