/**
 * The stream wire decoders against arbitrary input (no crash, only ProtocolError), data frames
 * round-tripping, and the small pure parts: backoff and channel conditions.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decode, encode } from '../../../runtime/primitives/codec.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { Backoff, resolveBackoff } from '../../../runtime/streams/backoff.ts'
import { decodeBatch, encodeBatch, isBatch } from '../../../runtime/streams/batch.ts'
import { bye, parseBye, parseCredit, parseReply, parseSubscribe } from '../../../runtime/streams/protocol.ts'
import { conditionHolds, resolveCondition } from '../../../runtime/streams/when.ts'

/** Runs `fn`; passes if it returns or throws a MosaikError with `code`, fails on anything else. */
function onlyThrows(code: string, fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    if (!isMosaikError(err) || err.code !== code) throw err
  }
}

const datum = fc.uint8Array({ minLength: 1, maxLength: 64 })

describe('data frames', () => {
  it('round-trip any batch of datums with its sequence number', () => {
    fc.assert(
      fc.property(
        fc.array(datum, { minLength: 1, maxLength: 50 }),
        fc.nat({ max: 2 ** 52 }),
        (datums, seq) => {
          const bytes = datums.reduce((n, d) => n + d.length, 0)
          const frame = encodeBatch(seq, datums, bytes)
          expect(isBatch(frame)).toBe(true)
          const batch = decodeBatch(frame, datums.length)
          expect(batch.seq).toBe(seq)
          expect(batch.payloadBytes).toBe(bytes)
          expect(batch.starts.map((start, i) => [...frame.subarray(start, batch.ends[i])])).toEqual(
            datums.map((d) => [...d]),
          )
        },
      ),
    )
  })

  it('reject arbitrary, truncated and over-long frames with ProtocolError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        onlyThrows('ERR_PROTOCOL', () => decodeBatch(bytes, 1024))
        onlyThrows('ERR_PROTOCOL', () => decodeBatch(Uint8Array.of(0xc1, ...bytes), 1024))
      }),
    )
    fc.assert(
      fc.property(fc.array(datum, { minLength: 2, maxLength: 20 }), fc.nat(), (datums, cut) => {
        const frame = encodeBatch(
          0,
          datums,
          datums.reduce((n, d) => n + d.length, 0),
        )
        onlyThrows('ERR_PROTOCOL', () => decodeBatch(frame.subarray(0, cut % frame.length), 1024))
        expect(() => decodeBatch(frame, datums.length - 1)).toThrow(
          expect.objectContaining({ code: 'ERR_PROTOCOL' }),
        )
      }),
    )
  })
})

describe('control messages', () => {
  const parsers = [parseSubscribe, parseReply, parseBye, parseCredit]

  it('accept well-formed messages and refuse anything else with ProtocolError', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        for (const parse of parsers) onlyThrows('ERR_PROTOCOL', () => parse(value))
      }),
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        let value: unknown
        try {
          value = decode(bytes)
        } catch {
          return
        }
        for (const parse of parsers) onlyThrows('ERR_PROTOCOL', () => parse(value))
      }),
    )
    const digest = new Uint8Array(32).fill(7)
    const sub = {
      t: 'sub',
      network: digest,
      stream: digest,
      signature: digest,
      name: 'x',
      credits: 8,
      creditBytes: 1,
    }
    expect(parseSubscribe(decode(encode(sub)))).toMatchObject({ name: 'x', credits: 8 })
    expect(parseReply({ t: 'no', reason: 'capacity', message: 'full' })).toMatchObject({ reason: 'capacity' })
    expect(parseCredit({ t: 'c', n: 3, b: 300 })).toEqual({ t: 'c', n: 3, b: 300 })
    // What this side sends always parses on the other, however long the human-readable reason.
    expect(parseBye(decode(encode(bye('too-slow', 'x'.repeat(5_000))))).message).toHaveLength(1024)
    for (const bad of [
      { ...sub, credits: -1 },
      { ...sub, credits: 2 ** 40 },
      { ...sub, name: 'n'.repeat(300) },
      { ...sub, signature: digest.subarray(1) },
      { t: 'no', reason: 'because', message: '' },
      { t: 'c', n: 1.5, b: 0 },
    ]) {
      const parse = bad.t === 'sub' ? parseSubscribe : bad.t === 'no' ? parseReply : parseCredit
      expect(() => parse(bad)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
    }
  })
})

describe('backoff', () => {
  it('retries at once, then waits longer (with jitter, capped), and gives up after maxElapsed', () => {
    const settings = resolveBackoff({ initial: 100, max: 1_000, factor: 2, maxElapsed: 10_000 })
    const backoff = new Backoff(settings, () => 0.5)
    expect(backoff.next(0)).toBe(0)
    expect([1, 2, 3, 4, 5].map((t) => backoff.next(t))).toEqual([100, 200, 400, 800, 1_000])
    expect(backoff.next(10_001)).toBeUndefined()
    backoff.reset()
    expect(backoff.next(20_000)).toBe(0)
    expect(backoff.next(20_001)).toBe(100)
    expect(() => resolveBackoff({ factor: 0.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
  })
})

describe('channel conditions', () => {
  it('count connected peers carrying every tag and passing the predicate', () => {
    const peers = [
      { peerId: 'a', tags: ['t1', 't2'] },
      { peerId: 'b', tags: ['t1'] },
      { peerId: 'c', tags: [] },
    ]
    expect(conditionHolds(resolveCondition(undefined, 1), peers)).toBe(true)
    expect(conditionHolds(resolveCondition({ min: 2, tags: ['t1'] }, 1), peers)).toBe(true)
    expect(conditionHolds(resolveCondition({ min: 2, tags: ['t1', 't2'] }, 1), peers)).toBe(false)
    expect(conditionHolds(resolveCondition({ predicate: (p) => p.peerId === 'c' }, 1), peers)).toBe(true)
    expect(conditionHolds(resolveCondition({ min: 0 }, 1), [])).toBe(true)
    expect(() => resolveCondition({ min: -1 }, 1)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
  })
})
