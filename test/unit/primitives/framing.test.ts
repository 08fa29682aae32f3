import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { encodeFrame, FrameDecoder } from '../../../runtime/primitives/framing.ts'

/** Splits `bytes` at the given cut points (taken modulo the length). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
    (a, b) => a - b,
  )
  const out: Uint8Array[] = []
  let start = 0
  for (const p of points) {
    out.push(bytes.subarray(start, p))
    start = p
  }
  out.push(bytes.subarray(start))
  return out
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}

describe('framing', () => {
  it('reassembles frames split at arbitrary points (10k cases)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (payloads, cuts) => {
          const decoder = new FrameDecoder(1024)
          const frames = chunk(concat(payloads.map((p) => encodeFrame(p))), cuts).flatMap((c) =>
            decoder.push(c),
          )
          decoder.end()
          expect(frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
            payloads.map((p) => Buffer.from(p).toString('hex')),
          )
        },
      ),
      { numRuns: 10_000 },
    )
  })

  it('turns garbage, oversized and truncated input into typed errors only (10k cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => {
        const decoder = new FrameDecoder(32)
        try {
          for (const c of chunk(bytes, cuts)) decoder.push(c)
          decoder.end()
        } catch (err) {
          if (!isMosaikError(err, 'ERR_FRAME_TOO_LARGE') && !isMosaikError(err, 'ERR_FRAME_TRUNCATED'))
            throw err
        }
        expect(decoder.buffered).toBeLessThanOrEqual(128)
      }),
      { numRuns: 10_000 },
    )
  })

  it('rejects an oversized header before buffering the body', () => {
    const decoder = new FrameDecoder(16)
    const header = new Uint8Array([0xff, 0xff, 0xff, 0xff])
    expect(() => decoder.push(header)).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }))
    expect(decoder.buffered).toBe(0)
    expect(() => decoder.push(new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }),
    )
    expect(() => encodeFrame(new Uint8Array(17), 16)).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }),
    )
  })

  it('reports a stream that ends inside a frame', () => {
    const decoder = new FrameDecoder()
    const frame = encodeFrame(new Uint8Array(10))
    expect(decoder.push(frame.subarray(0, 7))).toEqual([])
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: 'ERR_FRAME_TRUNCATED' }))
  })
})
