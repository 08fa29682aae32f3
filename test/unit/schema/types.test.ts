import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { compileValidator } from '../../../runtime/codegen/validator.ts'
import { ValidationError } from '../../../runtime/primitives/errors.ts'
import { canonicalSchema } from '../../../schemas/canonical.ts'
import { Bytes, I64, U64 } from '../../../schemas/types.ts'

const Payment = Type.Object({ key: Bytes({ minBytes: 2, maxBytes: 4 }), amount: U64(), delta: I64() })
const good = { key: new Uint8Array(3), amount: 2n ** 64n - 1n, delta: -(2n ** 63n) }
const bad = [
  { key: 'abc', amount: 1n, delta: 0n },
  { key: new Uint8Array(1), amount: 1n, delta: 0n },
  { key: new Uint8Array(5), amount: 1n, delta: 0n },
  { key: new Uint8Array(2), amount: -1n, delta: 0n },
  { key: new Uint8Array(2), amount: 2n ** 64n, delta: 0n },
  { key: new Uint8Array(2), amount: 1, delta: 0n },
  { key: new Uint8Array(2), amount: 1n, delta: 2n ** 63n },
]

describe('extra types', () => {
  it('validate as TypeBox schemas in user code', () => {
    const check = Compile(Payment)
    expect(check.Check(good)).toBe(true)
    for (const value of bad) expect(check.Check(value)).toBe(false)
  })

  it('keep their checks after a round trip through embedded JSON', () => {
    const embedded = JSON.parse(JSON.stringify(canonicalSchema(Payment)))
    const validator = compileValidator('payments', embedded)
    expect(validator.check(good)).toBe(true)
    for (const value of bad) expect(validator.check(value)).toBe(false)
  })

  it('name the declaration, peer and path when a value is invalid', () => {
    const validator = compileValidator('payments', canonicalSchema(Payment))
    let error: unknown
    try {
      validator.parse({ ...good, amount: -5n }, { peer: '12D3KooWpeer', role: 'datum' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ValidationError)
    const v = error as ValidationError
    expect(v.declaration).toBe('payments')
    expect(v.path).toBe('/amount')
    expect(v.message).toMatch(/payments.*\/amount.*datum.*\[0, 2\^64\).*12D3KooWpeer/)
    expect(v.details).toMatchObject({ peer: '12D3KooWpeer', role: 'datum' })
    expect(validator.parse(good)).toBe(good)
  })
})
