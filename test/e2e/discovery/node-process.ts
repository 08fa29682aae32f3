/**
 * One mosaik node in its own process, for multi-process discovery tests and bench/discovery.
 *
 * Usage: node-process.ts '<NodeConfig as JSON>'
 * Emits `ready` (peer id, addresses), then `catalog` on every catalog change; accepts `tag` (add a
 * tag), `dial` (sync with addresses) and `close` (leave gracefully, emit `closed`, exit). Exits when
 * stdin ends.
 */
import { Network } from '../../../runtime/network/network.ts'
import type { NetworkOptions } from '../../../runtime/network/options.ts'
import { testNetworkOptions } from '../../../runtime/testing/networks.ts'
import { commands, emit } from '../../fault/harness/child.ts'

export interface NodeConfig {
  name: string
  options?: NetworkOptions
}

export type NodeCommand =
  | { type: 'tag'; tag: string }
  | { type: 'dial'; addresses: string[] }
  | { type: 'close' }

export type NodeMessage =
  | { type: 'ready'; peerId: string; addresses: string[]; at: number }
  | { type: 'catalog'; size: number; peers: string[]; tagged: number; at: number }
  | { type: 'closed'; at: number }

/** Wall-clock ms comparable across processes on one machine. */
const now = (): number => performance.timeOrigin + performance.now()

const config = JSON.parse(process.argv[2] ?? '{}') as NodeConfig
const network = await Network.create(config.name, testNetworkOptions(config.options))
const send = (message: NodeMessage): void => emit(message)
send({ type: 'ready', peerId: network.peerId, addresses: network.addresses, at: now() })

network.discovery.watch.subscribe((catalog) => {
  const peers = catalog.peers()
  const tagged = peers.filter((p) => p.tags.length > 0).length
  send({ type: 'catalog', size: catalog.size, peers: peers.map((p) => p.peerId), tagged, at: now() })
})

for await (const command of commands<NodeCommand & { [key: string]: unknown }>({ exitOnEnd: false })) {
  if (command.type === 'tag') network.discovery.addTags(command.tag)
  if (command.type === 'dial') void network.discovery.dial(...command.addresses)
  if (command.type === 'close') break
}
await network.close()
send({ type: 'closed', at: now() })
process.exit(0)
