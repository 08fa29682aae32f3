/**
 * Structural comparison of two canonical schemas. It walks both in step and reports each change as
 * a rule with the JSON path where it happens and the old → new values, e.g.
 * `FIELD_TYPE_CHANGED /properties/price integer → string`.
 */
import type { CanonicalSchema, JsonValue } from '../../schemas/canonical.ts'
import { canonicalJson } from '../../schemas/canonical.ts'
import { EXTRA_TYPE_KEYWORD } from '../../schemas/types.ts'
import { isRecord, pointerToken } from '../../schemas/walk.ts'
import type { RuleId } from './rules.ts'

/** One structural change between two schemas. */
export interface SchemaChange {
  readonly rule: RuleId
  /** JSON pointer into the schema. */
  readonly path: string
  readonly old?: string
  readonly new?: string
  /** A short description without the path: "type changed integer → string". */
  readonly message: string
}

type Schema = { readonly [key: string]: JsonValue }

function asSchema(value: JsonValue | undefined): Schema {
  return isRecord(value) ? (value as Schema) : {}
}

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null)
}

/** The broad shape of a schema: changes of shape are type changes, not constraint changes. */
export function shapeOf(schema: Schema): string {
  const extra = schema[EXTRA_TYPE_KEYWORD]
  if (typeof extra === 'string') return extra
  if (literalsOf(schema)) return 'literal'
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) return 'union'
  if (Array.isArray(schema.allOf)) return 'intersection'
  if (Array.isArray(schema.type)) return (schema.type as JsonValue[]).map(String).join('|')
  if (schema.type === 'array')
    return Array.isArray(schema.items) || Array.isArray(schema.prefixItems) ? 'tuple' : 'array'
  if (schema.type === 'object' && !isRecord(schema.properties) && isRecord(schema.patternProperties))
    return 'record'
  return typeof schema.type === 'string' ? schema.type : 'unknown'
}

/** The literal values of a `const`, `enum` or union of `const`s, or undefined. */
function literalsOf(schema: Schema): JsonValue[] | undefined {
  if ('const' in schema) return [schema.const as JsonValue]
  if (Array.isArray(schema.enum)) return schema.enum as JsonValue[]
  const members = schema.anyOf ?? schema.oneOf
  if (Array.isArray(members) && members.length > 0 && members.every((m) => isRecord(m) && 'const' in m)) {
    return members.map((m) => (m as Schema).const as JsonValue)
  }
  return undefined
}

/** A short human description of a schema: `integer`, `'buy' | 'sell'`, `string[]`, `object`. */
export function summarize(value: JsonValue | undefined): string {
  const schema = asSchema(value)
  const literals = literalsOf(schema)
  if (literals) return literals.map(literalText).join(' | ')
  const members = schema.anyOf ?? schema.oneOf ?? schema.allOf
  if (Array.isArray(members)) return members.map(summarize).join(Array.isArray(schema.allOf) ? ' & ' : ' | ')
  const shape = shapeOf(schema)
  if (shape === 'array') return `${summarize(schema.items)}[]`
  if (shape === 'tuple')
    return `[${((schema.prefixItems ?? schema.items) as JsonValue[]).map(summarize).join(', ')}]`
  if (shape === 'record')
    return `Record<…, ${summarize(Object.values(asSchema(schema.patternProperties))[0])}>`
  return shape === 'unknown' ? 'unknown' : shape
}

const at = (path: string, ...tokens: (string | number)[]): string =>
  tokens.reduce<string>((p, t) => `${p}/${pointerToken(t)}`, path)

/** Compares `before` and `after`; appends every change (paths prefixed with `path`) to `out`. */
export function diffSchemas(
  before: CanonicalSchema,
  after: CanonicalSchema,
  path: string,
  out: SchemaChange[],
): void {
  const a = before as Schema
  const b = after as Schema
  if (same(a, b)) return
  const literalsA = literalsOf(a)
  const literalsB = literalsOf(b)
  if (literalsA && literalsB) {
    diffLiterals(literalsA, literalsB, path, out)
    return
  }
  const shape = shapeOf(a)
  if (shape !== shapeOf(b)) {
    out.push({
      rule: 'FIELD_TYPE_CHANGED',
      path,
      old: summarize(a),
      new: summarize(b),
      message: `type changed ${summarize(a)} → ${summarize(b)}`,
    })
    return
  }
  const handled = new Set(['type', EXTRA_TYPE_KEYWORD])
  switch (shape) {
    case 'object':
      diffObjects(a, b, path, out)
      for (const k of ['properties', 'required']) handled.add(k)
      break
    case 'record':
      diffRecords(a, b, path, out)
      handled.add('patternProperties')
      break
    case 'array':
      diffItems(asSchema(a.items), asSchema(b.items), at(path, 'items'), out)
      handled.add('items')
      break
    case 'tuple':
      diffTuples(a, b, path, out)
      for (const k of ['items', 'prefixItems', 'minItems', 'maxItems', 'additionalItems']) handled.add(k)
      break
    case 'union':
    case 'intersection':
      diffMembers(a, b, path, out)
      for (const k of ['anyOf', 'oneOf', 'allOf']) handled.add(k)
      break
  }
  diffConstraints(a, b, path, handled, out)
}

/**
 * Reports members of `a` missing from `b` as `removed` and members of `b` missing from `a` as
 * `added` (members compared by canonical JSON), each described by `describe`.
 */
function diffMemberSets(
  a: readonly JsonValue[],
  b: readonly JsonValue[],
  path: string,
  rules: { removed: RuleId; added: RuleId; noun: string },
  describe: (member: JsonValue) => string,
  out: SchemaChange[],
): void {
  const keys = (list: readonly JsonValue[]): Set<string> => new Set(list.map((m) => canonicalJson(m)))
  const [inA, inB] = [keys(a), keys(b)]
  for (const m of a) {
    if (inB.has(canonicalJson(m))) continue
    out.push({ rule: rules.removed, path, old: describe(m), message: `${rules.noun} ${describe(m)} removed` })
  }
  for (const m of b) {
    if (inA.has(canonicalJson(m))) continue
    out.push({ rule: rules.added, path, new: describe(m), message: `${rules.noun} ${describe(m)} added` })
  }
}

function literalText(literal: JsonValue): string {
  return typeof literal === 'string' ? `'${literal}'` : JSON.stringify(literal)
}

function diffLiterals(a: JsonValue[], b: JsonValue[], path: string, out: SchemaChange[]): void {
  const rules = { removed: 'ENUM_MEMBER_REMOVED', added: 'ENUM_MEMBER_ADDED', noun: 'member' } as const
  diffMemberSets(a, b, path, rules, literalText, out)
}

function diffObjects(a: Schema, b: Schema, path: string, out: SchemaChange[]): void {
  const propsA = asSchema(a.properties)
  const propsB = asSchema(b.properties)
  const requiredA = new Set(Array.isArray(a.required) ? a.required : [])
  const requiredB = new Set(Array.isArray(b.required) ? b.required : [])
  const names = [...new Set([...Object.keys(propsA), ...Object.keys(propsB)])].sort()
  for (const name of names) {
    const p = at(path, 'properties', name)
    const inA = name in propsA
    const inB = name in propsB
    if (inA && !inB) {
      const required = requiredA.has(name)
      out.push({
        rule: required ? 'FIELD_REMOVED' : 'OPTIONAL_FIELD_REMOVED',
        path: p,
        old: summarize(propsA[name]),
        message: `${required ? 'required' : 'optional'} field '${name}' removed`,
      })
    } else if (!inA && inB) {
      const required = requiredB.has(name)
      out.push({
        rule: required ? 'FIELD_ADDED_REQUIRED' : 'FIELD_ADDED_OPTIONAL',
        path: p,
        new: summarize(propsB[name]),
        message: `${required ? 'required' : 'optional'} field '${name}' added`,
      })
    } else {
      if (requiredA.has(name) !== requiredB.has(name)) {
        const nowRequired = requiredB.has(name)
        out.push({
          rule: nowRequired ? 'FIELD_MADE_REQUIRED' : 'FIELD_MADE_OPTIONAL',
          path: p,
          old: nowRequired ? 'optional' : 'required',
          new: nowRequired ? 'required' : 'optional',
          message: `field '${name}' became ${nowRequired ? 'required' : 'optional'}`,
        })
      }
      diffSchemas(asSchema(propsA[name]), asSchema(propsB[name]), p, out)
    }
  }
}

function diffRecords(a: Schema, b: Schema, path: string, out: SchemaChange[]): void {
  const [keyA, valueA] = Object.entries(asSchema(a.patternProperties))[0] ?? ['', {}]
  const [keyB, valueB] = Object.entries(asSchema(b.patternProperties))[0] ?? ['', {}]
  if (keyA !== keyB) {
    out.push({
      rule: 'MAP_KEY_TYPE_CHANGED',
      path: at(path, 'patternProperties'),
      old: keyA,
      new: keyB,
      message: `record key pattern changed ${keyA} → ${keyB}`,
    })
    return
  }
  diffSchemas(asSchema(valueA), asSchema(valueB), at(path, 'patternProperties', keyA), out)
}

function diffItems(a: Schema, b: Schema, path: string, out: SchemaChange[]): void {
  if (shapeOf(a) !== shapeOf(b) && !(literalsOf(a) && literalsOf(b))) {
    out.push({
      rule: 'ARRAY_ITEM_TYPE_CHANGED',
      path,
      old: summarize(a),
      new: summarize(b),
      message: `array items changed ${summarize(a)} → ${summarize(b)}`,
    })
    return
  }
  diffSchemas(a, b, path, out)
}

function diffTuples(a: Schema, b: Schema, path: string, out: SchemaChange[]): void {
  const itemsA = (a.prefixItems ?? a.items) as JsonValue[]
  const itemsB = (b.prefixItems ?? b.items) as JsonValue[]
  if (itemsA.length !== itemsB.length) {
    out.push({
      rule: 'FIELD_TYPE_CHANGED',
      path,
      old: summarize(a),
      new: summarize(b),
      message: `tuple changed ${summarize(a)} → ${summarize(b)}`,
    })
    return
  }
  const key = Array.isArray(b.prefixItems) ? 'prefixItems' : 'items'
  itemsA.forEach((item, i) => {
    diffSchemas(asSchema(item), asSchema(itemsB[i]), at(path, key, i), out)
  })
}

function diffMembers(a: Schema, b: Schema, path: string, out: SchemaChange[]): void {
  const membersA = (a.anyOf ?? a.oneOf ?? a.allOf ?? []) as JsonValue[]
  const membersB = (b.anyOf ?? b.oneOf ?? b.allOf ?? []) as JsonValue[]
  const rules = { removed: 'UNION_MEMBER_REMOVED', added: 'UNION_MEMBER_ADDED', noun: 'alternative' } as const
  diffMemberSets(membersA, membersB, path, rules, summarize, out)
}

function diffConstraints(
  a: Schema,
  b: Schema,
  path: string,
  handled: ReadonlySet<string>,
  out: SchemaChange[],
): void {
  const keywords = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !handled.has(k)).sort()
  for (const keyword of keywords) {
    if (same(a[keyword], b[keyword])) continue
    const show = (v: JsonValue | undefined): string => (v === undefined ? 'none' : canonicalJson(v))
    out.push({
      rule: 'CONSTRAINT_CHANGED',
      path: at(path, keyword),
      old: show(a[keyword]),
      new: show(b[keyword]),
      message: `${keyword} changed ${show(a[keyword])} → ${show(b[keyword])}`,
    })
  }
}
