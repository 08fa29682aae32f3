import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatMessage, LineSplitter, parseMessage } from '../../fault/harness/lines.ts'

describe('JSON-lines channel', () => {
  it('splits into the same lines however the bytes are chunked (UTF-8 split mid-character too)', () => {
    const lines = ['{"type":"a"}', 'plain text', 'ünïcødé ✓', '', '{"type":"b","n":1}']
    const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 10 }), (cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length]
        const splitter = new LineSplitter()
        const out: string[] = []
        for (let i = 1; i < points.length; i++) {
          out.push(...splitter.push(bytes.subarray(points[i - 1], points[i])))
        }
        out.push(...splitter.end())
        expect(out).toEqual(lines)
      }),
    )
  })

  it('drops lines over the limit, counting them, and keeps the lines after', () => {
    const splitter = new LineSplitter(8)
    expect(splitter.push('short\nthis line is far too long')).toEqual(['short'])
    expect(splitter.push(' and goes on\nok\n')).toEqual(['ok'])
    expect(splitter.push('0123456789abc\nfine\n')).toEqual(['fine'])
    expect(splitter.oversized).toBe(2)
    expect(splitter.push('tail')).toEqual([])
    expect(splitter.end()).toEqual(['tail'])
  })

  it('accepts only JSON objects with a string type', () => {
    expect(parseMessage('{"type":"ready","port":1}')).toEqual({ type: 'ready', port: 1 })
    for (const bad of ['', 'ready', '{"type":1}', '{"kind":"x"}', '[{"type":"x"}]', '{"type":"x"', 'null']) {
      expect(parseMessage(bad)).toBeUndefined()
    }
    expect(parseMessage(formatMessage({ type: 'x', v: [1] }).trimEnd())).toEqual({ type: 'x', v: [1] })
  })
})
