// PriorityQueue semantics, ported from mosaik's tests/collections/depq.rs (mosaik-features §5.5).
// Where mosaik picked an arbitrary key of a priority bucket, the order here is (priority, key).
import { describe, expect, it } from 'vitest'
import {
  comparePriorities,
  type PriorityQueueOptions,
  PriorityQueueState,
} from '../../../runtime/collections/state/priority-queue.ts'
import { expectConverged, Log } from './harness.ts'

type Queue = PriorityQueueState<number, number, number>
const log = (replicas = 1, options: PriorityQueueOptions = {}) =>
  new Log(Array.from({ length: replicas }, () => new PriorityQueueState<number, number, number>(options)))
const upsert = (priority: number, key: number, value = key) => ({ op: 'upsert', priority, key, value })
const keys = (q: Queue) => [...q.view()].map((entry) => entry.key)
const priorities = (q: Queue) => [...q.view()].map((entry) => entry.priority)

describe('PriorityQueue', () => {
  it('smoke: upsert, get, priorityOf, min/max, both directions, remove, clear', () => {
    const l = log(2)
    const q = l.replicas[1] as Queue
    expect([q.view().min(), q.view().max(), q.view().size]).toEqual([undefined, undefined, 0])
    for (const [p, k] of [
      [30, 3],
      [10, 1],
      [20, 2],
    ])
      l.ok(upsert(p as number, k as number, (k as number) * 100))
    expect(q.view().get(2)).toBe(200)
    expect(q.view().priorityOf(3)).toBe(30)
    expect(q.view().has(4)).toBe(false)
    expect(q.view().min()).toEqual({ priority: 10, key: 1, value: 100 })
    expect(q.view().max()).toEqual({ priority: 30, key: 3, value: 300 })
    expect(keys(q)).toEqual([1, 2, 3])
    expect([...q.view().descending()].map((e) => e.key)).toEqual([3, 2, 1])
    expect(l.ok({ op: 'remove', key: 1 })).toEqual({ priority: 10, key: 1, value: 100 })
    expect(q.view().min()?.key).toBe(2)
    expect(l.ok({ op: 'clear' })).toBe(2)
    expect(q.view().size).toBe(0)
    expectConverged(l.replicas)
  })

  it('catch-up of late readers; several writers interleaved by the log', () => {
    const l = log(2)
    for (let i = 0; i < 50; i++) l.ok(upsert(i % 7, i))
    l.ok(upsert(999, 999))
    const r1 = l.join(new PriorityQueueState<number, number, number>())
    expect(r1.view().size).toBe(51)
    for (let i = 50; i < 80; i++) l.ok(upsert(i % 5, i))
    l.ok(upsert(-1, 1000))
    const r2 = l.join(new PriorityQueueState<number, number, number>(), 4)
    expect([r1.view().size, r2.view().size]).toEqual([82, 82])
    expect(r2.view().min()?.key).toBe(1000)
    expect(r2.view().max()?.key).toBe(999)
    expectConverged(l.replicas)
  })

  it('upsert overwrites priority and value; extend overwrites too; empty extend changes nothing', () => {
    const l = log()
    const q = l.replicas[0] as Queue
    l.ok(upsert(10, 1, 1))
    expect(l.ok(upsert(50, 1, 2))).toEqual({ priority: 10, key: 1, value: 1 })
    expect([q.view().size, q.view().priorityOf(1), q.view().get(1)]).toEqual([1, 50, 2])
    l.ok({
      op: 'extend',
      entries: [
        { priority: 5, key: 1, value: 3 },
        { priority: 6, key: 2, value: 4 },
      ],
    })
    expect([...q.view()]).toEqual([
      { priority: 5, key: 1, value: 3 },
      { priority: 6, key: 2, value: 4 },
    ])
    expect(l.ok({ op: 'extend', entries: [] })).toBe(0)
    expect(q.view().size).toBe(2)
  })

  it('updatePriority and updateValue move or change an entry; absent keys are committed no-ops', () => {
    const l = log()
    const q = l.replicas[0] as Queue
    l.ok(upsert(10, 1))
    l.ok(upsert(20, 2))
    expect(l.ok({ op: 'updatePriority', key: 1, priority: 30 })).toBe(true)
    expect(keys(q)).toEqual([2, 1])
    expect(l.ok({ op: 'updateValue', key: 2, value: 22 })).toBe(true)
    expect(q.view().get(2)).toBe(22)
    expect(q.view().priorityOf(2)).toBe(20)
    expect(l.ok({ op: 'updatePriority', key: 9, priority: 1 })).toBe(false)
    expect(l.ok({ op: 'updateValue', key: 9, value: 1 })).toBe(false)
    expect(q.version).toBe(6)
  })

  it('removeRange with open, half-open and closed bounds (mosaik: ..25, 45.., 20..=40, ..)', () => {
    const fill = () => {
      const l = log()
      for (const p of [10, 20, 30, 40, 50]) l.ok(upsert(p, p))
      return l
    }
    const cases: [object, number[]][] = [
      [{ lt: 25 }, [30, 40, 50]],
      [{ gte: 45 }, [10, 20, 30, 40]],
      [{ gte: 20, lte: 40 }, [10, 50]],
      [{ gt: 20, lt: 50 }, [10, 20, 50]],
      [{}, []],
      [{ gt: 50 }, [10, 20, 30, 40, 50]],
    ]
    for (const [range, left] of cases) {
      const l = fill()
      l.ok({ op: 'removeRange', range })
      expect(priorities(l.replicas[0] as Queue)).toEqual(left)
    }
    const l = fill()
    expect(l.append({ op: 'removeRange', range: { gt: 1, gte: 2 } })).toMatchObject({
      ok: false,
      error: { reason: 'malformed' },
    })
    expect(l.append({ op: 'removeRange', range: { min: 1 } })).toMatchObject({
      ok: false,
      error: { reason: 'malformed' },
    })
    expect(l.append({ op: 'removeRange', range: { lt: { x: 1 } } })).toMatchObject({
      ok: false,
      error: { reason: 'invalid-value' },
    })
    expect(new PriorityQueueState().view().size).toBe(0)
    const empty = log()
    expect(empty.ok({ op: 'removeRange', range: { lt: 5 } })).toBe(0)
  })

  it('removing absent keys, removeMany, removing every entry, clear then rebuild', () => {
    const l = log()
    const q = l.replicas[0] as Queue
    expect(l.ok({ op: 'remove', key: 5 })).toBeUndefined()
    for (let k = 1; k <= 5; k++) l.ok(upsert(k * 10, k))
    expect(l.ok({ op: 'removeMany', keys: [2, 4, 42] })).toBe(2)
    expect(keys(q)).toEqual([1, 3, 5])
    for (const k of [1, 3, 5]) l.ok({ op: 'remove', key: k })
    expect(q.view().size).toBe(0)
    l.ok(upsert(1, 1))
    l.ok({ op: 'clear' })
    l.ok(upsert(7, 7))
    expect(keys(q)).toEqual([7])
  })

  it('a priority bucket: min stays while the bucket is non-empty, ties broken by key', () => {
    const l = log()
    const q = l.replicas[0] as Queue
    l.ok(upsert(10, 3))
    l.ok(upsert(10, 1))
    l.ok(upsert(10, 2))
    l.ok(upsert(20, 4))
    expect(q.view().min()?.key).toBe(1)
    expect(q.view().max()?.key).toBe(4)
    l.ok({ op: 'remove', key: 1 })
    expect(q.view().min()).toMatchObject({ priority: 10, key: 2 })
    l.ok({ op: 'removeMany', keys: [2, 3] })
    expect(q.view().min()?.priority).toBe(20)
  })

  it('iteration order after mixed mutations; late writer; own writes with string keys', () => {
    const l = log(2)
    l.ok(upsert(5, 1))
    l.ok(upsert(1, 2))
    l.ok(upsert(3, 3))
    l.ok({ op: 'updatePriority', key: 2, priority: 9 })
    l.ok({ op: 'remove', key: 3 })
    l.ok(upsert(0, 4))
    expect(keys(l.replicas[1] as Queue)).toEqual([4, 1, 2])
    const late = l.join(new PriorityQueueState<number, number, number>())
    l.ok(upsert(4, 5))
    expect(keys(late)).toEqual([4, 5, 1, 2])
    expectConverged(l.replicas)

    const strings = new Log([new PriorityQueueState<number, string, string>()])
    strings.ok({ op: 'upsert', priority: 1, key: 'k', value: 'v' })
    expect((strings.replicas[0] as PriorityQueueState<number, string, string>).view().get('k')).toBe('v')
  })

  describe('compareAndSwap (value)', () => {
    const cas = (key: number, expected: number, next?: number) => ({
      op: 'compareAndSwap',
      key,
      expected,
      ...(next === undefined ? {} : { next }),
    })

    it('replaces on match keeping the priority, removes with no next, refuses mismatch and missing keys', () => {
      const l = log(3)
      const q = l.replicas[2] as Queue
      l.ok(upsert(10, 1, 100))
      l.ok(upsert(20, 2, 200))
      expect(l.ok(cas(1, 100, 101))).toBe(true)
      expect(q.view().min()).toEqual({ priority: 10, key: 1, value: 101 })
      expect(l.ok(cas(1, 100, 102))).toBe(false)
      expect(l.ok(cas(9, 1, 2))).toBe(false)
      expect(l.ok(cas(1, 101))).toBe(true)
      expect(q.view().min()?.key).toBe(2)
      expect(q.view().max()?.key).toBe(2)
      expectConverged(l.replicas)
    })

    it('chains, mixes with other mutations, and survives catch-up', () => {
      const l = log()
      l.ok(upsert(1, 1, 1))
      expect(l.ok(cas(1, 1, 2))).toBe(true)
      expect(l.ok(cas(1, 2, 3))).toBe(true)
      l.ok({ op: 'updateValue', key: 1, value: 4 })
      expect(l.ok(cas(1, 3, 5))).toBe(false)
      const late = l.join(new PriorityQueueState<number, number, number>())
      expect(l.ok(cas(1, 4, 5))).toBe(true)
      expect(late.view().get(1)).toBe(5)
    })
  })

  describe('capacity', () => {
    it('evicts the lowest entry when over capacity (CAP 3: the 4th insert evicts priority 10)', () => {
      const l = log(2, { capacity: 3 })
      const q = l.replicas[0] as Queue
      for (const p of [10, 20, 30, 40]) l.ok(upsert(p, p))
      expect([q.view().size, q.view().min()?.priority, q.view().max()?.priority]).toEqual([3, 20, 40])
      expect(q.view().capacity).toBe(3)
      expectConverged(l.replicas)
    })

    it('an insert lower than every entry evicts itself (CAP 2)', () => {
      const l = log(1, { capacity: 2 })
      const q = l.replicas[0] as Queue
      l.ok(upsert(10, 1))
      l.ok(upsert(20, 2))
      const outcome = l.append(upsert(5, 3))
      expect(outcome.ok && [...outcome.changes].map((c) => (c as { type: string }).type)).toEqual([
        'upsert',
        'remove',
      ])
      expect(outcome.ok && [...outcome.changes][1]).toMatchObject({ key: 3, evicted: true })
      expect(keys(q)).toEqual([1, 2])
    })

    it('extend evicts several (CAP 3: 5 entries keep the 3 highest); ties evict the smallest key', () => {
      const l = log(1, { capacity: 3 })
      const q = l.replicas[0] as Queue
      l.ok({ op: 'extend', entries: [1, 5, 2, 4, 3].map((p) => ({ priority: p, key: p, value: p })) })
      expect(priorities(q)).toEqual([3, 4, 5])
      l.ok(upsert(3, 0))
      expect(keys(q)).toEqual([3, 4, 5])
    })

    it('updating a priority or upserting an existing key never evicts', () => {
      const l = log(1, { capacity: 3 })
      const q = l.replicas[0] as Queue
      for (const p of [10, 20, 30]) l.ok(upsert(p, p))
      l.ok({ op: 'updatePriority', key: 10, priority: 50 })
      expect(q.view().size).toBe(3)
      l.ok(upsert(1, 20))
      expect(keys(q)).toEqual([20, 30, 10])
    })

    it('string keys: the 6th insert into CAP 5 evicts k0', () => {
      const q = new PriorityQueueState<number, string, string>({ capacity: 5 })
      for (let i = 0; i < 6; i++) q.apply({ op: 'upsert', priority: i, key: `k${i}`, value: `v${i}` }, i + 1)
      expect(q.view().has('k0')).toBe(false)
      expect([...q.view()].map((e) => e.key)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5'])
    })

    it('refuses a capacity that is not a positive integer', () => {
      expect(() => new PriorityQueueState({ capacity: 0 })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
      )
    })
  })

  it('orders priorities: numbers and bigints numerically, then strings', () => {
    const sorted = [3, 'a', -1n, 2.5, 'B', 10n].sort(comparePriorities)
    expect(sorted).toEqual([-1n, 2.5, 3, 10n, 'B', 'a'])
    const q = new PriorityQueueState<unknown, number, number>()
    expect(q.apply({ op: 'upsert', priority: true, key: 1, value: 1 }, 1)).toMatchObject({
      ok: false,
      error: { reason: 'invalid-value', details: { role: 'priority' } },
    })
  })

  it('records upserts with previous entries and removals (clear: one per entry, ascending)', () => {
    const l = log()
    l.ok(upsert(2, 1, 10))
    const update = l.append({ op: 'updatePriority', key: 1, priority: 3 })
    expect(update.ok && [...update.changes]).toEqual([
      { version: 2, type: 'upsert', key: 1, priority: 3, value: 10, previous: { priority: 2, value: 10 } },
    ])
    l.ok(upsert(1, 2, 20))
    const clear = l.append({ op: 'clear' })
    expect(clear.ok && [...clear.changes]).toEqual([
      { version: 4, type: 'remove', key: 2, previous: { priority: 1, value: 20 }, evicted: false },
      { version: 4, type: 'remove', key: 1, previous: { priority: 3, value: 10 }, evicted: false },
    ])
  })
})
