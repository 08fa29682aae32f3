/**
 * Commands and queries (mosaik-features §5.2 `feed::*`, `execute::*`): feed resolves with the
 * assigned index, execute after commit and local apply, followers forward to the leader, local and
 * linearizable queries, concurrent calls, and the typed errors.
 */
import { describe, expect, it } from 'vitest'
import { join, leaderOf, nodes, T, votersReach } from './helpers.ts'

describe('feed and execute', () => {
  it('feed on a follower resolves with the index the leader assigned', async () => {
    const [n0, n1] = await nodes(2)
    const m0 = join(n0)
    await m0.client.when.online(T(10_000))
    const m1 = join(n1)
    await m1.client.when.online(T(10_000))
    const first = await m1.client.feed.increment({ by: 3 }, T(5_000))
    const second = await m1.client.feed.increment({ by: 4 }, T(5_000))
    expect(second).toBe(first + 1)
    await Promise.all([m0, m1].map((m) => m.client.when.committed().reaches(second, T(5_000))))
    expect(await m0.client.query.value({}, { consistency: 'local' })).toBe(7)
    expect(await m1.client.query.value({}, { consistency: 'local' })).toBe(7)
  })

  it("a machine's error reaches the proposer, also when a follower forwarded the command", async () => {
    const nets = await nodes(3)
    const members = nets.map((n) => join(n))
    const leader = await leaderOf(members)
    await votersReach(leader, 3)
    const follower = members.find((m) => m !== leader) as (typeof members)[0]
    const index = await follower.client.execute.increment({ by: 1 }, T(5_000))
    // The forwarded entry is usually applied here before the leader's answer arrives; its
    // outcome must not be reported as a success.
    for (let i = 0; i < 20; i++) {
      await expect(follower.client.execute.decrement({ by: 5 }, T(5_000))).rejects.toThrow('cannot decrement')
    }
    await expect(leader.client.execute.decrement({ by: 5 }, T(5_000))).rejects.toThrow('cannot decrement')
    await follower.client.when.committed().reaches(index, T(5_000))
    expect(follower.machine.total).toBe(1)
  })

  it('execute on leader and followers, local and linearizable queries, then a new leader', async () => {
    const nets = await nodes(3)
    const members = nets.map((n) => join(n))
    const leader = await leaderOf(members)
    await votersReach(leader, 3)
    const followers = members.filter((m) => m !== leader)
    const a = await leader.client.execute.increment({ by: 3 }, T(5_000))
    const b = await leader.client.execute.increment({ by: 4 }, T(5_000))
    expect(b).toBe(a + 1)
    expect(leader.machine.total).toBe(7)
    expect(await leader.client.query.value({}, { consistency: 'linearizable', ...T(5_000) })).toBe(7)
    for (const f of followers) {
      await f.client.when.committed().reaches(b, T(5_000))
      expect(await f.client.query.value({}, { consistency: 'local' })).toBe(7)
      expect(await f.client.query.value({}, T(5_000))).toBe(7)
    }
    const c = await (followers[0] as (typeof followers)[0]).client.execute.decrement({ by: 2 }, T(5_000))
    expect(c).toBeGreaterThan(b)
    // execute resolves after the local apply: the follower's own state already reflects it.
    expect(followers[0]?.machine.total).toBe(5)
    for (const m of members) await m.client.when.committed().reaches(c, T(5_000))

    const changed = followers.map((f) => f.client.when.leaderChanged(T(10_000)))
    await leader.network.close()
    const [x, y] = await Promise.all(changed)
    expect(x).toBe(y)
    const [f1, f2] = followers as [(typeof followers)[0], (typeof followers)[0]]
    const [i1, i2] = await Promise.all([
      f1.client.execute.increment({ by: 10 }, T(5_000)),
      f2.client.execute.increment({ by: 16 }, T(5_000)),
    ])
    await Promise.all(followers.map((f) => f.client.when.committed().reaches(Math.max(i1, i2), T(5_000))))
    expect(f1.machine.total).toBe(31)
    expect(f2.machine.total).toBe(31)
    expect(f1.machine.applied).toEqual(f2.machine.applied)
  })

  it('runs concurrent executes and queries from leader and follower exactly once', async () => {
    const nets = await nodes(2)
    const members = nets.map((n) => join(n))
    const leader = await leaderOf(members)
    const follower = members.find((m) => m !== leader) as typeof leader
    await follower.client.when.online(T(10_000))
    const calls = [
      ...[1, 2, 3, 4, 5].map((by) => leader.client.execute.increment({ by }, T(5_000))),
      ...[10, 11, 12, 13, 14].map((by) => follower.client.execute.increment({ by }, T(5_000))),
    ]
    const indexes = await Promise.all(calls)
    expect(new Set(indexes).size).toBe(10)
    await follower.client.when.committed().reaches(Math.max(...indexes), T(5_000))
    const reads = await Promise.all(
      members.flatMap((m) => [
        m.client.query.value({}, { consistency: 'local' }),
        m.client.query.value({}, { consistency: 'linearizable', ...T(5_000) }),
      ]),
    )
    expect(reads).toEqual([75, 75, 75, 75])
    expect([...leader.machine.applied].sort((p, q) => p - q)).toEqual([...indexes].sort((p, q) => p - q))
  })
})

describe('typed errors', () => {
  it('Offline without a leader, Validation for bad commands, GroupClosed after close', async () => {
    const [n0] = await nodes(1)
    const lonely = join(n0, { minVoters: 2 })
    await expect(lonely.client.execute.increment({ by: 1 }, T(600))).rejects.toMatchObject({
      code: 'ERR_OFFLINE',
    })
    await expect(lonely.client.query.value({}, T(600))).rejects.toMatchObject({ code: 'ERR_OFFLINE' })
    await expect(lonely.client.execute.increment({ by: -1 } as never)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    })
    await expect(lonely.client.execute.increment({ by: 'x' } as never)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    })
    expect(await lonely.client.query.value({}, { consistency: 'local' })).toBe(0)
    const pending = lonely.client.execute.increment({ by: 1 }, T(10_000))
    await lonely.client.close()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_GROUP_CLOSED' })
    await expect(lonely.client.execute.increment({ by: 1 })).rejects.toMatchObject({
      code: 'ERR_GROUP_CLOSED',
    })
  })
})
