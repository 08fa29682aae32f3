/**
 * Catching up (mosaik-features §5.2 `catchup::*`): a late joiner receives the log from the leader;
 * once the log is compacted, it installs a snapshot fetched from several peers in parallel, then
 * replays the tail; and it keeps up with new commands afterwards.
 */
import { describe, expect, it } from 'vitest'
import type { GroupTiming } from '../../../runtime/groups/profiles.ts'
import { groupOf, join, type Member, nodes, T, votersReach } from './helpers.ts'

async function fill(member: Member, from: number, to: number): Promise<number> {
  let last = 0
  const batch: Promise<number>[] = []
  for (let by = from; by < to; by++) batch.push(member.client.execute.increment({ by }, T(10_000)))
  for (const index of await Promise.all(batch)) last = Math.max(last, index)
  return last
}

describe('catch-up', () => {
  it('a late joiner gets the log from the leader and follows new commands', async () => {
    const [n0, n1] = await nodes(2)
    const m0 = join(n0)
    await m0.client.when.online(T(10_000))
    const last = await fill(m0, 0, 4)
    const m1 = join(n1)
    expect(await m1.client.when.leaderElected(T(10_000))).toBe(n0?.peerId)
    await m1.client.when.committed().reaches(last, T(10_000))
    expect(await m1.client.query.value({}, { consistency: 'local' })).toBe(6)
    const next = await fill(m0, 0, 3)
    await m1.client.when.committed().reaches(next, T(10_000))
    expect(m1.machine.total).toBe(9)
    expect(m1.machine.applied).toEqual(m0.machine.applied)
  })

  it('behind the compacted log, a joiner installs a snapshot fetched from several peers in parallel', async () => {
    const timing: Partial<GroupTiming> = { snapshotEvery: 50, compactionMargin: 10 }
    const [n0, n1, n2] = await nodes(3)
    const m0 = join(n0, { timing })
    await m0.client.when.online(T(10_000))
    const first = await fill(m0, 0, 200)
    const m1 = join(n1, { timing })
    await m1.client.when.committed().reaches(first, T(15_000))
    expect(m1.machine.total).toBe(19_900)
    // m1 started from a snapshot: it never applied the early commands itself.
    expect(m1.machine.applied.length).toBeLessThan(200)
    const second = await fill(m1, 200, 400)
    await m0.client.when.committed().reaches(second, T(15_000))
    // Tiny chunks, so the snapshot is spread over both holders.
    const m2 = join(n2, { timing: { ...timing, syncChunkBytes: 2 } })
    await m2.client.when.committed().reaches(second, T(15_000))
    for (const m of [m0, m1, m2]) expect(m.machine.total).toBe(79_800)
    const label = (m: Member, kind: string) => ({ group: `counter/${m.client.storeId.short}`, kind })
    expect(await n2?.metrics.value('mosaik_groups_snapshot_transfers_total', label(m2, 'fetched'))).toBe(1)
    for (const m of [m0, m1]) {
      expect(
        await m.network.metrics.value('mosaik_groups_snapshot_transfers_total', label(m, 'served')),
      ).toBeGreaterThan(0)
    }
    await votersReach(m0, 3)
    const third = await m2.client.execute.increment({ by: 1 }, T(5_000))
    await Promise.all([m0, m1].map((m) => m.client.when.committed().reaches(third, T(5_000))))
    expect(groupOf(m0).formation).toEqual(groupOf(m2).formation)
    expect(m0.machine.total).toBe(79_801)
  })
})
