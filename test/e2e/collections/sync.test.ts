/**
 * Snapshot sync of late joiners (mosaik-features §5.6 `tests/collections/sync/*`): the writers'
 * log is compacted behind snapshots taken every few entries, so a late reader cannot replay it and
 * installs a snapshot fetched in batches from several peers, then follows the log. Every replica
 * ends with the same entries and byte-identical snapshots.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { CollectionHandleBase, MapReader, MapWriter } from '../../../runtime/codegen-v1.ts'
import type { GroupTiming } from '../../../runtime/groups/profiles.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { scaled } from '../../../runtime/primitives/time.ts'
import { cellOf, isMember, mapOf, nodes, onceOf, opts, queueOf, setOf, T, until, vecOf } from './helpers.ts'

/** Snapshots every 20 entries, 5 kept behind: a joiner after ~30 entries needs a snapshot. */
const SNAPSHOTS: Partial<GroupTiming> = { snapshotEvery: 20, compactionMargin: 5 }

const LONG = process.env.MOSAIK_LONG !== undefined

/** Snapshot transfers of `kind` counted by `network` for the collection `handle`. */
async function transfers(
  network: Network,
  handle: CollectionHandleBase<unknown, unknown>,
  kind: 'fetched' | 'served' | 'saved' = 'fetched',
): Promise<number> {
  const group = `${handle.name}/${handle.storeId.short}`
  return network.metrics.value('mosaik_groups_snapshot_transfers_total', { group, kind })
}

/** Waits until `network` saved a snapshot of the collection of `handle`. */
async function snapshotSaved(
  network: Network,
  handle: CollectionHandleBase<unknown, unknown>,
): Promise<void> {
  const deadline = Date.now() + scaled(60_000)
  while ((await transfers(network, handle, 'saved')) === 0) {
    if (Date.now() > deadline) throw new Error(`${handle.name}: no snapshot saved`)
    await delay(5)
  }
}

/** Writes `count` entries in commands of `per` entries; returns the last version. */
async function fill(w: MapWriter<number, number>, from: number, count: number, per: number): Promise<number> {
  let version = 0
  for (let i = from; i < from + count; i += per) {
    const chunk = Array.from(
      { length: Math.min(per, from + count - i) },
      (_, j) => [i + j, (i + j) * 3] as const,
    )
    version = await w.extend(chunk)
  }
  return version
}

/** Enough one-entry writes to pass the next snapshot point, so the log behind it is compacted. */
async function passSnapshot(w: MapWriter<number, number>, key: number): Promise<number> {
  let version = w.version
  for (let i = 0; i < 25; i++) version = await w.insert(key, i)
  return version
}

function expectSame(a: MapReader<number, number>, b: MapReader<number, number>): void {
  expect(b.size).toBe(a.size)
  expect([...b]).toEqual([...a])
}

describe('snapshot sync of a late joiner', () => {
  it('frozen: a late reader installs a snapshot from the writer and a reader, then follows the log', async () => {
    const handle = mapOf<number, number>('sync-frozen')
    const [n0, n1, n2] = await nodes(3)
    const options = opts({ timing: SNAPSHOTS, sync: { batchSize: 30 } })
    const w = handle.writer(n0 as never, options)
    const r1 = handle.reader(n1 as never, options)
    await w.when.online(T())
    await fill(w, 0, 1_000, 100)
    const version = await passSnapshot(w, 5_000)
    await r1.when.reaches(version, T())
    // Small byte ranges, so the joiner spreads the snapshot over both holders.
    const r2 = handle.reader(n2 as never, opts({ ...options, timing: { ...SNAPSHOTS, syncChunkBytes: 512 } }))
    await r2.when.reaches(version, T(20_000))
    expect(await transfers(n2 as Network, r2)).toBe(1)
    expect(await transfers(n0 as Network, w, 'served')).toBeGreaterThan(0)
    expect(await transfers(n1 as Network, r1, 'served')).toBeGreaterThan(0)
    expectSame(w, r2)
    expectSame(w, r1)
    expect(r2.size).toBe(1_001)
    const next = await w.insert(-1, -1)
    await r2.when.reaches(next, T())
    expect(r2.get(-1)).toBe(-1)
    // per-collection metrics: size, version, applied commands, snapshots taken and restored
    const label = (kind?: string) => ({
      collection: `${w.name}/${w.storeId.short}`,
      ...(kind ? { kind } : {}),
    })
    const metric = (n: Network | undefined, name: string, labels: Record<string, string>) =>
      (n as Network).metrics.value(`mosaik_collections_${name}`, labels)
    expect(await metric(n2, 'size', label())).toBe(1_002)
    expect(await metric(n2, 'version', label())).toBe(next)
    expect(await metric(n2, 'snapshots_total', label('restored'))).toBe(1)
    expect(await metric(n0, 'snapshots_total', label('taken'))).toBeGreaterThan(0)
    expect(await metric(n0, 'commands_total', { ...label(), outcome: 'applied' })).toBeGreaterThan(30)
  })

  it('writes during sync, clear and repopulate, and a recreated reader', async () => {
    const handle = mapOf<number, number>('sync-writes')
    const [n0, n1] = await nodes(2)
    const options = opts({ timing: SNAPSHOTS, sync: { batchSize: 100 } })
    const w = handle.writer(n0 as never, options)
    await w.when.online(T())
    await fill(w, 0, 500, 50)
    await w.clear()
    await fill(w, 1_000, 200, 50)
    await passSnapshot(w, 5_000)
    const r = handle.reader(n1 as never, options)
    const extra = fill(w, 2_000, 300, 10)
    const last = await extra
    await r.when.reaches(last, T(20_000))
    expectSame(w, r)
    expect(r.has(0)).toBe(false)
    expect(r.size).toBe(501)
    await r.close()
    // A node that comes back with an empty log under the same peer id is a new member: the leader
    // removes the old one first (its progress cannot go backwards), after `removeAfterMs`.
    await until(() => !isMember(n0 as Network, w, (n1 as Network).peerId), 10_000, 'the old reader removed')
    const more = await fill(w, 3_000, 100, 20)
    const again = handle.reader(n1 as never, options)
    await again.when.reaches(more, T(20_000))
    expectSame(w, again)
  })

  it('an empty collection, and a reader that starts before the writer', async () => {
    const handle = vecOf<number>('sync-empty')
    const [n0, n1] = await nodes(2)
    const options = opts({ timing: SNAPSHOTS })
    const r = handle.reader(n1 as never, options)
    const w = handle.writer(n0 as never, options)
    await r.when.online(T())
    expect(r.size).toBe(0)
    let version = 0
    for (let i = 0; i < 100; i++) version = await w.pushBack(i)
    await r.when.reaches(version, T())
    expect([...r]).toEqual([...w])
  })

  it('Set, Vec, PriorityQueue, Cell and Once snapshots reach a late joiner', async () => {
    const [n0, n1] = await nodes(2)
    const options = opts({ timing: SNAPSHOTS, sync: { batchSize: 7 } })
    const sw = setOf<number>('sync-set').writer(n0 as never, options)
    const vw = vecOf<number>('sync-vec').writer(n0 as never, options)
    const qw = queueOf<number, number, number>('sync-queue').writer(n0 as never, options)
    const cw = cellOf<number>('sync-cell').writer(n0 as never, options)
    const ow = onceOf<number>('sync-once').writer(n0 as never, options)
    await Promise.all([sw, vw, qw, cw, ow].map((w) => w.when.online(T())))
    for (let round = 0; round < 30; round++) {
      const values = Array.from({ length: 10 }, (_, i) => round * 10 + i)
      await Promise.all([
        sw.extend(values),
        vw.extend(values),
        qw.extend(values.map((v) => ({ priority: v % 17, key: v, value: v * 2 }))),
        cw.set(round),
        ow.set(round),
      ])
    }
    await Promise.all([sw.delete(3), vw.remove(3), qw.removeRange({ lt: 2 })])
    const sr = setOf<number>('sync-set').reader(n1 as never, options)
    const vr = vecOf<number>('sync-vec').reader(n1 as never, options)
    const qr = queueOf<number, number, number>('sync-queue').reader(n1 as never, options)
    const cr = cellOf<number>('sync-cell').reader(n1 as never, options)
    const or = onceOf<number>('sync-once').reader(n1 as never, options)
    const pairs = [
      [sw, sr],
      [vw, vr],
      [qw, qr],
      [cw, cr],
      [ow, or],
    ] as const
    await Promise.all(pairs.map(([w, r]) => r.when.reaches(w.version, T(20_000))))
    expect([...sr]).toEqual([...sw])
    expect([...vr]).toEqual([...vw])
    expect([...qr]).toEqual([...qw])
    expect([...qr.descending()]).toEqual([...qw.descending()])
    expect([cr.get(), or.get()]).toEqual([29, 0])
    for (const [, r] of pairs) expect(await transfers(n1 as Network, r)).toBe(1)
  })

  it('extreme batch sizes: one item per batch, and one batch for everything', async () => {
    const [n0, n1] = await nodes(2)
    for (const [name, batchSize, count] of [
      ['sync-batch-1', 1, 300],
      ['sync-batch-big', 100_000, 100],
    ] as const) {
      const handle = mapOf<number, number>(name)
      const options = opts({ timing: SNAPSHOTS, sync: { batchSize } })
      const w = handle.writer(n0 as never, options)
      await w.when.online(T())
      await fill(w, 0, count, 10)
      const version = await passSnapshot(w, 5_000)
      const r = handle.reader(n1 as never, options)
      await r.when.reaches(version, T(20_000))
      expectSame(w, r)
      expect(await transfers(n1 as Network, r)).toBe(1)
    }
  })

  it(`a ${LONG ? '1M' : '100k'}-entry Map reaches a late joiner`, async () => {
    const entries = LONG ? 1_000_000 : 100_000
    const handle = mapOf<number, number>('sync-large')
    const [n0, n1] = await nodes(2)
    const options = opts({ timing: { ...SNAPSHOTS, snapshotEvery: 1_000 } })
    const w = handle.writer(n0 as never, options)
    await w.when.online(T())
    await fill(w, 0, entries, 20_000)
    const version = await passSnapshotAt(w, 1_000)
    // The writer encodes and saves the snapshot in the background; until then its log is whole and
    // a joiner would replay it instead.
    await snapshotSaved(n0 as Network, w)
    const r = handle.reader(n1 as never, options)
    // Reads during the sync never see a partial state: the snapshot is installed at once.
    const sizes = new Set<number>()
    const watcher = setInterval(() => sizes.add(r.size), 1)
    await r.when.reaches(version, T(120_000)).finally(() => clearInterval(watcher))
    for (const size of sizes) expect(size === 0 || size >= entries).toBe(true)
    expect(await transfers(n1 as Network, r)).toBe(1)
    expect(r.size).toBe(entries + 1)
    expectSame(w, r)
  }, 300_000)
})

/** One-entry writes until the version passes a multiple of `every` (a snapshot point). */
async function passSnapshotAt(w: MapWriter<number, number>, every: number): Promise<number> {
  const target = (Math.floor(w.version / every) + 1) * every + 10
  const writes: Promise<number>[] = []
  for (let v = w.version; v < target; v++) writes.push(w.insert(-7, v))
  const versions = await Promise.all(writes)
  return Math.max(...versions)
}
