/**
 * A member process of the groups benchmark: one node joining the `bench` group (put commands with a
 * key and a value, validated on the way in and at apply) through the generated handle, with the log
 * in memory, in a WAL without fsync, or in a WAL with fsync and group commit.
 */
import type { GroupOptions } from '../../runtime/codegen-v1.ts'
import type { GroupTiming } from '../../runtime/groups/profiles.ts'
import { Network } from '../../runtime/network/network.ts'
import { encode } from '../../runtime/primitives/codec.ts'
import { runChild } from '../lib/child.ts'
import { wallNow } from '../lib/clock.ts'
import { LatencyRecorder } from '../lib/latency.ts'
import { BenchMachine, bench } from './machine.ts'
import type { MemberIn, MemberOut } from './protocol.ts'

runChild<MemberIn, MemberOut>(async (parent) => {
  const { config } = await parent.receive('start')
  const network = await Network.create(config.network, {
    secretKey: config.key,
    listen: ['/ip4/127.0.0.1/udp/0/quic-v1', '/ip4/127.0.0.1/tcp/0'],
    bootstrap: config.bootstrap,
    dht: false,
    profile: 'fast',
  })
  parent.scope.defer(() => network.close())
  const storage =
    config.storage === 'memory' ? {} : { storage: { dir: config.dir, fsync: config.storage === 'wal-fsync' } }
  // Local settings only: found quickly and promote members quickly; the Raft timing is the lan profile.
  const options: GroupOptions & { timing: Partial<GroupTiming> } = {
    ...storage,
    timing: { formationDelayMs: 300, promoteAfterMs: 300 },
  }
  const client = bench.join(network, new BenchMachine(), options)
  const value = 'v'.repeat(config.valueBytes)
  let sequence = 0
  const command = () => ({ key: `k${sequence++ % 10_000}`, value })
  parent.send({
    type: 'started',
    peerId: network.peerId,
    addresses: network.addresses,
    commandBytes: encode(['put', command()]).length,
  })

  for (;;) {
    const message = await parent.receive(['status', 'load', 'failover-writes'])
    if (message.type === 'status') {
      parent.send({
        type: 'status',
        isLeader: client.isLeader,
        leader: client.leader ?? null,
        voters: client.members.voters.length,
        committed: client.committed,
      })
    } else if (message.type === 'load') {
      parent.send(await load(message.concurrency, message.warmupMs, message.durationMs))
    } else {
      await failoverWrites(message.intervalMs, message.deadlineMs, message.giveUpMs)
    }
  }

  async function load(concurrency: number, warmupMs: number, durationMs: number): Promise<MemberOut> {
    const latency = new LatencyRecorder(1 << 16)
    const start = wallNow()
    const measureFrom = start + warmupMs
    const end = measureFrom + durationMs
    let ops = 0
    let errors = 0
    let cpu: NodeJS.CpuUsage | undefined
    const worker = async () => {
      for (let now = wallNow(); now < end; now = wallNow()) {
        try {
          await client.execute.put(command(), { timeout: 10_000 })
          const done = wallNow()
          if (now >= measureFrom) {
            ops++
            latency.record(done - now)
          }
        } catch {
          errors++
        }
      }
    }
    setTimeout(() => {
      cpu = process.cpuUsage()
    }, warmupMs)
    await Promise.all(Array.from({ length: concurrency }, worker))
    const used = process.cpuUsage(cpu)
    return {
      type: 'loaded',
      ops,
      errors,
      measuredMs: Math.max(1, Math.min(wallNow(), end) - measureFrom),
      latency: latency.summary() ?? null,
      cpuMs: (used.user + used.system) / 1000,
    }
  }

  async function failoverWrites(intervalMs: number, deadlineMs: number, giveUpMs: number): Promise<void> {
    parent.send({ type: 'failover-ready' })
    const { killedAt } = await parent.receive('failover-go')
    let attempts = 0
    let errors = 0
    const result = await new Promise<{ at: number; sentAt: number } | null>((resolve) => {
      const give = setTimeout(() => {
        clearInterval(timer)
        resolve(null)
      }, giveUpMs)
      const timer = setInterval(() => {
        const sentAt = wallNow()
        attempts++
        client.execute.put(command(), { timeout: deadlineMs }).then(
          () => {
            if (sentAt < killedAt) return
            clearInterval(timer)
            clearTimeout(give)
            resolve({ at: wallNow(), sentAt })
          },
          () => {
            errors++
          },
        )
      }, intervalMs)
    })
    parent.send({
      type: 'failover-done',
      at: result?.at ?? null,
      sentAt: result?.sentAt ?? null,
      attempts,
      errors,
    })
  }
})
