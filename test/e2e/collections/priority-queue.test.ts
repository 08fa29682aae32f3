/**
 * PriorityQueue over real nodes (mosaik-features §5.5 `depq.rs`): a writer n0 and a reader n1.
 * Entries are ordered by priority, then key, on every replica; with a capacity the lowest entries
 * are evicted (possibly the one just written).
 */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import type { PriorityEntry, PriorityQueueReader } from '../../../runtime/codegen-v1.ts'
import { nodes, opts, queueOf, T } from './helpers.ts'

const keys = <P, K, V>(q: PriorityQueueReader<P, K, V>) => [...q].map((e: PriorityEntry<P, K, V>) => e.key)

describe('PriorityQueue over the network', () => {
  it('upsert, update, compare-and-swap, remove ranges, min/max and ordering reach the reader', async () => {
    const handle = queueOf<number, number, number>('pq-smoke')
    const [n0, n1] = await nodes(2)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    await w.extend([10, 20, 30, 40, 50].map((p) => ({ priority: p, key: p / 10, value: p * 100 })))
    expect([w.min()?.priority, w.max()?.priority, w.size, w.capacity]).toEqual([10, 50, 5, undefined])
    await w.upsert(35, 3, 3_500) // overwrite keeps the size
    expect([w.size, w.priorityOf(3), w.get(3)]).toEqual([5, 35, 3_500])
    await w.updatePriority(1, 60)
    await w.updateValue(2, 7)
    await w.updatePriority(99, 1) // missing key: committed no-op
    expect(keys(w)).toEqual([2, 3, 4, 5, 1])
    expect([...w.descending()].map((e) => e.key)).toEqual([1, 5, 4, 3, 2])
    expect((await w.compareAndSwap(2, 8, 9)).applied).toBe(false)
    expect((await w.compareAndSwap(2, 7, 9)).applied).toBe(true)
    expect(w.priorityOf(2)).toBe(20) // compare-and-swap keeps the priority
    expect((await w.compareAndSwap(99, 1, 2)).applied).toBe(false)
    await w.removeRange({ lt: 25 })
    expect(keys(w)).toEqual([3, 4, 5, 1])
    await w.removeRange({ gte: 45, lte: 55 })
    expect(keys(w)).toEqual([3, 4, 1])
    await w.remove(4)
    const v = await w.removeMany([1, 77])
    await r.when.reaches(v, T())
    expect([...r]).toEqual([{ priority: 35, key: 3, value: 3_500 }])
    expect(r.min()).toEqual(r.max())
    await w.removeRange({})
    const rebuilt = await w.upsert(5, 5, 5)
    await r.when.reaches(rebuilt, T())
    expect(keys(r)).toEqual([5])
  })

  it('bounded: the lowest entries are evicted, possibly the one just written; updates never evict', async () => {
    const handle = queueOf<number, string, string>('pq-bounded', 3, {
      key: Type.String(),
      value: Type.String(),
    })
    const [n0, n1] = await nodes(2)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    expect(w.capacity).toBe(3)
    for (const p of [10, 20, 30]) await w.upsert(p, `k${p}`, `v${p}`)
    await w.upsert(40, 'k40', 'v40')
    expect([w.min()?.priority, w.max()?.priority, w.size]).toEqual([20, 40, 3])
    await w.upsert(5, 'k5', 'v5') // lower than all: evicts itself
    expect(w.has('k5')).toBe(false)
    await w.updatePriority('k20', 50)
    expect(w.size).toBe(3)
    await w.upsert(45, 'k30', 'again') // upsert of a present key keeps the count
    const v = await w.extend([60, 70, 80].map((p) => ({ priority: p, key: `k${p}`, value: `v${p}` })))
    await r.when.reaches(v, T())
    expect(keys(r)).toEqual(['k60', 'k70', 'k80'])
    const changes = []
    for await (const change of r.watch(v - 1)) {
      changes.push(change)
      if (changes.length === 6) break
    }
    expect(changes.filter((c) => c.type === 'remove' && c.evicted).length).toBe(3)
  })
})
