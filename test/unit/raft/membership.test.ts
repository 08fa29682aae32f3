/**
 * Membership in the log: learners, single-voter steps, the guards on changes, and a leader that
 * removes itself.
 */
import { describe, expect, it } from 'vitest'
import { membership } from '../../../runtime/groups/raft/membership.ts'
import { TestCluster } from './harness.ts'

const three = ['n1', 'n2', 'n3']

describe('learners', () => {
  it('a learner never votes nor counts toward the quorum', () => {
    const c = new TestCluster({ voters: three, learners: ['n4'] })
    const leader = c.electSomeone()
    const others = three.filter((id) => id !== leader)
    for (const id of others) c.isolate(id)
    const before = c.node(leader).commit
    const proposed = c.put(leader, 'k', 'v')
    c.run(3)
    // The learner has the entry, the leader too: two copies, but only one voter.
    expect(c.node('n4').lastIndex).toBe(proposed.ok ? proposed.index : -1)
    expect(c.node(leader).commit).toBe(before)
    c.node('n4').step({
      type: 'vote',
      from: 'n9',
      to: 'n4',
      term: 50,
      pre: false,
      lastIndex: 99,
      lastTerm: 49,
      transfer: true,
    })
    c.process()
    expect(c.inbox.find((m) => m.from === 'n4' && m.type === 'vote-response')).toMatchObject({ reject: true })
  })

  it('a learner never campaigns, even with every voter gone', () => {
    const c = new TestCluster({ voters: three, learners: ['n4'] })
    c.electSomeone()
    for (const id of three) c.crash(id)
    c.run(200)
    expect(c.node('n4').role).toBe('follower')
    expect(c.inbox.filter((m) => m.from === 'n4' && m.type === 'vote')).toEqual([])
  })
})

describe('membership changes', () => {
  it('adds a learner, catches it up, then promotes it to a voter that counts', () => {
    const c = new TestCluster({ voters: three, spares: ['n4'] })
    const leader = c.electSomeone()
    c.put(leader, 'k', 'v')
    expect(c.node(leader).proposeMembership(membership(three, ['n4'])).ok).toBe(true)
    c.run(5)
    expect(c.values('k').n4).toBe('v')
    expect(c.node('n4').membership).toEqual(membership(three, ['n4']))
    expect(c.node(leader).proposeMembership(membership([...three, 'n4'])).ok).toBe(true)
    c.run(3)
    expect(c.node('n1').membership.voters).toEqual(['n1', 'n2', 'n3', 'n4'])
    // Four voters need three: the leader plus one other is no longer enough.
    const [a, b] = three.filter((id) => id !== leader) as [string, string]
    c.isolate(a)
    c.isolate(b)
    const before = c.node(leader).commit
    c.put(leader, 'k', 'w')
    c.run(3)
    expect(c.node(leader).commit).toBe(before)
  })

  it('refuses changing two voters at once, a second change in flight, and before the term is committed', () => {
    const c = new TestCluster({
      voters: three,
      spares: ['n4', 'n5'],
      config: { preVote: false, checkQuorum: false },
    })
    const leader = c.electSomeone()
    const node = c.node(leader)
    const invalid = { ok: false, reason: 'invalid-membership' }
    expect(node.proposeMembership(membership([...three, 'n4', 'n5']))).toEqual(invalid)
    expect(node.proposeMembership({ voters: three, learners: ['n1'] })).toEqual(invalid)
    expect(node.proposeMembership({ voters: [], learners: [] })).toEqual(invalid)
    for (const id of three) if (id !== leader) c.isolate(id)
    expect(node.proposeMembership(membership([...three, 'n4'])).ok).toBe(true)
    expect(node.proposeMembership(membership([...three, 'n4', 'n5']))).toEqual({
      ok: false,
      reason: 'config-pending',
    })
    c.heal()
    c.run(3)
    // A fresh leader must first commit an entry of its own term.
    const next = three.find((id) => id !== leader) as string
    c.node(next).campaign()
    c.stabilize((m) => m.type === 'vote' || m.type === 'vote-response')
    expect(c.node(next).role).toBe('leader')
    expect(c.node(next).proposeMembership(membership(three, ['n4']))).toEqual({
      ok: false,
      reason: 'term-not-committed',
    })
  })

  it('a leader that removes itself steps down once the change commits, and the rest go on', () => {
    const c = new TestCluster({ voters: three })
    const leader = c.electSomeone()
    const rest = three.filter((id) => id !== leader)
    expect(c.node(leader).proposeMembership(membership(rest)).ok).toBe(true)
    c.run(2)
    expect(c.node(leader).role).toBe('follower')
    const next = c.electSomeone()
    expect(rest).toContain(next)
    c.put(next, 'k', 'after')
    c.run(3)
    for (const id of rest) expect(c.host(id).kv.get('k')).toBe('after')
    c.run(100)
    expect(c.leader()).toBe(next)
    expect(c.checker.violations).toEqual([])
  })

  it('a removed node that never heard of its removal does not disrupt the group', () => {
    const c = new TestCluster({ voters: [...three, 'n4'] })
    const leader = c.electSomeone(400)
    const gone = ['n4', 'n3', 'n2'].find((id) => id !== leader) as string
    c.isolate(gone)
    expect(
      c.node(leader).proposeMembership(membership([...three, 'n4'].filter((id) => id !== gone))).ok,
    ).toBe(true)
    c.run(3)
    const term = c.node(leader).term
    c.run(100)
    c.heal()
    c.run(100)
    expect(c.leader()).toBe(leader)
    expect(c.node(leader).term).toBe(term)
  })
})
