import { describe, expect, it } from 'vitest'
import type { Member, Message } from './generated/index.ts'
import { defaultColor, diffMembers, formatMessage, formatWho, parseInput, SeenMessages } from './ui.ts'

const member = (nickname: string, joinedAt = 0): Member => ({ nickname, color: 0, joinedAt })
const message = (from: string, seq: number, text = 'hi'): Message => ({
  from,
  seq,
  nickname: from,
  text,
  sentAt: 0,
})

describe('chat terminal logic', () => {
  it('parses messages and commands', () => {
    expect(parseInput('  hello there ')).toEqual({ kind: 'say', text: 'hello there' })
    expect(parseInput('')).toEqual({ kind: 'empty' })
    expect(parseInput('/nick  Ada Lovelace')).toEqual({ kind: 'nick', nickname: 'Ada Lovelace' })
    expect(parseInput('/nick')).toMatchObject({ kind: 'invalid' })
    expect(parseInput(`/nick ${'x'.repeat(33)}`)).toMatchObject({ kind: 'invalid' })
    expect(parseInput('/who')).toEqual({ kind: 'who' })
    expect(parseInput('/quit')).toEqual({ kind: 'quit' })
    expect(parseInput('/help')).toEqual({ kind: 'help' })
    expect(parseInput('/dance')).toEqual({
      kind: 'invalid',
      reason: 'unknown command /dance; /help lists them',
    })
    expect(parseInput('x'.repeat(2001))).toMatchObject({ kind: 'invalid' })
  })

  it('formats lines without escape codes when the output is not a terminal', () => {
    expect(formatMessage(message('ann', 1, 'hello'), 2)).toMatch(/^\d\d:\d\d ann: hello$/)
    const members = new Map([
      ['p2', member('bob', 2)],
      ['p1', member('ann', 1)],
    ])
    expect(formatWho(members, 'p2')).toBe('2 in the room: ann, bob (you)')
  })

  it('reports joins, leaves and nickname changes', () => {
    const before = new Map([
      ['p1', member('ann')],
      ['p2', member('bob')],
    ])
    const after = new Map([
      ['p1', member('annie')],
      ['p3', member('cy')],
    ])
    expect(diffMembers(before, after)).toEqual(['ann is now annie', 'cy joined', 'bob left'])
  })

  it('shows a message once whichever path delivers it first, in any order', () => {
    const seen = new SeenMessages(3)
    expect([2, 1, 2, 1, 3].map((seq) => seen.accept(message('ann', seq)))).toEqual([
      true,
      true,
      false,
      false,
      true,
    ])
    expect(seen.accept(message('bob', 1))).toBe(true)
    seen.accept(message('ann', 4))
    // Only the 3 most recent numbers per sender are remembered.
    expect(seen.accept(message('ann', 2))).toBe(true)
  })

  it('derives a palette color from a peer id', () => {
    const color = defaultColor('12D3KooWExample')
    expect(color).toBeGreaterThanOrEqual(0)
    expect(color).toBeLessThan(6)
    expect(defaultColor('12D3KooWExample')).toBe(color)
  })
})
