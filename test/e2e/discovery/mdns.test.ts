/**
 * mDNS bootstrap: two nodes on one LAN — hosts in network namespaces joined by a bridge — with no
 * bootstrap peers and no DHT find each other by multicast. Multicast never leaves the namespaces.
 */
import { join } from 'node:path'
import { describe, it } from 'vitest'
import { scaled } from '../../../runtime/primitives/time.ts'
import { uniqueNetworkName } from '../../../runtime/testing/networks.ts'
import { faultCapability } from '../../fault/harness/capability.ts'
import { Cluster } from '../../fault/harness/cluster.ts'
import type { NodeConfig, NodeMessage } from './node-process.ts'

const capability = await faultCapability()
const SCRIPT = join(import.meta.dirname, 'node-process.ts')

describe('mDNS bootstrap', () => {
  it('nodes on one LAN find each other with no peers and no DHT', async (context) => {
    if (!capability.ok) context.skip(`needs network namespaces: ${capability.reason}`)
    await using cluster = await Cluster.create({ hosts: 2, subnet: '10.78.0' })
    // A LAN host has a route for multicast (usually its default route); the bare namespaces do not.
    for (const host of cluster.hosts) await host.exec('ip', ['route', 'add', '224.0.0.0/4', 'dev', 'eth0'])
    const name = uniqueNetworkName()
    const nodes = cluster.hosts.map((host) => {
      const config: NodeConfig = {
        name,
        options: {
          listen: [`/ip4/${host.address}/udp/0/quic-v1`, `/ip4/${host.address}/tcp/0`],
          mdns: true,
        },
      }
      return host.spawnNode<NodeMessage & { [key: string]: unknown }>(SCRIPT, [JSON.stringify(config)])
    })
    await Promise.all(
      nodes.map((node) =>
        node.waitFor((m) => m.type === 'catalog' && (m.size as number) === 1, { timeout: scaled(20_000) }),
      ),
    )
  })
})
