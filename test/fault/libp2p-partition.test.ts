/**
 * Real libp2p QUIC nodes, one per namespace host, under a partition: the isolated node can no
 * longer ping the others, the majority still can, and after healing everyone reaches everyone
 * again. A template for fault tests of the runtime's subsystems.
 */
import { fileURLToPath } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { scaled } from '../../runtime/primitives/time.ts'
import { faultCapability } from './harness/capability.ts'
import { Cluster, type Host } from './harness/cluster.ts'
import type { ManagedProcess } from './harness/process.ts'
import { until } from './harness/until.ts'

const capability = await faultCapability()
const PINGER = fileURLToPath(new URL('./fixtures/libp2p-pinger.ts', import.meta.url))
const PORT = 4001

type PingerMessage =
  | { type: 'ready'; peerId: string }
  | { type: 'pong'; id: string; rtt: number }
  | { type: 'ping-failed'; id: string; error: string }

interface Pinger {
  host: Host
  peerId: string
  process: ManagedProcess<PingerMessage>
}

let nextId = 0

/** Pings `to` from `from`; true on a pong within `timeoutMs`. */
async function ping(from: Pinger, to: Pinger, timeoutMs = 1_000): Promise<boolean> {
  const id = String(++nextId)
  from.process.send({
    type: 'ping',
    id,
    address: `/ip4/${to.host.address}/udp/${PORT}/quic-v1/p2p/${to.peerId}`,
    timeoutMs,
  })
  const reply = await from.process.waitFor((m) => m.type !== 'ready' && m.id === id, {
    timeout: timeoutMs + scaled(5_000),
  })
  return reply.type === 'pong'
}

describe('libp2p QUIC nodes in namespaces under a partition', () => {
  beforeEach((ctx) => {
    if (!capability.ok) ctx.skip(`namespace faults unavailable: ${capability.reason}`)
  })

  it('isolates one node and reconnects it after healing', async () => {
    await using cluster = await Cluster.create({ hosts: 3 })
    const pingers: Pinger[] = await Promise.all(
      cluster.hosts.map(async (host) => {
        const process = host.spawnNode<PingerMessage>(PINGER, ['0.0.0.0', String(PORT)])
        const ready = await process.waitForType('ready')
        return { host, peerId: ready.peerId, process }
      }),
    )
    const [n1, n2, n3] = pingers as [Pinger, Pinger, Pinger]
    expect(await ping(n1, n2)).toBe(true)
    expect(await ping(n2, n3)).toBe(true)

    await cluster.isolate('n1')
    expect(await ping(n1, n2)).toBe(false)
    expect(await ping(n3, n1)).toBe(false)
    expect(await ping(n2, n3)).toBe(true)

    await cluster.heal()
    await until(() => ping(n1, n2), {
      what: 'n1 reaching n2 after heal',
      timeout: scaled(20_000),
      interval: 0,
    })
    await until(() => ping(n3, n1), {
      what: 'n3 reaching n1 after heal',
      timeout: scaled(20_000),
      interval: 0,
    })
  })
})
