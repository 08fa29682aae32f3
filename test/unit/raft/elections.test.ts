/**
 * Election scenarios: pre-vote, check-quorum, leadership preferences, restarts and first
 * formation. Where a feature is the point of a test, a control run without it shows the failure
 * the feature prevents.
 */
import { describe, expect, it } from 'vitest'
import { bootstrapState } from '../../../runtime/groups/raft/bootstrap.ts'
import { membership } from '../../../runtime/groups/raft/membership.ts'
import { TestCluster } from './harness.ts'

const three = ['n1', 'n2', 'n3']

describe('pre-vote', () => {
  function rejoin(
    preVote: boolean,
    checkQuorum = preVote,
  ): {
    before: number
    after: number
    leaderBefore: string
    leaderAfter?: string
  } {
    const c = new TestCluster({ voters: three, config: { preVote, checkQuorum } })
    const leader = c.electSomeone()
    const before = c.node(leader).term
    const lonely = three.find((id) => id !== leader) as string
    c.isolate(lonely)
    c.run(100)
    c.heal()
    c.node(lonely).campaign() // it campaigns before hearing from the leader again
    c.stabilize()
    c.run(30)
    const after = c.leader()
    return {
      before,
      after: after === undefined ? -1 : c.node(after).term,
      leaderBefore: leader,
      ...(after === undefined ? {} : { leaderAfter: after }),
    }
  }

  it('a partitioned node rejoining does not disrupt the leader', () => {
    const { before, after, leaderBefore, leaderAfter } = rejoin(true)
    expect(leaderAfter).toBe(leaderBefore)
    expect(after).toBe(before)
  })

  it('pre-vote alone (no check-quorum) is enough', () => {
    const { before, after, leaderBefore, leaderAfter } = rejoin(true, false)
    expect(leaderAfter).toBe(leaderBefore)
    expect(after).toBe(before)
  })

  it('without pre-vote the rejoining node forces a new election (control)', () => {
    const { before, after } = rejoin(false)
    expect(after).toBeGreaterThan(before)
  })

  it('an isolated node does not inflate its term', () => {
    const c = new TestCluster({ voters: three })
    const leader = c.electSomeone()
    const lonely = three.find((id) => id !== leader) as string
    const term = c.node(lonely).term
    c.isolate(lonely)
    c.run(100)
    expect(c.node(lonely).term).toBe(term)
    expect(c.node(lonely).role).toBe('pre-candidate')
  })
})

describe('check-quorum', () => {
  function isolatedLeaderRole(checkQuorum: boolean): string {
    const c = new TestCluster({ voters: three, config: { checkQuorum, preVote: true } })
    const leader = c.electSomeone()
    c.isolate(leader)
    c.run(25)
    return c.node(leader).role
  }

  it('a leader in a minority steps down within two election timeouts', () => {
    expect(isolatedLeaderRole(true)).toBe('follower')
  })

  it('without check-quorum it stays leader (control)', () => {
    expect(isolatedLeaderRole(false)).toBe('leader')
  })

  it('the majority elects a new leader meanwhile', () => {
    const c = new TestCluster({ voters: three })
    const old = c.electSomeone()
    c.isolate(old)
    c.run(60)
    const now = c.leader()
    expect(now).toBeDefined()
    expect(now).not.toBe(old)
    expect(c.node(now as string).term).toBeGreaterThan(c.node(old).term)
  })
})

describe('leadership preferences', () => {
  it('a reluctant node only leads when nobody else does', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const c = new TestCluster({
        voters: three,
        seed,
        hostConfig: { n3: { leadership: { kind: 'reluctant', factor: 3 } } },
      })
      expect(c.electSomeone()).not.toBe('n3')
    }
    // With no normal node left, a reluctant one does take over.
    const reluctant = { leadership: { kind: 'reluctant' as const, factor: 3 } }
    const c = new TestCluster({ voters: three, hostConfig: { n2: reluctant, n3: reluctant } })
    expect(c.electSomeone()).toBe('n1')
    c.crash('n1')
    expect(['n2', 'n3']).toContain(c.electSomeone(400))
  })

  it('an observer never campaigns and never grants a vote', () => {
    const c = new TestCluster({
      voters: [...three, 'n4'],
      hostConfig: { n4: { leadership: { kind: 'observer' } } },
    })
    c.electSomeone()
    for (const id of three) c.crash(id)
    c.run(100)
    expect(c.node('n4').role).toBe('follower')
    c.node('n4').step({
      type: 'vote',
      from: 'n1',
      to: 'n4',
      term: 99,
      pre: false,
      lastIndex: 99,
      lastTerm: 99,
      transfer: true,
    })
    c.process()
    expect(c.inbox).toEqual([expect.objectContaining({ type: 'vote-response', from: 'n4', reject: true })])
  })
})

describe('restarts', () => {
  it('a restarted node keeps its term and vote', () => {
    const c = new TestCluster({ voters: three })
    const leader = c.electSomeone()
    const follower = three.find((id) => id !== leader) as string
    const { term, vote } = c.node(follower).status()
    c.crash(follower)
    c.start(follower)
    expect(c.node(follower).status()).toMatchObject({ term, vote })
  })

  it('keeps every committed value across a full-cluster restart', () => {
    const c = new TestCluster({ voters: three })
    const leader = c.electSomeone()
    for (let i = 0; i < 5; i++) c.put(leader, `k${i}`, `v${i}`)
    c.stabilize()
    for (const id of three) c.crash(id)
    for (const id of three) c.start(id)
    c.electSomeone()
    c.run(3)
    for (let i = 0; i < 5; i++) expect(Object.values(c.values(`k${i}`))).toEqual([`v${i}`, `v${i}`, `v${i}`])
    expect(c.checker.violations).toEqual([])
  })
})

describe('first formation', () => {
  it('founders that cannot see each other elect nobody and commit nothing', () => {
    const c = new TestCluster({ voters: three })
    for (const id of three) c.isolate(id)
    c.run(300)
    expect(c.leader()).toBeUndefined()
    for (const id of three) expect(c.node(id).commit).toBe(1)
  })

  it('a majority of founders forms the group; the last one catches up without conflict', () => {
    const c = new TestCluster({ voters: three })
    c.isolate('n3')
    const leader = c.electSomeone()
    expect(leader).not.toBe('n3')
    c.put(leader, 'k', 'v')
    c.run(3)
    expect(c.node('n3').role).not.toBe('leader')
    c.heal()
    c.run(30)
    expect(c.values('k')).toEqual({ n1: 'v', n2: 'v', n3: 'v' })
    expect(c.checker.violations).toEqual([])
  })

  it('separately bootstrapped single-node groups differ in their first entry (detectable)', () => {
    const a = bootstrapState(membership(['a']))
    const b = bootstrapState(membership(['b']))
    expect(a.entries[0]?.data).not.toEqual(b.entries[0]?.data)
    const same = bootstrapState(membership(['b', 'a']))
    expect(same.entries[0]?.data).toEqual(bootstrapState(membership(['a', 'b'])).entries[0]?.data)
  })
})
