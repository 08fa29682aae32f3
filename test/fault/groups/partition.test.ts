/**
 * A 5-member group, one process per network namespace, with the leader partitioned into the
 * minority (itself and one follower): the majority elects a new leader and keeps committing, the
 * old leader serves no linearizable read, and once the partition heals every member holds the same
 * log with every acknowledged write.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { scaled } from '../../../runtime/primitives/time.ts'
import {
  CHILD,
  type Child,
  type ChildMessage,
  idsOf,
  nodeConfig,
  statusOf,
  uniqueName,
  untilStatus,
} from '../../e2e/groups/processes.ts'
import { faultCapability } from '../harness/capability.ts'
import { Cluster } from '../harness/cluster.ts'

const capability = await faultCapability()
const PORT = 4001

type Acked = Extract<ChildMessage, { type: 'acked' }>

describe('groups under a partition (network namespaces)', () => {
  beforeEach((ctx) => {
    if (!capability.ok) ctx.skip(`namespace faults unavailable: ${capability.reason}`)
  })

  it('the majority elects and commits, the old leader serves no linearizable read, logs agree after healing', async () => {
    await using cluster = await Cluster.create({ hosts: 5 })
    const network = uniqueName('partition')
    const listen = [`/ip4/0.0.0.0/udp/${PORT}/quic-v1`, `/ip4/0.0.0.0/tcp/${PORT}`]
    const seed = `/ip4/${cluster.hosts[0]?.address}/udp/${PORT}/quic-v1`
    const children = cluster.hosts.map((host, i) => {
      const config = nodeConfig(network, i, { listen, bootstrap: i === 0 ? [] : [seed] })
      return { host, child: host.spawnNode<ChildMessage>(CHILD, [JSON.stringify(config)]) as Child }
    })
    const ready = await Promise.all(
      children.map(({ child }) => child.waitFor((m) => m.type === 'ready', { timeout: scaled(60_000) })),
    )
    const peerOf = (i: number) => (ready[i] as Extract<ChildMessage, { type: 'ready' }>).peerId
    const all = children.map((c) => c.child)
    const before = await untilStatus(
      all,
      (s) => s.every((x) => x.members.voters.length === 5 && x.leader !== null && x.leader === s[0]?.leader),
      60_000,
    )
    const leaderIndex = ready.findIndex((r) => r.type === 'ready' && r.peerId === before[0]?.leader)
    const minority = [leaderIndex, (leaderIndex + 1) % 5]
    const majority = [0, 1, 2, 3, 4].filter((i) => !minority.includes(i))
    const host = (i: number) => children[i]?.host as (typeof children)[0]['host']
    const child = (i: number) => children[i]?.child as Child

    // Writes from a majority member before and across the partition.
    child(majority[0] as number).send({ type: 'load', writers: 4, prefix: 'p' })
    await child(majority[0] as number).waitFor((m) => m.type === 'acked' && m.index > 20, {
      timeout: scaled(30_000),
    })
    await cluster.partition(minority.map(host), majority.map(host))

    const oldLeader = child(leaderIndex)
    const oldTerm = before[0]?.term ?? 0
    await untilStatus(
      majority.map(child),
      (s) => s.every((x) => x.leader !== null && x.leader !== peerOf(leaderIndex) && x.term > oldTerm),
      30_000,
    )
    await child(majority[0] as number).waitFor((m) => m.type === 'acked' && m.term > oldTerm, {
      since: 'now',
      timeout: scaled(30_000),
    })
    // The old leader (and its minority follower) cannot confirm a read with a quorum.
    for (const i of minority) {
      child(i).send({ type: 'read', consistency: 'linearizable' })
      const answer = await child(i).waitFor((m) => m.type === 'ids' || m.type === 'read-failed', {
        since: 'now',
        timeout: scaled(30_000),
      })
      expect(answer.type, `member ${i} answered a linearizable read from the minority`).toBe('read-failed')
    }
    expect((await statusOf(oldLeader)).isLeader).toBe(false)

    await cluster.heal()
    child(majority[0] as number).send({ type: 'stop-load' })
    await child(majority[0] as number).waitFor((m) => m.type === 'load-stopped', { timeout: scaled(30_000) })
    const writes = child(majority[0] as number).messages.filter((m): m is Acked => m.type === 'acked')
    const last = Math.max(...writes.map((w) => w.index))
    await untilStatus(all, (s) => s.every((x) => x.committed >= last && x.leader === s[0]?.leader), 60_000)
    const held = await Promise.all(all.map(idsOf))
    expect(new Set(held.map((ids) => ids.join()))).toHaveProperty('size', 1)
    const present = new Set(held[0])
    expect(writes.filter((w) => !present.has(w.id))).toEqual([])
    for (const status of await Promise.all(all.map(statusOf))) expect(status.duplicates).toBe(0)
  })
})
