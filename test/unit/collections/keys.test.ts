// Canonical key encoding and stored values: what makes every replica agree on keys and bytes.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareKeys, decodeKey, encodeKey, tryEncodeKey } from '../../../runtime/collections/state/keys.ts'
import { toStored, valuesEqual } from '../../../runtime/collections/state/values.ts'
import { encode, encodeCanonical } from '../../../runtime/primitives/codec.ts'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

/** Plain data with a canonical encoding (what a TypeBox schema admits). */
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.constantFrom('\u0000', '\u0000\u0000x', '\u0000\u0001', ''),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 }),
  ),
})).value

describe('canonical keys', () => {
  it('encode injectively: equal encodings exactly when canonical bytes are equal, and decode back', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        const same = hex(encodeCanonical(toStored(a))) === hex(encodeCanonical(toStored(b)))
        expect(encodeKey(a) === encodeKey(b)).toBe(same)
        expect(hex(encodeCanonical(toStored(decodeKey(encodeKey(a)))))).toBe(
          hex(encodeCanonical(toStored(a))),
        )
      }),
      { numRuns: 500 },
    )
  })

  it('ignore object key order and treat -0 as 0', () => {
    expect(encodeKey({ b: 1, a: [1, { d: 1, c: 2 }] })).toBe(encodeKey({ a: [1, { c: 2, d: 1 }], b: 1 }))
    expect(encodeKey(-0)).toBe(0)
    expect(encodeKey('1')).not.toBe(encodeKey(1))
    expect(encodeKey(1n)).not.toBe(encodeKey(1))
  })

  it('refuse values without a canonical form', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      { a: undefined },
      new Date(0),
      () => 1,
    ]) {
      expect(() => encodeKey(bad)).toThrow(expect.objectContaining({ code: 'ERR_ENCODE' }))
      expect(tryEncodeKey(bad)).toBeUndefined()
    }
  })

  it('order totally and consistently: numbers ascending, then strings by code units', () => {
    expect(
      [encodeKey('b'), encodeKey(10), encodeKey('a'), encodeKey(-3), encodeKey({ x: 1 })].sort(compareKeys),
    ).toEqual([-3, 10, encodeKey({ x: 1 }), 'a', 'b'])
    fc.assert(
      fc.property(plain, plain, plain, (x, y, z) => {
        const [a, b, c] = [encodeKey(x), encodeKey(y), encodeKey(z)]
        expect(Math.sign(compareKeys(a, b)) + Math.sign(compareKeys(b, a))).toBe(0)
        expect(compareKeys(a, b) === 0).toBe(a === b)
        if (compareKeys(a, b) <= 0 && compareKeys(b, c) <= 0) expect(compareKeys(a, c)).toBeLessThanOrEqual(0)
      }),
      { numRuns: 300 },
    )
  })
})

describe('stored values', () => {
  it('are canonical, frozen copies; bytes are copied; big bigints are refused', () => {
    const bytes = new Uint8Array([1, 2])
    const input = { z: [1, { y: 2, x: -0 }], a: bytes }
    const stored = toStored(input) as { a: Uint8Array; z: [number, Record<string, number>] }
    expect(Object.keys(stored)).toEqual(['a', 'z'])
    expect(Object.keys(stored.z[1])).toEqual(['x', 'y'])
    expect(Object.is(stored.z[1].x, 0)).toBe(true)
    expect(Object.isFrozen(stored) && Object.isFrozen(stored.z) && Object.isFrozen(stored.z[1])).toBe(true)
    bytes[0] = 9
    expect(stored.a[0]).toBe(1)
    expect(() => toStored(2n ** 64n)).toThrow(expect.objectContaining({ code: 'ERR_ENCODE' }))
    expect(() => toStored(-(2n ** 63n) - 1n)).toThrow(expect.objectContaining({ code: 'ERR_ENCODE' }))
  })

  it('sort keys in canonical (UTF-8 byte) order and refuse what has no canonical form', () => {
    const keys = ['b', 'a', '\uffff', '\u{1f600}', 'é', 'Z', 'aa']
    const stored = toStored(Object.fromEntries(keys.map((k) => [k, 1]))) as Record<string, number>
    expect(hex(encodeCanonical(stored))).toBe(hex(encode(stored)))
    expect(Object.keys(toStored({ ['__proto__']: 1, a: 2 }) as object)).toEqual(['__proto__', 'a'])
    expect(
      toStored(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ),
    ).toEqual({ a: 2, b: 1 })
    for (const bad of [new Array(3), { a: undefined }, [Number.NaN], new Date(0), () => 1, Symbol('s')]) {
      expect(() => toStored(bad)).toThrow(expect.objectContaining({ code: 'ERR_ENCODE' }))
    }
  })

  it('compare equal exactly when their canonical bytes are equal', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        const [x, y] = [toStored(a), toStored(b)]
        expect(valuesEqual(x, y)).toBe(hex(encodeCanonical(x)) === hex(encodeCanonical(y)))
        expect(valuesEqual(x, toStored(structuredClone(a)))).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})
