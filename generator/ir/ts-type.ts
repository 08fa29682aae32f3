/**
 * Turns a (validated) TypeBox schema into the TypeScript type the generated code spells out:
 * readable interfaces and aliases rather than `Static<>` indirections. Schemas that are exported
 * under a name elsewhere print as a reference to that name (`resolve`).
 */
import { EXTRA_TYPE_KEYWORD } from '../../schemas/types.ts'
import { isRecord } from '../../schemas/walk.ts'
import type { TsProperty, TsType } from './model.ts'

/** Finds the named type a schema object stands for, if any. */
export type Resolve = (schema: Record<string, unknown>) => TsType | undefined

const UNKNOWN: TsType = { kind: 'keyword', name: 'unknown' }
/** The pattern TypeBox uses for `Type.Record(Type.Number(), …)` keys. */
const NUMBER_KEY = /^\^-\?\(\?:0\|\[1-9\]\[0-9\]\*\)/

/**
 * The TypeScript type of `schema`. With `root` set the schema itself is not resolved to a name (it
 * is the body of that name); nested schemas always are.
 */
export function toTsType(schema: unknown, resolve: Resolve, root = false): TsType {
  if (!isRecord(schema)) return UNKNOWN
  if (!root) {
    const named = resolve(schema)
    if (named) return named
  }
  const nested = (sub: unknown): TsType => toTsType(sub, resolve)
  const extra = schema[EXTRA_TYPE_KEYWORD]
  if (extra === 'bytes') return { kind: 'bytes' }
  if (extra === 'u64' || extra === 'i64') return { kind: 'keyword', name: 'bigint' }
  if ('const' in schema) return literal(schema.const)
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal))
  const anyOf = schema.anyOf ?? schema.oneOf
  if (Array.isArray(anyOf)) return union(anyOf.map(nested))
  if (Array.isArray(schema.allOf)) return { kind: 'intersection', members: schema.allOf.map(nested) }
  if (Array.isArray(schema.type)) {
    return union(schema.type.map((type: unknown) => toTsType({ ...schema, type }, resolve, true)))
  }
  switch (schema.type) {
    case 'string':
      return { kind: 'keyword', name: 'string' }
    case 'number':
    case 'integer':
      return { kind: 'keyword', name: 'number' }
    case 'boolean':
    case 'null':
    case 'bigint':
      return { kind: 'keyword', name: schema.type }
    case 'array':
      return arrayType(schema, nested)
    case 'object':
      return objectType(schema, nested)
    default:
      return UNKNOWN
  }
}

function literal(value: unknown): TsType {
  if (value === null) return { kind: 'keyword', name: 'null' }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { kind: 'literal', value }
  }
  return UNKNOWN
}

function union(members: TsType[]): TsType {
  const flat = members.flatMap((m) => (m.kind === 'union' ? m.members : [m]))
  return flat.length === 1 ? (flat[0] as TsType) : { kind: 'union', members: flat }
}

function arrayType(schema: Record<string, unknown>, nested: (s: unknown) => TsType): TsType {
  const tuple = Array.isArray(schema.prefixItems)
    ? schema.prefixItems
    : Array.isArray(schema.items)
      ? schema.items
      : undefined
  if (tuple) return { kind: 'tuple', items: tuple.map(nested) }
  return { kind: 'array', items: schema.items === undefined ? UNKNOWN : nested(schema.items) }
}

function objectType(schema: Record<string, unknown>, nested: (s: unknown) => TsType): TsType {
  const properties = isRecord(schema.properties) ? schema.properties : {}
  const names = Object.keys(properties)
  if (names.length === 0) {
    const patterns = isRecord(schema.patternProperties) ? Object.entries(schema.patternProperties) : []
    const [first] = patterns
    if (patterns.length === 1 && first) {
      return { kind: 'record', key: NUMBER_KEY.test(first[0]) ? 'number' : 'string', value: nested(first[1]) }
    }
    if (isRecord(schema.additionalProperties)) {
      return { kind: 'record', key: 'string', value: nested(schema.additionalProperties) }
    }
  }
  const required = new Set(Array.isArray(schema.required) ? schema.required : [])
  return {
    kind: 'object',
    properties: names.map((name): TsProperty => {
      const property = properties[name]
      const description = isRecord(property) ? property.description : undefined
      return {
        name,
        type: nested(property),
        optional: !required.has(name),
        readonly: isRecord(property) && Object.hasOwn(property, '~readonly'),
        ...(typeof description === 'string' ? { description } : {}),
      }
    }),
  }
}

/**
 * Whether a type reads better under its own name than inline: anything with an object, record or
 * intersection in it, or a union of more than a handful of members.
 */
export function deservesName(type: TsType): boolean {
  switch (type.kind) {
    case 'object':
    case 'record':
    case 'intersection':
      return true
    case 'array':
      return deservesName(type.items)
    case 'tuple':
      return type.items.some(deservesName)
    case 'union':
      return type.members.some(deservesName) || type.members.length > 6
    default:
      return false
  }
}
