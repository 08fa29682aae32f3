/**
 * The beacon's status reports on the `status` stream: the beacon publishes one every few seconds,
 * and anyone who wants to watch the deployment's entry points consumes them like any other stream.
 */
import type { Network } from 'mosaik'
import { type BeaconStatus, status } from './generated/index.ts'
import type { Print } from './report.ts'

/** Publishes this node's status every `everyMs`; resolves the returned function once stopped. */
export function publishStatus(
  network: Network,
  tags: readonly string[],
  everyMs: number,
): () => Promise<void> {
  const started = Date.now()
  // Reports go to whoever listens; with nobody subscribed there is nothing to wait for.
  const producer = status.producer(network, { onlineWhen: { min: 0 } })
  const report = (): BeaconStatus => ({
    peerId: network.peerId,
    addresses: network.addresses.slice(0, 32),
    peers: network.discovery.catalog.size,
    uptimeMs: Date.now() - started,
    tags: tags.slice(0, 32),
  })
  const timer = setInterval(() => producer.trySend(report()), everyMs)
  return async () => {
    clearInterval(timer)
    await producer.close()
  }
}

/** Prints every status report from any beacon; resolves the returned function once stopped. */
export function followStatus(network: Network, print: Print): () => Promise<void> {
  const consumer = status.consumer(network)
  const following = (async () => {
    for await (const report of consumer) {
      print('beacon-status', { peerId: report.peerId, peers: report.peers, uptimeMs: report.uptimeMs })
    }
  })()
  return async () => {
    await consumer.close()
    await following
  }
}
