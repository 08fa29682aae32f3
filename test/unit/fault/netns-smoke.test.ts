/**
 * Smoke test of the namespace harness for the default suite (< 10 s): two hosts reach each other,
 * and closing the cluster deletes its namespaces. Skips, naming the reason, where namespaces
 * cannot be created (not root, no nftables…).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { faultCapability } from '../../fault/harness/capability.ts'
import { Cluster } from '../../fault/harness/cluster.ts'
import { listNamespaces } from '../../fault/harness/netns.ts'
import { probe, reachable, startUdpPeers } from '../../fault/harness/udp-peers.ts'

const capability = await faultCapability()

describe('namespace cluster smoke', () => {
  beforeEach((ctx) => {
    if (!capability.ok) ctx.skip(`namespace faults unavailable: ${capability.reason}`)
  })

  it('connects two hosts over the bridge and removes every namespace on close', async () => {
    const cluster = await Cluster.create({ hosts: 2 })
    try {
      const [a, b] = await startUdpPeers(cluster)
      if (!a || !b) throw new Error('two peers expected')
      await reachable(a, b)
      expect(await probe(a, b, 20)).toBe(20)
      expect(await listNamespaces()).toContain(cluster.hosts[0]?.namespace)
    } finally {
      await cluster.close()
    }
    const left = (await listNamespaces()).filter((n) => n.startsWith(cluster.prefix))
    expect(left).toEqual([])
  })
})
