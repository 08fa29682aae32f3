/**
 * Groups across real processes (one Node process per member, loopback):
 * - kill -9 of the leader under continuous writes: a new leader commits within twice the maximum
 *   election timeout, and after the killed node restarts from its WAL every acknowledged write is
 *   on every member, exactly once;
 * - a node restarted from its WAL recovers its state;
 * - a node without the group secret cannot bond, even knowing the StoreId, and cannot read.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { groupTiming } from '../../../runtime/groups/profiles.ts'
import { scaled } from '../../../runtime/primitives/time.ts'
import { ProcessSet } from '../../fault/harness/process.ts'
import {
  type Child,
  type ChildMessage,
  idsOf,
  nodeConfig,
  spawnMember,
  statusOf,
  tempDir,
  uniqueName,
  untilStatus,
} from './processes.ts'

const processes: ProcessSet[] = []
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  await Promise.all(processes.splice(0).map((set) => set.close()))
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

function processSet(): ProcessSet {
  const set = new ProcessSet()
  processes.push(set)
  return set
}

async function dirs(count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { dir, cleanup } = await tempDir(`mosaik-groups-${i}`)
      cleanups.push(cleanup)
      return `${dir}/wal`
    }),
  )
}

type Acked = Extract<ChildMessage, { type: 'acked' }>

function acked(children: readonly Child[]): Acked[] {
  return children.flatMap((c) => c.messages.filter((m): m is Acked => m.type === 'acked'))
}

describe('groups across processes', () => {
  it('kill -9 of the leader under writes: a new leader commits in time and no acknowledged write is lost', async () => {
    const set = processSet()
    const network = uniqueName('failover')
    const walDirs = await dirs(3)
    const configs = walDirs.map((dir, i) => nodeConfig(network, i, { dir }))
    const first = await spawnMember(set, configs[0] as (typeof configs)[0], 'n0')
    const others = await Promise.all(
      [1, 2].map((i) =>
        spawnMember(
          set,
          { ...(configs[i] as (typeof configs)[0]), bootstrap: first.ready.addresses },
          `n${i}`,
        ),
      ),
    )
    const members = [first, ...others]
    const statuses = await untilStatus(
      members.map((m) => m.child),
      (all) =>
        all.every((s) => s.members.voters.length === 3 && s.leader !== null && s.leader === all[0]?.leader),
    )
    const leaderId = statuses[0]?.leader
    const leader = members.find((m) => m.ready.peerId === leaderId) as (typeof members)[0]
    const followers = members.filter((m) => m !== leader)
    const oldTerm = statuses[0]?.term ?? 0
    for (const [i, f] of followers.entries()) f.child.send({ type: 'load', writers: 8, prefix: `w${i}` })
    await Promise.all(
      followers.map((f) =>
        f.child.waitFor((m) => m.type === 'acked' && m.index > 100, { timeout: scaled(30_000) }),
      ),
    )

    const killedAt = Date.now()
    await leader.child.kill()
    const firstNewTerm = (await Promise.race(
      followers.map((f) =>
        f.child.waitFor((m) => m.type === 'acked' && m.term > oldTerm, {
          since: 'now',
          timeout: scaled(30_000),
        }),
      ),
    )) as Acked
    const failoverMs = firstNewTerm.at - killedAt
    const timing = groupTiming('lan')
    const maxElection = 2 * timing.electionTicks * timing.tickMs
    console.log(
      `failover: first commit of a new leader ${failoverMs} ms after kill -9 (bound ${2 * maxElection} ms)`,
    )
    expect(failoverMs).toBeLessThanOrEqual(scaled(2 * maxElection))

    // Restart the killed node from its WAL with the same identity; it rejoins and catches up.
    const leaderIndex = members.indexOf(leader)
    const restarted = await spawnMember(
      set,
      {
        ...(configs[leaderIndex] as (typeof configs)[0]),
        bootstrap: followers.flatMap((f) => f.ready.addresses),
      },
      `n${leaderIndex}-restarted`,
    )
    expect(restarted.ready.peerId).toBe(leader.ready.peerId)
    await Promise.all(
      followers.map((f) =>
        f.child.waitFor((m) => m.type === 'acked', { since: 'now', timeout: scaled(10_000) }),
      ),
    )
    for (const f of followers) f.child.send({ type: 'stop-load' })
    await Promise.all(
      followers.map((f) => f.child.waitFor((m) => m.type === 'load-stopped', { timeout: scaled(30_000) })),
    )

    const everyone = [restarted.child, ...followers.map((f) => f.child)]
    const writes = acked(followers.map((f) => f.child))
    expect(writes.length).toBeGreaterThan(200)
    const committed = Math.max(...writes.map((w) => w.index))
    await untilStatus(everyone, (all) => all.every((s) => s.committed >= committed && s.leader !== null))
    const held = await Promise.all(everyone.map(idsOf))
    for (const ids of held) {
      const set = new Set(ids)
      const missing = writes.filter((w) => !set.has(w.id))
      expect(missing, `acknowledged writes missing on a member`).toEqual([])
    }
    expect(new Set(held.map((ids) => ids.join()))).toHaveProperty('size', 1)
    for (const status of await Promise.all(everyone.map(statusOf))) expect(status.duplicates).toBe(0)
  })

  it('a node restarted from its WAL recovers its state (snapshot, compacted log and tail)', async () => {
    const set = processSet()
    const [dir] = await dirs(1)
    // Snapshots every 100 entries, so the restart restores one and replays the entries after it.
    const timing = { formationDelayMs: 300, snapshotEvery: 100, compactionMargin: 20 }
    const config = nodeConfig(uniqueName('restart'), 0, { dir: dir as string, timing })
    const first = await spawnMember(set, config, 'single')
    await untilStatus([first.child], ([s]) => s?.isLeader === true)
    first.child.send({ type: 'load', writers: 16, prefix: 'r' })
    await first.child.waitFor((m) => m.type === 'acked' && m.index > 300, { timeout: scaled(30_000) })
    await first.child.kill()
    const writes = acked([first.child])
    const again = await spawnMember(set, config, 'single-restarted')
    expect(again.ready.peerId).toBe(first.ready.peerId)
    const committed = Math.max(...writes.map((w) => w.index))
    await untilStatus([again.child], ([s]) => s?.isLeader === true && s.committed >= committed)
    const ids = new Set(await idsOf(again.child))
    expect(writes.filter((w) => !ids.has(w.id))).toEqual([])
  })

  it('a node without the secret cannot bond or read', async () => {
    const set = processSet()
    const network = uniqueName('secret')
    const a = await spawnMember(set, nodeConfig(network, 0), 'a')
    const b = await spawnMember(set, nodeConfig(network, 1, { bootstrap: a.ready.addresses }), 'b')
    await untilStatus([a.child, b.child], (all) =>
      all.every((s) => s.bonded.length === 1 && s.leader !== null),
    )
    a.child.send({ type: 'load', writers: 2, prefix: 'secret' })
    await a.child.waitFor((m) => m.type === 'acked' && m.index > 10, { timeout: scaled(15_000) })
    a.child.send({ type: 'stop-load' })
    await a.child.waitFor((m) => m.type === 'load-stopped', { timeout: scaled(15_000) })
    const outsider = await spawnMember(
      set,
      nodeConfig(network, 2, { bootstrap: a.ready.addresses, secret: 'not the secret' }),
      'outsider',
    )
    expect(outsider.ready.storeId).not.toBe(a.ready.storeId)
    outsider.child.send({
      type: 'forge',
      peer: a.ready.peerId,
      storeId: a.ready.storeId,
      groupId: a.ready.groupId,
    })
    const forged = await outsider.child.waitFor((m) => m.type === 'forged', { timeout: scaled(15_000) })
    expect(forged).toMatchObject({ ok: false, reason: 'invalid-proof' })
    const [sa, sb, so] = await Promise.all([a.child, b.child, outsider.child].map(statusOf))
    expect(sa?.bonded).toEqual([b.ready.peerId])
    expect(sb?.bonded).toEqual([a.ready.peerId])
    expect(so?.bonded).toEqual([])
    expect(await idsOf(outsider.child)).toEqual([])
    const written = acked([a.child]).map((w) => w.id)
    expect(written.length).toBeGreaterThan(5)
    expect(await idsOf(a.child)).toEqual(expect.arrayContaining(written))
  })
})
