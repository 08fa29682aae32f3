/**
 * Snapshot sync from several peers when one of them goes away: a late reader fetches a Map's
 * snapshot in small ranges, pipelined over three writers; one writer (not the one the test writes
 * through) shuts down as soon as it has served a range. The reader drops it, fetches its ranges from
 * the others and ends with the writers' exact state.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { MapWriter } from '../../../runtime/codegen-v1.ts'
import type { GroupTiming } from '../../../runtime/groups/profiles.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { mapOf, nodes, opts, T } from './helpers.ts'

const ENTRIES = 200_000
const TIMING: Partial<GroupTiming> = { snapshotEvery: 1_000, compactionMargin: 5 }

/** The value of a metric of `network` for one combination of labels. */
function counter(network: Network, name: string, labels: Record<string, string>): Promise<number> {
  return network.metrics.value(name, labels)
}

/** Writes the entries in large commands, then passes a snapshot point (the log behind it goes). */
async function fill(w: MapWriter<number, number>): Promise<number> {
  for (let from = 0; from < ENTRIES; from += 20_000) {
    await w.extend(Array.from({ length: 20_000 }, (_, i) => [from + i, (from + i) * 3] as const))
  }
  const target = (Math.floor(w.version / 1_000) + 1) * 1_000 + 10
  const writes: Promise<number>[] = []
  for (let v = w.version; v < target; v++) writes.push(w.insert(-1, v))
  return Math.max(...(await Promise.all(writes)))
}

describe('snapshot sync from several peers', () => {
  it('a peer that vanishes mid-transfer is dropped; the others serve its ranges', async () => {
    const handle = mapOf<number, number>('sync-vanish')
    const [n0, n1, n2, n3] = (await nodes(4)) as [Network, Network, Network, Network]
    const options = opts({ timing: TIMING })
    const w = handle.writer(n0 as never, options)
    const others = [handle.writer(n1 as never, options), handle.writer(n2 as never, options)]
    await Promise.all([w, ...others].map((h) => h.when.online(T())))
    const version = await fill(w)
    await Promise.all(others.map((h) => h.when.reaches(version, T(30_000))))
    const group = `${w.name}/${w.storeId.short}`
    const served = (n: Network) =>
      counter(n, 'mosaik_groups_snapshot_transfers_total', { group, kind: 'served' })

    // Small ranges: the transfer takes many requests, so it is still running when n2 goes away.
    const reader = handle.reader(n3 as never, opts({ timing: { ...TIMING, syncChunkBytes: 2_048 } }))
    const caughtUp = reader.when.reaches(version, T(60_000))
    const deadline = Date.now() + 30_000
    while ((await served(n2)) === 0 && Date.now() < deadline) await delay(1)
    const servedBeforeClose = await served(n2)
    await n2.close()
    await caughtUp

    expect(servedBeforeClose).toBeGreaterThan(0)
    expect(
      await counter(n3, 'mosaik_groups_dropped_messages_total', { group, reason: 'snapshot-peer-lost' }),
    ).toBeGreaterThan(0)
    expect(await served(n0)).toBeGreaterThan(0)
    expect(await served(n1)).toBeGreaterThan(0)
    expect(reader.size).toBe(ENTRIES + 1)
    expect([...reader]).toEqual([...w])
  }, 120_000)
})
