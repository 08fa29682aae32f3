/**
 * The compiled schema codec is an accelerator, never a second format: the generic codec is the
 * oracle. Whatever the compiled encoder writes decodes (generically) to what the generic encoder's
 * bytes decode to, and the compiled decoder either agrees with the generic decoder or hands over.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CanonicalSchema } from '../../../runtime/codegen/descriptors.ts'
import { compileSchemaCodec, decodeWith, FALLBACK } from '../../../runtime/codegen/schema-codec.ts'
import { decode, encode } from '../../../runtime/primitives/codec.ts'
import { ticks } from '../../e2e/streams/fixtures/generated/ticks.ts'

/** The benchmark's datum: bytes, strings, an integer and a float. */
const TICK: CanonicalSchema = ticks.descriptor.datum.schema

const ORDER: CanonicalSchema = {
  properties: {
    id: { type: 'string' },
    side: { const: 'buy', type: 'string' },
    price: { type: 'number' },
    tags: { items: { type: 'string' }, type: 'array' },
    fill: {
      properties: { at: { type: 'integer' }, ok: { type: 'boolean' }, note: { type: 'null' } },
      required: ['at'],
      type: 'object',
      additionalProperties: false,
    },
    blobs: { items: { 'x-mosaik': 'bytes' }, type: 'array' },
    'ключ ✓': { type: 'boolean' },
  },
  required: ['id', 'price'],
  type: 'object',
}

const SCHEMAS = { tick: TICK, order: ORDER } as const

/** Values of `schema` (optional properties sometimes absent). */
function valuesOf(schema: CanonicalSchema): fc.Arbitrary<unknown> {
  if (schema['x-mosaik'] === 'bytes') return fc.uint8Array({ maxLength: 300 })
  switch (schema.type) {
    case 'string':
      return fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 70_000 }))
    case 'integer':
      return fc.oneof(
        fc.integer(),
        fc.maxSafeInteger(),
        fc.constantFrom(0, -0, 127, 128, 255, 256, -32, -33, -129),
      )
    case 'number':
      return fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 2 ** 32, -(2 ** 31) - 1, 2 ** 53))
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(valuesOf(schema.items as CanonicalSchema), { maxLength: 20 })
    case 'object': {
      const properties = schema.properties as Record<string, CanonicalSchema>
      const record: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [name, sub] of Object.entries(properties)) record[name] = valuesOf(sub)
      return fc.record(record, { requiredKeys: (schema.required as string[] | undefined) ?? [] })
    }
    default:
      throw new Error(`no arbitrary for ${JSON.stringify(schema)}`)
  }
}

/** The generic decoding of `bytes` read from a plain Uint8Array (byte strings come back as views of the input's class). */
function generic(bytes: Uint8Array): unknown {
  return decode(new Uint8Array(bytes))
}

function codecOf(schema: CanonicalSchema) {
  const codec = compileSchemaCodec(schema)
  if (codec === undefined) throw new Error('expected a compiled codec')
  return codec
}

describe.each(Object.entries(SCHEMAS))('compiled codec of %s', (_name, schema) => {
  const codec = codecOf(schema)
  const values = valuesOf(schema)

  it('encodes every value of the schema to bytes the generic decoder reads as the value', () => {
    fc.assert(
      fc.property(values, (value) => {
        const bytes = codec.encode(value)
        expect(bytes).toBeDefined()
        expect(generic(bytes as Uint8Array)).toEqual(generic(encode(value)))
      }),
      { numRuns: 2_000 },
    )
  })

  it('decodes what either encoder wrote exactly as the generic decoder does', () => {
    fc.assert(
      fc.property(values, (value) => {
        for (const bytes of [codec.encode(value) as Uint8Array, encode(value)]) {
          const fast = codec.decode(bytes)
          expect(fast).not.toBe(FALLBACK)
          expect(fast).toEqual(decode(bytes))
        }
      }),
      { numRuns: 2_000 },
    )
  })

  it('agrees with the generic decoder or hands over on corrupted and arbitrary bytes', () => {
    const corrupted = fc
      .tuple(
        values,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
      )
      .map(([value, flips, cut]) => {
        const bytes = Uint8Array.from(codec.encode(value) as Uint8Array)
        for (const [at, byte] of flips) bytes[at % bytes.length] = byte
        return bytes.subarray(0, bytes.length - (cut % 3))
      })
    fc.assert(
      fc.property(fc.oneof(corrupted, fc.uint8Array({ maxLength: 200 })), (bytes) => {
        const fast = codec.decode(bytes)
        if (fast === FALLBACK) return
        expect(fast).toEqual(decode(bytes))
      }),
      { numRuns: 10_000 },
    )
  })

  it('reads a datum in the middle of a larger buffer', () => {
    fc.assert(
      fc.property(
        values,
        fc.uint8Array({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 20 }),
        (value, before, after) => {
          const bytes = codec.encode(value) as Uint8Array
          const frame = Uint8Array.from([...before, ...bytes, ...after])
          expect(decodeWith(codec, frame, before.length, before.length + bytes.length)).toEqual(decode(bytes))
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('compiled codec boundaries', () => {
  it('keeps earlier results intact when datums outgrow a slab', () => {
    const codec = codecOf(TICK)
    const datum = (seq: number) => ({
      data: new Uint8Array(1000).fill(seq % 251),
      kind: 'k',
      seq,
      src: 's',
      ts: seq / 3,
    })
    const encoded = Array.from({ length: 500 }, (_, seq) => codec.encode(datum(seq)) as Uint8Array)
    for (const [seq, bytes] of encoded.entries()) expect(generic(bytes)).toEqual(generic(encode(datum(seq))))
  })

  it('moves a datum begun near a slab end to a new slab whole', () => {
    const codec = codecOf(ORDER)
    const big = (n: number) => ({ id: 'x'.repeat(n), price: n, tags: ['é'.repeat(n)] })
    const encoded = [1, 20_000, 40_000, 70_000, 3].map(
      (n) => [n, codec.encode(big(n)) as Uint8Array] as const,
    )
    for (const [n, bytes] of encoded) expect(decode(bytes)).toEqual(big(n))
  })

  it('leaves shapes it does not predict to the generic encoder', () => {
    const codec = codecOf(ORDER)
    expect(codec.encode({ id: 'a', price: 1, extra: true })).toBeUndefined()
    expect(codec.encode({ id: 'a', price: 1, side: undefined })).toBeUndefined()
    expect(codec.encode({ id: 'a', price: '1' })).toBeUndefined()
    expect(
      codec.encode(
        new (class Order {
          id = 'a'
          price = 1
        })(),
      ),
    ).toBeUndefined()
    expect(codec.encode(new Map([['id', 'a']]))).toBeUndefined()
    expect(codec.encode([1, 2])).toBeUndefined()
  })

  it('hands over inputs off the fast path: other key spellings, bigints, repeats, trailing bytes', () => {
    const codec = codecOf(TICK)
    const value = { data: new Uint8Array(2), kind: 'k', seq: 1, src: 's', ts: 2.5 }
    const bytes = codec.encode(value) as Uint8Array
    expect(codec.decode(Uint8Array.from([...bytes, 0]))).toBe(FALLBACK)
    expect(codec.decode(encode({ ...value, seq: 1n }))).toBe(FALLBACK)
    expect(codec.decode(encode({ ...value, other: 1 }))).toBe(FALLBACK)
    // A map that repeats a key: the generic rule (last wins) decides, not the fast path.
    const repeated = Uint8Array.from([
      0x82,
      ...encode('kind').subarray(0),
      0xa1,
      0x61,
      ...encode('kind'),
      0xa1,
      0x62,
    ])
    expect(codec.decode(repeated)).toBe(FALLBACK)
    expect(decodeWith(codec, repeated)).toEqual(decode(repeated))
    expect(() => decodeWith(codec, bytes.subarray(0, 5))).toThrow(
      expect.objectContaining({ code: 'ERR_DECODE' }),
    )
  })

  it('keeps a leading BOM and hands invalid UTF-8 over', () => {
    const codec = codecOf(TICK)
    for (const text of ['\uFEFFabc', `\uFEFF${'é'.repeat(40)}`]) {
      const value = { data: new Uint8Array(0), kind: text, seq: 1, src: text, ts: 0 }
      expect(codec.decode(codec.encode(value) as Uint8Array)).toEqual(value)
    }
    const bad = Uint8Array.from(encode({ data: new Uint8Array(0), kind: 'Zb', seq: 1, src: 's', ts: 0 }))
    bad[bad.indexOf(0x5a)] = 0xff // 'Z' of "Zb" becomes a byte that is never UTF-8
    expect(codec.decode(bad)).toBe(FALLBACK)
  })

  it('still decodes where code generation from strings is disallowed', async () => {
    const module = new URL('../../../runtime/codegen/schema-codec.ts', import.meta.url).href
    const script = `
      const { compileSchemaCodec } = await import(${JSON.stringify(module)})
      const codec = compileSchemaCodec({ properties: { a: { type: 'string' }, b: { type: 'number' } }, type: 'object' })
      console.log(JSON.stringify(codec.decode(codec.encode({ a: 'x', b: 2 }))))`
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    )
    expect(JSON.parse(stdout)).toEqual({ a: 'x', b: 2 })
  })

  it('compiles no codec for schemas with unions, records or 64-bit integers', () => {
    expect(compileSchemaCodec({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toBeUndefined()
    expect(compileSchemaCodec({ additionalProperties: { type: 'number' }, type: 'object' })).toBeUndefined()
    expect(compileSchemaCodec({ type: 'bigint', 'x-mosaik': 'u64' })).toBeUndefined()
    expect(
      compileSchemaCodec({ properties: { n: { type: 'bigint', 'x-mosaik': 'i64' } }, type: 'object' }),
    ).toBeUndefined()
    const proto = JSON.parse(
      '{"properties":{"__proto__":{"type":"string"}},"type":"object"}',
    ) as CanonicalSchema
    expect(compileSchemaCodec(proto)).toBeUndefined()
  })
})
