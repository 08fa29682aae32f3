/**
 * Leader election and formation (mosaik-features §5.2 `leader::*`), on real nodes over loopback:
 * a lone node elects itself, later joiners follow it without a new election, the survivors of a
 * departed leader agree on a new one, rival groups that formed apart merge deterministically and
 * report what was discarded, and `minVoters` holds back the first election.
 */
import { describe, expect, it } from 'vitest'
import type { GroupEvent, GroupMergedEvent } from '../../../runtime/groups/runtime/events.ts'
import { discoverAll } from '../../../runtime/testing/index.ts'
import { groupOf, join, leaderOf, nodes, T, until, votersReach } from './helpers.ts'

describe('leader election', () => {
  it('a lone node elects itself; joiners follow it; survivors elect one new leader', async () => {
    const [n0, n1, n2, n3] = await nodes(4)
    const m0 = join(n0)
    expect(m0.client.leader).toBeUndefined()
    expect(await m0.client.when.leaderElected(T(10_000))).toBe(n0?.peerId)
    const term = groupOf(m0).term
    const m1 = join(n1)
    const m2 = join(n2)
    expect(await m1.client.when.leaderElected(T(10_000))).toBe(n0?.peerId)
    expect(await m2.client.when.leaderElected(T(10_000))).toBe(n0?.peerId)
    expect(groupOf(m0).term).toBe(term)
    await votersReach(m0, 3)
    await until(() => m1.client.members.voters.length === 3 && m2.client.members.voters.length === 3)

    const changed = [m1.client.when.leaderChanged(T(10_000)), m2.client.when.leaderChanged(T(10_000))]
    await n0?.close()
    const [l1, l2] = await Promise.all(changed)
    expect(l1).toBe(l2)
    expect([m1, m2].filter((m) => m.client.isLeader)).toHaveLength(1)
    const m3 = join(n3)
    expect(await m3.client.when.leaderElected(T(10_000))).toBe(l1)
  })

  it('waits for minVoters bonded members before the first election', async () => {
    const [n0, n1, n2] = await nodes(3)
    const m0 = join(n0 as never, { minVoters: 3 })
    const m1 = join(n1 as never, { minVoters: 3 })
    await until(() => groupOf(m0).bonded.length === 1, 10_000, 'bond')
    await expect(m0.client.when.leaderElected(T(1_200))).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    expect(m1.client.leader).toBeUndefined()
    const m2 = join(n2 as never, { minVoters: 3 })
    const leader = await leaderOf([m0, m1, m2])
    expect(leader.client.members.voters).toHaveLength(3)
    expect(groupOf(m0).formation).toEqual(groupOf(m2).formation)
  })
})

describe('rival groups that formed apart', () => {
  it('merge into the oldest formation, and the discarded side reports its entries', async () => {
    const nets = await nodes(3, false)
    const [n0, n1, n2] = nets
    const events: GroupEvent[] = []
    for (const n of [n1, n2]) n?.groups.subscribe((e) => events.push(e))
    const m0 = join(n0)
    await m0.client.when.leaderElected(T(10_000))
    const m1 = join(n1)
    await m1.client.when.leaderElected(T(10_000))
    const m2 = join(n2)
    await m2.client.when.leaderElected(T(10_000))
    // Different log positions, as in mosaik's rivals_with_different_log_pos.
    for (const by of [1, 2, 3]) await m0.client.execute.increment({ by }, T(5_000))
    await m1.client.execute.increment({ by: 100 }, T(5_000))
    const [f0, f1, f2] = [m0, m1, m2].map((m) => groupOf(m).formation?.id)
    expect(new Set([f0, f1, f2]).size).toBe(3)

    await discoverAll(nets)
    await until(
      () => [m1, m2].every((m) => groupOf(m).formation?.id === f0 && m.machine.total === 6),
      15_000,
      'merge',
    )
    const leader = await leaderOf([m0, m1, m2])
    expect(leader).toBe(m0)
    // Each losing node reports the group it discarded (a node may pass through another losing
    // group on its way, which it then discards as well).
    const merged = events.filter((e): e is GroupMergedEvent => e.type === 'merged')
    expect(new Set(merged.map((e) => e.discarded.id))).toEqual(new Set([f1, f2]))
    expect(merged.every((e) => e.winner.at <= e.discarded.at)).toBe(true)
    const fromN1 = merged.find((e) => e.discarded.id === f1)
    expect(fromN1?.commands).toBe(1)
    expect(fromN1?.entries).toBeGreaterThanOrEqual(2)
    expect(
      await n1?.metrics.value('mosaik_groups_merges_total', { group: `counter/${m1.client.storeId.short}` }),
    ).toBeGreaterThanOrEqual(1)
    expect(await m2.client.query.value({}, { consistency: 'linearizable', ...T(5_000) })).toBe(6)
  })
})

describe('leadership preferences', () => {
  it('an observer replicates but never votes or leads; leadership can be handed to a voter', async () => {
    const [n0, n1, n2, n3] = await nodes(4)
    const voters = [join(n0), join(n1), join(n2)]
    const observer = join(n3, { leadership: 'observer' })
    const leader = await leaderOf(voters)
    await votersReach(leader, 3)
    await until(() => leader.client.members.learners.includes(n3?.peerId ?? ''), 10_000, 'observer joins')
    const index = await observer.client.execute.increment({ by: 5 }, T(5_000))
    await observer.client.when.committed().reaches(index, T(5_000))
    expect(observer.machine.total).toBe(5)
    const target = voters.find((m) => m !== leader) as (typeof voters)[0]
    groupOf(leader).transferLeadership(target.network.peerId)
    expect(await target.client.when.leaderChanged(T(10_000))).toBe(target.network.peerId)
    expect(observer.client.members.voters).not.toContain(n3?.peerId)
    expect(observer.client.isLeader).toBe(false)
    expect(() => groupOf(observer).transferLeadership(target.network.peerId)).toThrow(/leader/)
  })
})
