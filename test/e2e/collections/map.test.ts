/**
 * Map over real nodes (mosaik-features §5.5 `tests/collections/map.rs`): a writer n0 and a reader
 * n1 unless noted; operations, catch-up of late readers and writers, several writers and readers,
 * compare-and-swap, and validation on write.
 */
import { describe, expect, it } from 'vitest'
import type { MapReader, MapWriter } from '../../../runtime/codegen-v1.ts'
import { addNode, mapOf, nodes, opts, T } from './helpers.ts'

const entries = <K, V>(m: MapReader<K, V>) => [...m]

describe('Map over the network', () => {
  it('smoke: writes on the writer reach the reader, reads are local and synchronous', async () => {
    const handle = mapOf<number, number>('map-smoke')
    const [n0, n1] = await nodes(2)
    const w: MapWriter<number, number> = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    expect(w.size).toBe(0)
    expect(w.get(1)).toBeUndefined()
    await w.insert(1, 10)
    await w.insert(2, 20)
    const v = await w.insert(1, 100)
    expect(w.get(1)).toBe(100)
    expect(w.version).toBeGreaterThanOrEqual(v)
    await w.extend([
      [3, 30],
      [4, 40],
      [5, 50],
    ])
    expect([...w.keys()]).toEqual([1, 2, 3, 4, 5])
    expect([...w.values()]).toEqual([100, 20, 30, 40, 50])
    const removed = await w.delete(3)
    await r.when.reaches(removed, T())
    expect(r.size).toBe(4)
    expect(entries(r)).toEqual(entries(w))
    const cleared = await w.clear()
    await r.when.reaches(cleared, T())
    expect(r.size).toBe(0)
    await r.when.online(T())
  })
})
