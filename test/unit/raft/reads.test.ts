/**
 * Linearizable reads: ReadIndex on the leader and through followers, lease reads, and the case the
 * Rust original gets wrong — a deposed leader that does not know it yet must not answer.
 */
import { describe, expect, it } from 'vitest'
import type { RaftConfig } from '../../../runtime/groups/raft/config.ts'
import { TestCluster } from './harness.ts'

const three = ['n1', 'n2', 'n3']

function cluster(config: Partial<RaftConfig> = {}): { c: TestCluster; leader: string; followers: string[] } {
  const c = new TestCluster({ voters: three, config })
  const leader = c.electSomeone()
  c.put(leader, 'k', 'a')
  c.stabilize()
  return { c, leader, followers: three.filter((id) => id !== leader) }
}

describe('ReadIndex', () => {
  it('serves a read on the leader after one heartbeat round, at the commit index', () => {
    const { c, leader } = cluster()
    c.node(leader).readIndex('r1')
    c.process()
    expect(c.reads.get(leader)).toEqual([])
    expect(c.inbox.filter((m) => m.type === 'heartbeat')).toHaveLength(2)
    c.stabilize()
    expect(c.reads.get(leader)).toEqual([{ requestId: 'r1', index: c.node(leader).commit }])
  })

  it('batches reads that arrive together into one round', () => {
    const { c, leader } = cluster()
    for (let i = 0; i < 10; i++) c.node(leader).readIndex(`r${i}`)
    c.process()
    expect(c.inbox.filter((m) => m.type === 'heartbeat')).toHaveLength(2)
    c.stabilize()
    expect(c.reads.get(leader)).toHaveLength(10)
  })

  it('serves a read through a follower', () => {
    const { c, leader, followers } = cluster()
    const f = followers[0] as string
    c.node(f).readIndex('rf')
    c.stabilize()
    expect(c.reads.get(f)).toEqual([{ requestId: 'rf', index: c.node(leader).commit }])
  })

  it('drops a follower read when no leader is known', () => {
    const c = new TestCluster({ voters: three })
    c.node('n1').readIndex('r')
    c.process()
    expect(c.dropped.get('n1')).toEqual(['r'])
  })

  it('a new leader answers only once an entry of its term is committed', () => {
    const { c, leader } = cluster({ preVote: false, checkQuorum: false })
    const next = three.find((id) => id !== leader) as string
    c.node(next).campaign()
    // Deliver the votes but no appends: the new leader cannot commit its no-op yet.
    c.stabilize((m) => m.type !== 'append' && m.type !== 'heartbeat')
    expect(c.node(next).role).toBe('leader')
    c.node(next).readIndex('early')
    c.stabilize((m) => m.type !== 'append')
    expect(c.reads.get(next)).toEqual([])
    c.run(2)
    const served = c.reads.get(next) ?? []
    expect(served).toHaveLength(1)
    expect(served[0]?.index).toBeGreaterThanOrEqual(c.node(next).commit)
    expect(c.node(next).termAt(served[0]?.index ?? 0)).toBe(c.node(next).term)
  })
})

describe('a deposed leader', () => {
  function partitionedRead(debug: RaftConfig['debug']): { c: TestCluster; old: string } {
    // No check-quorum: the old leader keeps believing it leads while the others move on.
    const { c, leader: old } = cluster({ checkQuorum: false, debug })
    c.isolate(old)
    c.run(40)
    const next = c.leader()
    expect(next).not.toBe(old)
    c.put(next as string, 'k', 'b')
    c.stabilize()
    expect(c.node(old).role).toBe('leader')
    c.node(old).readIndex('stale?')
    c.run(5)
    return { c, old }
  }

  it('cannot serve a linearizable read, and drops it once it learns the news', () => {
    const { c, old } = partitionedRead({})
    expect(c.reads.get(old)).toEqual([])
    c.heal()
    c.run(5)
    expect(c.node(old).role).toBe('follower')
    expect(c.reads.get(old)).toEqual([])
    expect(c.dropped.get(old)).toEqual(['stale?'])
  })

  it('would serve a stale value if leadership were not confirmed (control)', () => {
    const { c, old } = partitionedRead({ readWithoutQuorum: true })
    expect(c.reads.get(old)).toHaveLength(1)
    expect(c.host(old).kv.get('k')).toBe('a')
  })
})

describe('lease reads', () => {
  it('serve at once while the lease holds, without a message', () => {
    const { c, leader } = cluster({ readMode: 'lease' })
    c.run(1)
    c.node(leader).readIndex('fast')
    c.process()
    expect(c.reads.get(leader)).toEqual([{ requestId: 'fast', index: c.node(leader).commit }])
  })

  it('fall back to ReadIndex once the lease has run out', () => {
    const { c, leader } = cluster({ readMode: 'lease' })
    c.isolate(leader)
    c.run(8) // electionTicks − leaseMarginTicks
    c.node(leader).readIndex('late')
    c.process()
    expect(c.reads.get(leader)).toEqual([])
  })

  it('are off after a leadership transfer started', () => {
    const { c, leader, followers } = cluster({ readMode: 'lease' })
    c.run(1)
    c.isolate(followers[0] as string)
    expect(c.node(leader).transferLeadership(followers[0] as string).ok).toBe(true)
    c.node(leader).readIndex('during-transfer')
    c.process()
    expect(c.reads.get(leader)).toEqual([])
  })
})
