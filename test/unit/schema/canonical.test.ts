import fc from 'fast-check'
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  canonicalSchema,
  signature,
  UnsupportedSchemaError,
} from '../../../schemas/canonical.ts'

const order = (): ReturnType<typeof Type.Object> =>
  Type.Object({ id: Type.String(), price: Type.Integer({ minimum: 0 }), note: Type.Optional(Type.String()) })

function unsupported(schema: unknown): UnsupportedSchemaError {
  try {
    canonicalSchema(schema)
  } catch (err) {
    if (err instanceof UnsupportedSchemaError) return err
    throw err
  }
  throw new Error('expected UnsupportedSchemaError')
}

describe('canonical schemas and signatures', () => {
  it('ignore property order, doc keywords and required order', () => {
    const a = Type.Object({ id: Type.String(), price: Type.Integer() })
    const b = Type.Object(
      { price: Type.Integer({ description: 'in cents', examples: [1] }), id: Type.String({ title: 'Id' }) },
      { description: 'An order', $comment: 'internal', default: { id: 'x', price: 1 } },
    )
    expect(signature(a).hex).toBe(signature(b).hex)
    expect(canonicalJson(canonicalSchema(b))).toBe(
      '{"properties":{"id":{"type":"string"},"price":{"type":"integer"}},"required":["id","price"],"type":"object"}',
    )
  })

  it('change with a type, optionality or constraint', () => {
    const base = signature(order()).hex
    const variants = [
      Type.Object({
        id: Type.String(),
        price: Type.Number({ minimum: 0 }),
        note: Type.Optional(Type.String()),
      }),
      Type.Object({ id: Type.String(), price: Type.Integer({ minimum: 0 }), note: Type.String() }),
      Type.Object({
        id: Type.String(),
        price: Type.Integer({ minimum: 1 }),
        note: Type.Optional(Type.String()),
      }),
      Type.Object({ id: Type.String(), price: Type.Integer({ minimum: 0 }) }),
    ]
    const signatures = variants.map((v) => signature(v).hex)
    expect(new Set([base, ...signatures]).size).toBe(variants.length + 1)
  })

  it('keep a property named like a doc keyword', () => {
    const schema = Type.Object({ description: Type.String(), title: Type.Optional(Type.Integer()) })
    expect(Object.keys(canonicalSchema(schema).properties as object)).toEqual(['description', 'title'])
  })

  it('keep boolean sub-schemas such as additionalProperties: false', () => {
    const closed = Type.Object({ a: Type.String() }, { additionalProperties: false })
    expect(canonicalSchema(closed).additionalProperties).toBe(false)
    expect(signature(closed).hex).not.toBe(signature(Type.Object({ a: Type.String() })).hex)
  })

  it('do not depend on the order properties were declared in (property)', () => {
    const names = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 8 })
    const kinds = [Type.String(), Type.Integer(), Type.Boolean(), Type.Null(), Type.Array(Type.String())]
    fc.assert(
      fc.property(
        names,
        fc.array(fc.nat(kinds.length - 1), { minLength: 8, maxLength: 8 }),
        (keys, picks) => {
          const entries = keys.map((k, i) => [k, kinds[picks[i] ?? 0] ?? Type.Null()] as const)
          const forward = Type.Object(Object.fromEntries(entries))
          const backward = Type.Object(Object.fromEntries([...entries].reverse()))
          expect(signature(forward).hex).toBe(signature(backward).hex)
        },
      ),
    )
  })

  it.each([
    ['a function', Type.Object({ f: Type.Function([], Type.Null()) }), '/properties/f', /function/],
    ['a constructor', Type.Constructor([], Type.Object({})), '', /constructor/],
    ['undefined', Type.Object({ u: Type.Undefined() }), '/properties/u', /Type\.Optional/],
    ['a symbol', Type.Symbol(), '', /string literal/],
    [
      'a recursive type',
      Type.Cyclic({ Node: Type.Object({ next: Type.Ref('Node') }) }, 'Node'),
      '',
      /recursion/,
    ],
    ['a reference', Type.Object({ r: Type.Ref('X') }), '/properties/r', /inline/],
    ['a Refine callback', Type.Refine(Type.String(), (s) => s.length > 0), '', /JSON Schema keywords/],
    ['a Codec', Type.Codec(Type.String()).Decode(Number).Encode(String), '', /encoded form/],
    ['Never', Type.Object({ n: Type.Never() }), '/properties/n', /remove/],
    ['a bigint literal', Type.Literal(5n), '/const', /U64/],
    ['a non-schema value', { type: 'object', properties: { x: 42 } }, '/properties/x', /Type\./],
  ])('reject %s with its path and a hint', (_what, schema, path, hint) => {
    const err = unsupported(schema)
    expect(err.path).toBe(path)
    expect(err.hint).toMatch(hint)
    expect(err.code).toBe('ERR_INVALID_INPUT')
  })
})
