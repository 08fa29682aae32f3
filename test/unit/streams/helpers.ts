/**
 * Shared setup of the stream scenarios: descriptors built from TypeBox schemas the way `mosaik
 * generate` embeds them, typed handles from `mosaik/codegen-v1`, and nodes on loopback that are
 * closed after each test.
 */
import Type, { type TSchema } from 'typebox'
import { afterEach } from 'vitest'
import type { StreamDescriptor } from '../../../runtime/codegen/descriptors.ts'
import { type StreamHandle, stream } from '../../../runtime/codegen-v1.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { closeAll, createNetworks, discoverAll, scaled } from '../../../runtime/testing/index.ts'
import { canonicalSchema, signature, streamIdOf } from '../../../schemas/index.ts'
import { until } from '../../fault/harness/until.ts'

/** The descriptor `mosaik generate` would embed for a stream `name` of `datum`. */
export function descriptorOf(name: string, datum: TSchema): StreamDescriptor {
  return {
    kind: 'stream',
    name,
    datum: { schema: canonicalSchema(datum), signature: signature(datum).hex },
    streamId: streamIdOf(name).hex,
  }
}

/** A typed stream handle, as generated code declares it. */
export function handleOf<T>(name: string, datum: TSchema): StreamHandle<T> {
  return stream<T>(descriptorOf(name, datum))
}

/** Strings, like mosaik's `Data1` test datum. */
export const text = handleOf<string>('data1', Type.String())

const open: Network[] = []

afterEach(async () => {
  await closeAll(open.splice(0))
})

/** `count` nodes of one fresh network, closed after the test; options apply to all. */
export async function nodes(
  count: number,
  options: Parameters<typeof createNetworks>[1] = {},
): Promise<Network[]> {
  const created = await createNetworks(count, options)
  open.push(...created)
  return created
}

/** `count` nodes that already know each other. */
export async function meshed(
  count: number,
  options: Parameters<typeof createNetworks>[1] = {},
): Promise<Network[]> {
  const created = await nodes(count, options)
  await discoverAll(created)
  return created
}

/** More nodes in the network of `first`, introduced to it. */
export async function join(
  first: Network,
  count: number,
  options: Parameters<typeof createNetworks>[1] = {},
) {
  const created = await nodes(count, { ...options, name: first.networkId.hex, bootstrap: first.addresses })
  await Promise.all(
    created.map((n) => n.discovery.when((c) => c.has(first.peerId), { timeout: scaled(10_000) })),
  )
  return created
}

/** Closes one node early (it stays in the after-each list; closing twice is fine). */
export async function stop(network: Network): Promise<void> {
  await network.close()
}

/** A test timeout scaled for loaded machines. */
export const wait = (ms = 10_000) => ({ timeout: scaled(ms) })

/** Takes `count` datums from an async iterator, failing after `ms`. */
export async function take<T>(source: AsyncIterator<T>, count: number, ms = 10_000): Promise<T[]> {
  const out: T[] = []
  const deadline = AbortSignal.timeout(scaled(ms))
  while (out.length < count) {
    const next = await Promise.race([
      source.next(),
      new Promise<never>((_, reject) =>
        deadline.addEventListener(
          'abort',
          () => reject(new Error(`only ${out.length} of ${count} datums arrived`)),
          {
            once: true,
          },
        ),
      ),
    ])
    if (next.done) throw new Error(`iterator ended after ${out.length} of ${count} datums`)
    out.push(next.value)
  }
  return out
}

/** Resolves false if `promise` is still pending after the current turn of the event loop. */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))])
}

/** The value of the first series of metric `name` on `network` whose labels include `labels` (0 if none). */
export async function metric(
  network: Network,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const data = await network.metrics.registry.getSingleMetric(name)?.get()
  const wanted = Object.entries(labels)
  const match = data?.values.find((v) => wanted.every(([k, x]) => v.labels[k] === x))
  return match?.value ?? 0
}

/** Waits until a metric of `network` reaches `min`. */
export function metricReaches(
  network: Network,
  name: string,
  labels: Record<string, string>,
  min: number,
): Promise<void> {
  return until(async () => (await metric(network, name, labels)) >= min, {
    timeout: scaled(10_000),
    what: `${name}${JSON.stringify(labels)} ≥ ${min}`,
  })
}

/** Peer ids of the connected channels. */
export function connectedPeers(channels: readonly { peer: { peerId: string }; state: string }[]): string[] {
  return channels
    .filter((c) => c.state === 'connected')
    .map((c) => c.peer.peerId)
    .sort()
}

/** Fast reconnects for tests that count on a refused consumer coming back soon. */
export const quickBackoff = { backoff: { initial: 50, max: 300 } } as const

export { until }
