/**
 * Raft paper figure 8: a leader must not commit an entry of an earlier term by counting replicas.
 * The same script runs against the real core (safe) and against the core with the current-term
 * rule switched off, where the invariant checker must see a committed entry being lost.
 */
import { describe, expect, it } from 'vitest'
import type { RaftDebugFlags } from '../../../runtime/groups/raft/config.ts'
import type { Message } from '../../../runtime/groups/raft/types.ts'
import { TestCluster } from './harness.ts'

const ids = ['s1', 's2', 's3', 's4', 's5']

function figure8(debug: RaftDebugFlags): TestCluster {
  // One entry per append message, so the leader can be stopped between two entries.
  const c = new TestCluster({
    voters: ids,
    config: { preVote: false, checkQuorum: false, maxSizePerMsg: 1, debug },
  })
  // (a) s1 leads term 2 and appends X at index 3, which reaches nobody.
  expect(c.elect('s1')).toBe('leader')
  expect(c.node('s1').term).toBe(2)
  expect(c.put('s1', 'x', 'X').ok).toBe(true)
  c.stabilize((m) => m.type !== 'append')
  // (b) s1 crashes; s5 leads term 3 (votes of s3, s4) and appends its no-op at index 3, alone.
  c.crash('s1')
  c.node('s5').campaign()
  c.stabilize((m) => m.type !== 'append')
  expect(c.node('s5').role).toBe('leader')
  expect(c.node('s5').term).toBe(3)
  expect(c.node('s5').termAt(3)).toBe(3)
  c.crash('s5')
  // (c) s1 restarts and leads term 4; X (term 2) reaches a majority, its term-4 no-op does not.
  c.start('s1')
  expect(c.elect('s1')).toBe('follower') // term 3: everyone voted for s5
  // The no-op must not reach anyone who already holds X.
  const beyondX = (m: Message) =>
    m.type === 'append' && m.entries.some((e) => e.index >= 4) && c.host(m.to).node?.termAt(3) === 2
  c.node('s1').campaign()
  c.stabilize((m) => !beyondX(m))
  expect(c.node('s1').role).toBe('leader')
  expect(c.node('s1').term).toBe(4)
  for (const id of ['s2', 's3']) expect(c.node(id).termAt(3)).toBe(2)
  // (d) s1 crashes again; s5 (last entry of term 3) wins term 5 and overwrites index 3.
  c.crash('s1')
  c.start('s5')
  c.elect('s5')
  expect(c.elect('s5')).toBe('leader')
  c.stabilize()
  c.start('s1')
  c.tick(['s5'])
  c.stabilize()
  return c
}

describe('Raft figure 8', () => {
  it('never commits an entry of an earlier term by counting replicas', () => {
    const c = figure8({})
    expect(c.checker.violations).toEqual([])
    // X was never committed, so losing it is allowed; everyone agrees on s5's entry.
    for (const id of ids) expect(c.node(id).termAt(3)).toBe(3)
    expect(c.values('x')).toEqual({ s1: null, s2: null, s3: null, s4: null, s5: null })
  })

  it('is caught by the invariant checker when the current-term rule is switched off', () => {
    const c = figure8({ commitEarlierTerms: true })
    const broken = c.checker.violations.map((v) => v.invariant)
    expect(broken).toContain('leader completeness')
  })
})
