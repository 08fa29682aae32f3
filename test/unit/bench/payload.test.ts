import { describe, expect, it } from 'vitest'
import { decodeDatum, encodeDatum } from '../../../bench/lib/payload.ts'
import { encode } from '../../../runtime/primitives/codec.ts'

describe('benchmark datum', () => {
  it('is exactly 100 bytes once seq ≥ 65536 and 96–98 bytes below', () => {
    expect(encodeDatum(0).length).toBe(96)
    expect(encodeDatum(200).length).toBe(97)
    expect(encodeDatum(65_535).length).toBe(98)
    expect(encodeDatum(65_536).length).toBe(100)
    expect(encodeDatum(999_999).length).toBe(100)
  })

  it('round-trips seq and the sender timestamp', () => {
    const before = performance.timeOrigin + performance.now()
    const datum = decodeDatum(encodeDatum(123_456))
    expect(datum.seq).toBe(123_456)
    expect(datum.ts).toBeGreaterThanOrEqual(before)
    expect(datum.data.length).toBe(49)
  })

  it('rejects bytes that are not a datum with a DecodeError', () => {
    expect(() => decodeDatum(new Uint8Array([0xc1]))).toThrow(expect.objectContaining({ code: 'ERR_DECODE' }))
    expect(() => decodeDatum(encode({ seq: 'x', ts: 1 }))).toThrow(
      expect.objectContaining({ code: 'ERR_DECODE' }),
    )
    expect(() => decodeDatum(encode(null))).toThrow(expect.objectContaining({ code: 'ERR_DECODE' }))
  })
})
