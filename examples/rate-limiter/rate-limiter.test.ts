/**
 * Three limiter processes sharing one policy and one set of buckets (a private DHT on loopback).
 * Requests for one client spread over all three nodes are allowed no more often than a single
 * token bucket would allow them, and the policy set by the first node is adopted by the others.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { scaled } from '../../runtime/primitives/time.ts'
import { localDht } from '../../runtime/testing/local-dht.ts'
import { type Message, nodeSpec, ProcessSet } from '../../test/fault/harness/index.ts'

interface Ready extends Message {
  type: 'ready'
  http: string
  policy: { capacity: number; refillPerSecond: number }
  policySetHere: boolean
}

describe('examples/rate-limiter', () => {
  const processes = new ProcessSet()
  afterEach(() => processes.close())

  it('answers allow/deny consistently across nodes', async () => {
    await using dht = await localDht({ nodes: 4 })
    const network = `limiter-e2e-${process.pid}-${Date.now()}`
    const start = (capacity: number, waitForPeers: number) => {
      const args = ['--network', network, '--port', '0', '--host', '127.0.0.1', '--json']
      args.push('--dht', dht.bootstrap.join(','), '--capacity', String(capacity), '--refill', '1')
      args.push('--wait-for-peers', String(waitForPeers))
      return processes.spawn(nodeSpec('examples/rate-limiter/src/node.ts', args))
    }
    const first = start(5, 0)
    const firstReady = (await first.waitForType('ready', { timeout: scaled(30_000) })) as Ready
    expect(firstReady.policy).toEqual({ capacity: 5, refillPerSecond: 1 })
    // Later nodes join the running deployment, ask for other limits, but adopt the ones in force.
    const others = [start(50, 1), start(50, 1)]
    const ready = [
      firstReady,
      ...((await Promise.all(
        others.map((p) => p.waitForType('ready', { timeout: scaled(30_000) })),
      )) as Ready[]),
    ]
    for (const r of ready) expect(r.policy).toEqual({ capacity: 5, refillPerSecond: 1 })
    expect(ready.map((r) => r.policySetHere)).toEqual([true, false, false])

    const ask = async (node: Ready, key: string): Promise<boolean> => {
      const res = await fetch(`${node.http}/allow?key=${key}`)
      await res.arrayBuffer()
      return res.status === 200
    }
    // One at a time, round robin: exactly the burst passes, then (nearly) nothing until refills.
    const began = Date.now()
    const sequential: boolean[] = []
    for (let i = 0; i < 12; i++) sequential.push(await ask(ready[i % 3] as Ready, 'alice'))
    const refills = Math.floor((Date.now() - began) / 1000) + 1
    expect(sequential.slice(0, 5)).toEqual([true, true, true, true, true])
    expect(sequential.filter(Boolean).length).toBeLessThanOrEqual(5 + refills)

    // All at once, on every node: still no more than one bucket's worth.
    const burstStart = Date.now()
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(ready[i % 3] as Ready, 'bob')))
    const burstRefills = Math.floor((Date.now() - burstStart) / 1000) + 1
    expect(burst.filter(Boolean).length).toBeGreaterThanOrEqual(1)
    expect(burst.filter(Boolean).length).toBeLessThanOrEqual(5 + burstRefills)

    for (const p of [first, ...others]) expect((await p.stop(scaled(10_000))).code).toBe(0)
  })
})
