import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canonicalize,
  compareUtf8,
  decode,
  encode,
  encodeCanonical,
} from '../../../runtime/primitives/codec.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('codec', () => {
  it('round-trips wire values, including bigint and bytes', () => {
    const value = { a: 1, b: 'x', c: [true, null], d: new Uint8Array([1, 2, 3]), e: 2n ** 63n - 1n }
    const back = decode(encode(value)) as Record<string, unknown>
    expect(back.a).toBe(1)
    expect(back.e).toBe(2n ** 63n - 1n)
    expect(new Uint8Array(back.d as Uint8Array)).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('encodes canonically regardless of key insertion order', () => {
    const a = encodeCanonical({ b: 2, a: { y: 1, x: [{ q: 1, p: 2 }] } })
    const b = encodeCanonical({ a: { x: [{ p: 2, q: 1 }], y: 1 }, b: 2 })
    expect(toHex(a)).toBe(toHex(b))
    expect(
      toHex(
        encodeCanonical(
          new Map([
            ['b', 1],
            ['a', 2],
          ]),
        ),
      ),
    ).toBe(toHex(encodeCanonical({ a: 2, b: 1 })))
  })

  it('is byte-identical across two separate processes for different key orders', () => {
    const script = fileURLToPath(new URL('./fixtures/canonical-child.ts', import.meta.url))
    const run = (order: string) =>
      execFileSync(process.execPath, ['--conditions=mosaik-source', script, order], {
        encoding: 'utf8',
      }).trim()
    const forward = run('forward')
    const reverse = run('reverse')
    expect(forward).toMatch(/^[0-9a-f]+$/)
    expect(forward).toBe(reverse)
    expect(forward).toBe(toHex(encodeCanonical({ alpha: 1, beta: { z: 'z', a: 'a' }, gamma: [3, 2, 1] })))
  })

  it('keeps a __proto__ key as data and orders keys by UTF-8 bytes', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object
    const out = canonicalize(hostile) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.keys(out)).toEqual(['__proto__', 'a'])
    expect(toHex(encodeCanonical(hostile))).toBe(
      toHex(encodeCanonical(JSON.parse('{"a": 1, "__proto__": {"polluted": true}}'))),
    )
    // U+FFFF sorts before U+10000 in UTF-8 although its UTF-16 code unit is larger.
    expect(Object.keys(canonicalize({ '\u{10000}': 1, '\uffff': 2, b: 3 }) as object)).toEqual([
      'b',
      '\uffff',
      '\u{10000}',
    ])
  })

  it('orders like the UTF-8 bytes for arbitrary strings (10k cases)', () => {
    const bytes = new TextEncoder()
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(bytes.encode(a), bytes.encode(b))))
      }),
      { numRuns: 10_000 },
    )
  })

  it('refuses the never-used byte 0xc1 wherever it stands for a value', () => {
    for (const bytes of [[0xc1], [0x91, 0xc1], [0x81, 0xa1, 0x61, 0xc1]]) {
      expect(() => decode(new Uint8Array(bytes))).toThrow(expect.objectContaining({ code: 'ERR_DECODE' }))
    }
    expect(decode(new Uint8Array([0xa1, 0xc1]))).toBeTypeOf('string')
  })

  it('refuses values without a stable encoding', () => {
    for (const bad of [
      { a: undefined },
      { f: () => 1 },
      Number.NaN,
      new Date(0),
      new Map([[1, 2]]),
      new Array(3),
    ]) {
      expect(() => canonicalize(bad)).toThrow(expect.objectContaining({ code: 'ERR_ENCODE' }))
    }
  })

  it('never lets garbage bytes escape as anything but a DecodeError (10k cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        try {
          decode(bytes)
        } catch (err) {
          if (!isMosaikError(err, 'ERR_DECODE')) throw err
        }
      }),
      { numRuns: 10_000 },
    )
  })

  it('detects every truncation of a valid encoding (10k cases)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, cut) => {
        const bytes = encode(value)
        if (bytes.length < 2) return
        const truncated = bytes.subarray(0, cut % bytes.length)
        try {
          decode(truncated)
        } catch (err) {
          if (!isMosaikError(err, 'ERR_DECODE')) throw err
        }
      }),
      { numRuns: 10_000 },
    )
  })

  it('canonical encoding is independent of key order for arbitrary objects (10k cases)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse())
        expect(toHex(encodeCanonical(obj))).toBe(toHex(encodeCanonical(reversed)))
      }),
      { numRuns: 10_000 },
    )
  })
})
