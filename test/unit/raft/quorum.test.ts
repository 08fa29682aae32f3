/** Quorum arithmetic, single-step membership rules and config-entry decoding (untrusted bytes). */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeMembership,
  encodeMembership,
  membership,
  quorumIndex,
  singleStepViolation,
  voteOutcome,
} from '../../../runtime/groups/raft/membership.ts'
import { encode } from '../../../runtime/primitives/codec.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'

const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`)

describe('quorum arithmetic', () => {
  it('quorumIndex is the highest index a majority has reached', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 9 }), (matches) => {
        const voters = ids(matches.length)
        const q = quorumIndex(voters, (id) => matches[Number(id.slice(1))] as number)
        const atLeast = (x: number) => matches.filter((m) => m >= x).length
        const majority = Math.floor(matches.length / 2) + 1
        return atLeast(q) >= majority && atLeast(q + 1) < majority
      }),
    )
  })

  it('voteOutcome decides as soon as a majority is certain either way', () => {
    const voters = ids(5)
    const answers = new Map<string, boolean>([
      ['p0', true],
      ['p1', true],
    ])
    expect(voteOutcome(voters, answers)).toBe('pending')
    answers.set('p2', true)
    expect(voteOutcome(voters, answers)).toBe('won')
    const against = new Map<string, boolean>([
      ['p0', true],
      ['p1', false],
      ['p2', false],
      ['p3', false],
    ])
    expect(voteOutcome(voters, against)).toBe('lost')
    // Answers from non-voters do not count.
    expect(voteOutcome(['p0'], new Map([['x', true]]))).toBe('pending')
  })
})

describe('single-step membership changes', () => {
  const base = membership(['a', 'b', 'c'], ['d'])
  it('allows one voter in or out, and any learner change', () => {
    expect(singleStepViolation(base, membership(['a', 'b', 'c', 'd']))).toBeNull()
    expect(singleStepViolation(base, membership(['a', 'b'], ['c', 'd']))).toBeNull()
    expect(singleStepViolation(base, membership(['a', 'b', 'c'], ['e', 'f']))).toBeNull()
  })

  it('refuses two voters at once, a swap, and an empty voter set', () => {
    expect(singleStepViolation(base, membership(['a', 'b', 'c', 'd', 'e']))).toMatch(/one at a time/)
    expect(singleStepViolation(base, membership(['a', 'b', 'e']))).toMatch(/one at a time/)
    expect(singleStepViolation(base, membership([], ['a']))).toMatch(/at least one voter/)
  })
})

describe('config entries', () => {
  it('round-trip a normalized membership', () => {
    const m = membership(['c', 'a', 'b', 'a'], ['d'])
    expect(m).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] })
    expect(decodeMembership(encodeMembership(m))).toEqual(m)
  })

  it('reject malformed bytes with a DecodeError', () => {
    const bad = [
      new Uint8Array([0xc1]),
      encode(null),
      encode({ voters: 'a', learners: [] }),
      encode({ voters: ['a'], learners: ['a'] }),
      encode({ voters: [''], learners: [] }),
      encode({ voters: [7], learners: [] }),
      encode({ voters: ['x'.repeat(300)], learners: [] }),
    ]
    for (const bytes of bad) {
      let caught: unknown
      try {
        decodeMembership(bytes)
      } catch (error) {
        caught = error
      }
      expect(isMosaikError(caught, 'ERR_DECODE')).toBe(true)
    }
  })
})
