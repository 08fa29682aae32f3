/**
 * A fault proxy inside a namespace host, between two other hosts: its faults apply to traffic
 * that crosses the bridge, and it can be reconfigured while it runs.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { faultCapability } from './harness/capability.ts'
import { Cluster } from './harness/cluster.ts'
import { HostProxy } from './harness/host-proxy.ts'
import { probe, reachable, startUdpPeers, type UdpPeer } from './harness/udp-peers.ts'

const capability = await faultCapability()

describe('HostProxy', () => {
  beforeEach((ctx) => {
    if (!capability.ok) ctx.skip(`namespace faults unavailable: ${capability.reason}`)
  })

  it('relays n1 → n3 (proxy) → n2 with loss and duplication changed at run time', async () => {
    await using cluster = await Cluster.create({ hosts: 3 })
    const [n1, n2] = (await startUdpPeers(cluster)) as [UdpPeer, UdpPeer]
    const proxy = await HostProxy.start(cluster.host('n3'), {
      protocol: 'udp',
      target: { host: n2.host.address, port: n2.port },
      seed: 5,
    })
    expect(proxy.address.host).toBe(cluster.host('n3').address)
    await reachable(n1, n2)
    expect(await probe(n1, proxy.address, 100)).toBe(100)

    await proxy.configure({ loss: 0.5 }, 'forward')
    const answered = await probe(n1, proxy.address, 400)
    // Mean 200, sd 10.
    expect(answered).toBeGreaterThan(150)
    expect(answered).toBeLessThan(250)
    const stats = await proxy.stats()
    expect(stats.forward.received).toBe(500)
    expect(stats.forward.dropped).toBe(400 - answered)

    await proxy.configure({ duplicate: 1 }, 'backward')
    await proxy.configure({}, 'forward')
    expect(await probe(n1, proxy.address, 50)).toBe(50)
    expect((await proxy.stats()).backward.duplicated).toBe(50)
    await expect(proxy.configure({ loss: 7 })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' })

    // A partition between the proxy host and the target cuts the relayed path too.
    await cluster.partition(['n3'], ['n2'])
    expect(await probe(n1, proxy.address, 10, { settleMs: 300 })).toBe(0)
    await proxy.close()
  })
})
