import { describe, expect, it } from 'vitest'
import { encodeMessage, Inbox, LineSplitter, parseLine } from '../../../bench/lib/channel.ts'

type Msg = { type: 'a'; n: number } | { type: 'b' }
const a = (n: number): Msg => ({ type: 'a', n })

describe('channel lines', () => {
  it('round-trips a message and ignores lines without the marker', () => {
    const line = encodeMessage({ type: 'a', n: 1 } as Msg)
    expect(line.endsWith('\n')).toBe(true)
    expect(parseLine(line.slice(0, -1))).toEqual({ type: 'a', n: 1 })
    expect(parseLine('plain log output')).toBeUndefined()
  })

  it('rejects malformed protocol lines with a ProtocolError', () => {
    const protocol = expect.objectContaining({ code: 'ERR_PROTOCOL' })
    expect(() => parseLine('@bench {not json')).toThrow(protocol)
    expect(() => parseLine('@bench [1,2]')).toThrow(protocol)
    expect(() => parseLine('@bench {"type":3}')).toThrow(protocol)
  })

  it('reassembles lines split across chunks and bounds a pending line', () => {
    const splitter = new LineSplitter(16)
    expect(splitter.push('ab')).toEqual([])
    expect(splitter.push('c\nde')).toEqual(['abc'])
    expect(splitter.push('f\n\ng')).toEqual(['def', ''])
    expect(splitter.flush()).toBe('g')
    expect(() => splitter.push('x'.repeat(17))).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
  })
})

describe('Inbox', () => {
  it('delivers queued messages to later receives and future ones to waiting receives, by type', async () => {
    const inbox = new Inbox<Msg>('test')
    inbox.push(a(1))
    const waitingB = inbox.receive('b')
    inbox.push({ type: 'b' })
    await expect(waitingB).resolves.toEqual({ type: 'b' })
    await expect(inbox.receive('a')).resolves.toEqual({ type: 'a', n: 1 })
    const either = inbox.receive(['a', 'b'])
    inbox.push(a(2))
    await expect(either).resolves.toEqual({ type: 'a', n: 2 })
  })

  it('times out with the awaited type in the message, and an aborted receive takes nothing', async () => {
    const inbox = new Inbox<Msg>('child x')
    await expect(inbox.receive('a', { timeout: 5 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      message: expect.stringContaining("child x: no 'a' message"),
    })
    const controller = new AbortController()
    const aborted = inbox.receive('a', { signal: controller.signal })
    controller.abort()
    await expect(aborted).rejects.toBeDefined()
    inbox.push(a(3))
    await expect(inbox.receive('a')).resolves.toEqual({ type: 'a', n: 3 })
  })

  it('fails pending and future receives on an error message from the child', async () => {
    const inbox = new Inbox<Msg>('worker')
    const pending = inbox.receive('a')
    inbox.push({ type: 'error', message: 'disk full', stack: 'Error: disk full\n    at x' } as never)
    await expect(pending).rejects.toThrow('worker failed: disk full')
    await expect(inbox.receive('b')).rejects.toThrow('worker failed: disk full')
  })
})
