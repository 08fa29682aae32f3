/**
 * In-process multi-node helpers for tests: nodes on loopback with fast timings and no public DHT,
 * and `discoverAll` to make a set of nodes know each other before a test starts.
 */
import { randomUUID } from 'node:crypto'
import { Network } from '../network/network.ts'
import type { NetworkOptions } from '../network/options.ts'
import { scaled } from '../primitives/time.ts'

/** QUIC and TCP on 127.0.0.1 with random ports. */
export const LOOPBACK_LISTEN: readonly string[] = ['/ip4/127.0.0.1/udp/0/quic-v1', '/ip4/127.0.0.1/tcp/0']

/** Options for a test node: loopback only, `fast` timings, no DHT unless given, then `overrides`. */
export function testNetworkOptions(overrides: NetworkOptions = {}): NetworkOptions {
  return { listen: [...LOOPBACK_LISTEN], dht: false, profile: 'fast', ...overrides }
}

/** A network name no other test uses. */
export function uniqueNetworkName(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`
}

/** Starts `count` nodes of one network (a fresh unique name unless given) in parallel. */
export async function createNetworks(
  count: number,
  options: NetworkOptions & { name?: string } = {},
): Promise<Network[]> {
  const { name = uniqueNetworkName(), ...rest } = options
  const results = await Promise.allSettled(
    Array.from({ length: count }, () => Network.create(name, testNetworkOptions(rest))),
  )
  const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) {
    await closeAll(created)
    throw failed.reason
  }
  return created
}

/**
 * Makes every node know every other: each node syncs catalogs with the next one's address, then
 * waits (up to `timeout` ms, scaled) until every catalog holds all the others.
 */
export async function discoverAll(
  networks: readonly Network[],
  options: { timeout?: number } = {},
): Promise<void> {
  const timeout = scaled(options.timeout ?? 10_000)
  await Promise.all(
    networks.map((network, i) => {
      const next = networks[(i + 1) % networks.length] as Network
      return next === network ? undefined : network.discovery.dial(...next.addresses)
    }),
  )
  const ids = networks.map((n) => n.peerId)
  await Promise.all(
    networks.map((network) =>
      network.discovery.when((catalog) => ids.every((id) => catalog.has(id)), { timeout }),
    ),
  )
}

/** Closes every node in parallel; rejects with the first error after all were closed. */
export async function closeAll(networks: readonly Network[]): Promise<void> {
  const results = await Promise.allSettled(networks.map((n) => n.close()))
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
}
