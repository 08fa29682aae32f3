import { describe, expect, it } from 'vitest'
import { Digest, derive, id } from '../../../runtime/primitives/digest.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'

describe('digest', () => {
  it('matches the official blake3 test vectors', () => {
    expect(id('abc').hex).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85')
    expect(id('').hex).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262')
  })

  it('takes a 64-hex string as the digest itself and hashes anything else', () => {
    const hex = '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85'
    expect(id(hex).hex).toBe(hex)
    expect(id(hex.toUpperCase()).hex).toBe(hex)
    expect(id(`${hex}0`).hex).not.toBe(hex)
    expect(id(new TextEncoder().encode('abc')).hex).toBe(id('abc').hex)
  })

  it('has a 10-character short form', () => {
    expect(id('abc').short).toBe('6437b3ac38')
  })

  it('derives committed golden values', () => {
    const network = id('mosaik-test-net')
    expect(network.hex).toBe('32aff1b0473e930ade08bf7edda197975ed51b7810227ad8c947ab6592c7c708')
    expect(derive(network, 'group', 'matcher').hex).toBe(
      '616a461f15bbce7895bbf0fcef830d75df76161cafa6943a6d14d094c93db65e',
    )
    expect(derive(id('mosaik/stream'), 'orders').hex).toBe(
      '4aa731b59a101eca18af9340e1f195aa12ca3332bcb5ab588499f2304ae384e3',
    )
    expect(derive(network, 7n, 8).hex).toBe(
      'afb33326e6e0ddfe72712303f2b16af0696881b93c6aa0ae2e9cbd9e21000a86',
    )
  })

  it('length-prefixes parts so that boundaries matter', () => {
    const root = id('root')
    expect(derive(root, 'ab', 'c').hex).not.toBe(derive(root, 'a', 'bc').hex)
    expect(derive(root).hex).toBe(Digest.hash(root.bytes).hex)
    expect(root.derive('x').equals(derive(root, 'x'))).toBe(true)
  })

  it('rejects malformed input with typed errors', () => {
    expect(() => Digest.fromHex('zz')).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() => Digest.fromBytes(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
    let caught: unknown
    try {
      derive(id('x'), -1)
    } catch (err) {
      caught = err
    }
    expect(isMosaikError(caught, 'ERR_INVALID_INPUT')).toBe(true)
    expect(() => derive(id('x'), 1.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
  })
})
