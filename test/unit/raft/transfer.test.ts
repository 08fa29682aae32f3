/** Leadership transfer: catch the target up, hand over, lose nothing; give up if it cannot. */
import { describe, expect, it } from 'vitest'
import { TestCluster } from './harness.ts'

const three = ['n1', 'n2', 'n3']

describe('leadership transfer', () => {
  it('hands over to a lagging follower after catching it up, without losing committed entries', () => {
    const c = new TestCluster({ voters: three })
    const leader = c.electSomeone()
    const target = three.find((id) => id !== leader) as string
    c.cut(leader, target)
    for (let i = 0; i < 10; i++) c.put(leader, `k${i}`, `v${i}`)
    c.run(2)
    const committed = c.node(leader).commit
    expect(c.node(target).commit).toBeLessThan(committed)
    c.heal()
    expect(c.node(leader).transferLeadership(target).ok).toBe(true)
    expect(c.put(leader, 'late', 'x')).toEqual({ ok: false, reason: 'transferring' })
    c.run(3)
    expect(c.leader()).toBe(target)
    expect(c.node(target).commit).toBeGreaterThanOrEqual(committed)
    c.put(target, 'after', 'y')
    c.run(2)
    for (let i = 0; i < 10; i++) expect(c.values(`k${i}`)).toEqual({ n1: `v${i}`, n2: `v${i}`, n3: `v${i}` })
    expect(c.values('after')).toEqual({ n1: 'y', n2: 'y', n3: 'y' })
    expect(c.checker.violations).toEqual([])
  })

  it('gives up after an election timeout if the target is unreachable, and takes proposals again', () => {
    const c = new TestCluster({ voters: three })
    const leader = c.electSomeone()
    const target = three.find((id) => id !== leader) as string
    c.isolate(target)
    expect(c.node(leader).transferLeadership(target).ok).toBe(true)
    c.run(11)
    expect(c.leader()).toBe(leader)
    expect(c.node(leader).status().transferee).toBeNull()
    expect(c.put(leader, 'k', 'v').ok).toBe(true)
  })

  it('refuses a target that is not a voter', () => {
    const c = new TestCluster({ voters: three, learners: ['n4'] })
    const leader = c.electSomeone()
    expect(c.node(leader).transferLeadership('n4')).toEqual({ ok: false, reason: 'unknown-peer' })
    expect(c.node(leader).transferLeadership('n9')).toEqual({ ok: false, reason: 'unknown-peer' })
  })
})
