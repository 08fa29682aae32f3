import { readFileSync } from 'node:fs'
import { blake3 } from '@noble/hashes/blake3.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { derive, id } from '../../../runtime/primitives/digest.ts'
import { computeVectors } from './vectors.ts'

const committed = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>

describe('identity golden vectors', () => {
  it('fixed schemas and names give the committed hex', () => {
    expect(computeVectors()).toEqual(committed)
  })

  it('agree with the SPEC §4 formulas computed by hand', () => {
    const hex = (s: string): string => bytesToHex(blake3(utf8ToBytes(s)))
    expect(committed['signature/string']).toBe(hex('{"type":"string"}'))
    expect(committed['signature/integer']).toBe(hex('{"type":"integer"}'))
    expect(committed['networkId/test-net']).toBe(hex('test-net'))
    expect(committed['streamId/orders']).toBe(derive(id('mosaik/stream'), 'orders').hex)
    expect(committed['groupId/test-net/matcher']).toBe(derive(id('test-net'), 'group', 'matcher').hex)
    expect(committed['groupId/test-net/matcher/secret']).toBe(
      derive(id('test-net'), 'group', 'matcher', id('hunter2')).hex,
    )
    const map = '{"key":{"type":"string"},"kind":"map","value":{"type":"integer"}}'
    expect(committed['typeSignature/map<string,integer>']).toBe(hex(map))
  })
})
