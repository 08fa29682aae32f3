/**
 * Connectivity checks between cluster hosts: one `udp-peer` fixture process per host, and probes
 * that report how many of N paced pings were answered. Useful to verify that a fault is in force
 * before (or after) exercising the system under test with it.
 */
import { fileURLToPath } from 'node:url'
import type { Cluster, Host } from './cluster.ts'
import type { Endpoint } from './endpoint.ts'
import type { ManagedProcess } from './process.ts'
import { until } from './until.ts'

/** The fixture script run on each host. */
export const UDP_PEER_SCRIPT = fileURLToPath(new URL('../fixtures/udp-peer.ts', import.meta.url))

/** Messages the udp-peer fixture prints. */
export type UdpPeerMessage =
  | { type: 'ready'; port: number }
  | { type: 'probe-result'; id: string; sent: number; received: number }
  | { type: 'notes-sent'; id: string; count: number }
  | { type: 'stats'; id: string; pings: number; notesFrom: Record<string, number> }

/** A udp-peer process on a host, listening on `port` of the host's address. */
export interface UdpPeer {
  host: Host
  port: number
  process: ManagedProcess<UdpPeerMessage>
}

export interface ProbeOptions {
  /** Datagrams per pacing tick and pause between ticks (defaults 20 and 5 ms). */
  burst?: number
  intervalMs?: number
  /** Wait for late answers this long after the last send (default 500 ms). */
  settleMs?: number
}

let nextId = 0
const newId = (): string => `q${++nextId}`

/** Starts one udp-peer on every host of the cluster (port 7000 by default) and waits until all listen. */
export async function startUdpPeers(cluster: Cluster, port = 7000): Promise<UdpPeer[]> {
  const peers = cluster.hosts.map((host) => ({
    host,
    port,
    process: host.spawnNode<UdpPeerMessage>(UDP_PEER_SCRIPT, ['0.0.0.0', String(port)], {
      name: `${host.name}:udp`,
    }),
  }))
  await Promise.all(peers.map((p) => p.process.waitForType('ready')))
  return peers
}

/** Where a peer listens. */
function endpointOf(target: UdpPeer | Endpoint): Endpoint {
  return 'process' in target ? { host: target.host.address, port: target.port } : target
}

/**
 * Sends `count` pings from one peer to another host's peer (or to any endpoint that relays to one,
 * such as a proxy); resolves with how many were answered.
 */
export async function probe(
  from: UdpPeer,
  to: UdpPeer | Endpoint,
  count: number,
  options: ProbeOptions = {},
): Promise<number> {
  const id = newId()
  from.process.send({ type: 'probe', id, ...endpointOf(to), count, ...options })
  const result = await from.process.waitForType('probe-result', { where: (m) => m.id === id })
  return result.received
}

/** Sends `count` one-way notes (paced) from one peer to another. */
export async function sendNotes(from: UdpPeer, to: UdpPeer | Endpoint, count: number): Promise<void> {
  const id = newId()
  from.process.send({ type: 'notes', id, ...endpointOf(to), count })
  await from.process.waitForType('notes-sent', { where: (m) => m.id === id })
}

/** How many notes `peer` has received from `sender`'s address so far. */
export async function notesReceived(peer: UdpPeer, sender: UdpPeer): Promise<number> {
  const id = newId()
  peer.process.send({ type: 'stats', id })
  const stats = await peer.process.waitForType('stats', { where: (m) => m.id === id })
  return stats.notesFrom[sender.host.address] ?? 0
}

/**
 * Waits until `from` gets an answer from `to` (the first packets after a heal may wait for ARP or
 * be lost); rejects with TimeoutError if it never does.
 */
export async function reachable(from: UdpPeer, to: UdpPeer, timeout?: number): Promise<void> {
  await until(async () => (await probe(from, to, 3, { settleMs: 200 })) > 0, {
    what: `${from.host} reaching ${to.host}`,
    interval: 0,
    ...(timeout === undefined ? {} : { timeout }),
  })
}
