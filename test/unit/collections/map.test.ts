// Map semantics, ported from mosaik's tests/collections/map.rs (mosaik-features §5.5) at the state
// machine level: "readers" are replicas applying the same log, "late" ones restore a snapshot first.
import { describe, expect, it } from 'vitest'
import { compileValidator } from '../../../runtime/codegen/validator.ts'
import { MapState } from '../../../runtime/collections/state/map.ts'
import { expectConverged, Log } from './harness.ts'

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)
const log = (replicas = 1) => new Log(Array.from({ length: replicas }, () => new MapState<number, number>()))
const entries = <K, V>(state: MapState<K, V>) => [...state.view()]

describe('Map', () => {
  it('smoke: insert, overwrite, extend, iterate, delete, clear', () => {
    const l = log(2)
    const [w, r] = l.replicas as [MapState<number, number>, MapState<number, number>]
    expect(w.view().size).toBe(0)
    expect(w.view().get(1)).toBeUndefined()
    l.ok({ op: 'insert', key: 1, value: 10 })
    l.ok({ op: 'insert', key: 2, value: 20 })
    expect(l.ok({ op: 'insert', key: 1, value: 100 })).toBe(10)
    l.ok({ op: 'extend', entries: range(3, 6).map((k) => [k, k * 10]) })
    expect([...r.view().keys()]).toEqual([1, 2, 3, 4, 5])
    expect([...r.view().values()]).toEqual([100, 20, 30, 40, 50])
    expect(l.ok({ op: 'delete', key: 3 })).toBe(30)
    expect(r.view().size).toBe(4)
    expect(l.ok({ op: 'clear' })).toBe(4)
    expect(r.view().size).toBe(0)
    expectConverged(l.replicas)
  })

  it('catch-up: a late replica restores 103 entries, then follows the log', () => {
    const l = log()
    for (const k of range(0, 100)) l.ok({ op: 'insert', key: k, value: k })
    l.ok({ op: 'extend', entries: range(100, 103).map((k) => [k, k]) })
    const late = l.join(new MapState<number, number>())
    expect(late.view().size).toBe(103)
    expect(late.version).toBe(101)
    for (const k of range(0, 103)) expect(late.view().get(k)).toBe(k)
    l.ok({ op: 'delete', key: 50 })
    expect(late.view().size).toBe(102)
    expect(late.view().has(50)).toBe(false)
    expectConverged(l.replicas)
  })

  it('several readers and writers interleaved by the log converge', () => {
    const l = log(4)
    for (const k of range(1, 6)) l.ok({ op: 'insert', key: k, value: k })
    l.ok({ op: 'insert', key: 6, value: 6 })
    expect(l.replicas.map((s) => s.view().size)).toEqual([6, 6, 6, 6])
    l.ok({ op: 'delete', key: 1 })
    expect(l.replicas.map((s) => s.view().size)).toEqual([5, 5, 5, 5])
    expect([...(l.replicas[3] as MapState<number, number>).view().keys()]).toEqual([2, 3, 4, 5, 6])
    expectConverged(l.replicas)
  })

  it('catch-up of several late readers at different points', () => {
    const l = log()
    for (const k of range(0, 50)) l.ok({ op: 'insert', key: k, value: k })
    l.ok({ op: 'insert', key: 999, value: 999 })
    const r1 = l.join(new MapState<number, number>())
    expect(r1.view().size).toBe(51)
    for (const k of range(50, 80)) l.ok({ op: 'insert', key: k, value: k })
    l.ok({ op: 'insert', key: 1000, value: 1000 })
    const r2 = l.join(new MapState<number, number>(), 13)
    expect([r1.view().size, r2.view().size]).toEqual([82, 82])
    expectConverged(l.replicas)
  })

  it('overwrite keeps the size; extend updates overlapping keys', () => {
    const l = log()
    const m = l.replicas[0] as MapState<number, number>
    l.ok({
      op: 'extend',
      entries: [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
    })
    l.ok({ op: 'insert', key: 2, value: 21 })
    expect(m.view().size).toBe(3)
    l.ok({
      op: 'extend',
      entries: [
        [2, 200],
        [3, 300],
        [4, 400],
      ],
    })
    expect(entries(m)).toEqual([
      [1, 10],
      [2, 200],
      [3, 300],
      [4, 400],
    ])
  })

  it('deleting absent keys is a no-op; deleteMany skips missing keys; empty lists change nothing', () => {
    const l = log()
    const m = l.replicas[0] as MapState<number, number>
    expect(l.ok({ op: 'delete', key: 7 })).toBeUndefined()
    l.ok({ op: 'extend', entries: range(1, 6).map((k) => [k, k]) })
    expect(l.ok({ op: 'deleteMany', keys: [2, 4, 5, 42] })).toBe(3)
    expect([...m.view().keys()]).toEqual([1, 3])
    const before = m.version
    const outcome = l.append({ op: 'deleteMany', keys: [] })
    expect(outcome.ok && outcome.changes.count).toBe(0)
    expect(l.ok({ op: 'extend', entries: [] })).toBe(0)
    expect(m.version).toBe(before + 2)
    expect([...m.view().keys()]).toEqual([1, 3])
  })

  it('clear then rebuild; deleting every entry one by one then reinserting', () => {
    const l = log(2)
    const m = l.replicas[1] as MapState<number, number>
    l.ok({ op: 'extend', entries: range(1, 4).map((k) => [k, k]) })
    l.ok({ op: 'clear' })
    l.ok({ op: 'insert', key: 9, value: 9 })
    expect(entries(m)).toEqual([[9, 9]])
    l.ok({ op: 'delete', key: 9 })
    expect(m.view().size).toBe(0)
    l.ok({ op: 'insert', key: 9, value: 90 })
    expect(entries(m)).toEqual([[9, 90]])
    expectConverged(l.replicas)
  })

  it('a late writer catches up and its writes reach everyone', () => {
    const l = log()
    for (const k of range(1, 6)) l.ok({ op: 'insert', key: k, value: k })
    const late = l.join(new MapState<number, number>())
    expect(late.view().size).toBe(5)
    l.ok({ op: 'insert', key: 99, value: 99 })
    expect(l.replicas.map((s) => s.view().get(99))).toEqual([99, 99])
  })

  it('reads its own writes with string keys', () => {
    const l = new Log([new MapState<string, string>()])
    const m = l.replicas[0] as MapState<string, string>
    l.ok({ op: 'insert', key: 'alice', value: 'a' })
    l.ok({ op: 'insert', key: 'bob', value: 'b' })
    expect(m.view().get('alice')).toBe('a')
    expect(m.view().has('bob')).toBe(true)
    expect(m.view().has('carol')).toBe(false)
    expect(entries(m)).toEqual([
      ['alice', 'a'],
      ['bob', 'b'],
    ])
  })

  describe('compareAndSwap', () => {
    const cas = (key: number, expected?: number, next?: number) => ({
      op: 'compareAndSwap' as const,
      key,
      ...(expected === undefined ? {} : { expected }),
      ...(next === undefined ? {} : { next }),
    })

    it('replaces on match, inserts from absent, deletes with no next', () => {
      const l = log(3)
      const m = l.replicas[2] as MapState<number, number>
      l.ok({ op: 'insert', key: 1, value: 10 })
      expect(l.ok(cas(1, 10, 11))).toBe(true)
      expect(m.view().get(1)).toBe(11)
      expect(l.ok(cas(2, undefined, 20))).toBe(true)
      expect(m.view().get(2)).toBe(20)
      expect(l.ok(cas(2, 20))).toBe(true)
      expect(m.view().has(2)).toBe(false)
      expectConverged(l.replicas)
    })

    it('a mismatch changes nothing, including on a missing key and for a present key expected absent', () => {
      const l = log()
      const m = l.replicas[0] as MapState<number, number>
      l.ok({ op: 'insert', key: 1, value: 10 })
      expect(l.ok(cas(1, 99, 11))).toBe(false)
      expect(l.ok(cas(5, 1, 2))).toBe(false)
      expect(l.ok(cas(1, undefined, 12))).toBe(false)
      const outcome = l.append(cas(1, 99, 11))
      expect(outcome.ok && outcome.changes.count).toBe(0)
      expect(entries(m)).toEqual([[1, 10]])
    })

    it('chains absent → 1 → 2 → 3 → absent; absent → absent holds', () => {
      const l = log()
      const m = l.replicas[0] as MapState<number, number>
      expect(l.ok(cas(1, undefined, undefined))).toBe(true)
      expect(m.view().size).toBe(0)
      expect(l.ok(cas(1, undefined, 1))).toBe(true)
      expect(l.ok(cas(1, 1, 2))).toBe(true)
      expect(l.ok(cas(1, 2, 3))).toBe(true)
      expect(l.ok(cas(1, 3))).toBe(true)
      expect(m.view().has(1)).toBe(false)
    })

    it('mixes with insert/delete, works on several keys, and survives catch-up', () => {
      const l = log()
      l.ok({ op: 'insert', key: 1, value: 1 })
      l.ok({ op: 'insert', key: 2, value: 2 })
      expect(l.ok(cas(1, 1, 10))).toBe(true)
      l.ok({ op: 'delete', key: 2 })
      expect(l.ok(cas(2, 2, 20))).toBe(false)
      const late = l.join(new MapState<number, number>())
      expect(l.ok(cas(1, 10, 100))).toBe(true)
      expect([...late.view()]).toEqual([[1, 100]])
      expectConverged(l.replicas)
    })

    it('compares structured values by canonical encoding, whatever their key order', () => {
      const l = new Log([new MapState<string, Record<string, number>>()])
      const m = l.replicas[0] as MapState<string, Record<string, number>>
      l.ok({ op: 'insert', key: 'k', value: { b: 2, a: 1 } })
      expect(l.ok({ op: 'compareAndSwap', key: 'k', expected: { a: 1, b: 2 }, next: { c: 3 } })).toBe(true)
      expect(m.view().get('k')).toEqual({ c: 3 })
    })
  })

  it('records changes with previous values; clear reports one delete per key', () => {
    const l = log()
    l.ok({ op: 'insert', key: 1, value: 10 })
    const overwrite = l.append({ op: 'insert', key: 1, value: 11 })
    expect(overwrite.ok && [...overwrite.changes]).toEqual([
      { version: 2, type: 'insert', key: 1, value: 11, previous: 10 },
    ])
    l.ok({ op: 'insert', key: 2, value: 20 })
    const clear = l.append({ op: 'clear' })
    expect(clear.ok && [...clear.changes]).toEqual([
      { version: 4, type: 'delete', key: 1, previous: 11 },
      { version: 4, type: 'delete', key: 2, previous: 20 },
    ])
  })

  it('structured keys are canonical: key order does not matter, iteration order is canonical', () => {
    type Key = { region: string; id: bigint }
    const l = new Log([new MapState<Key, string>(), new MapState<Key, string>()])
    l.ok({ op: 'insert', key: { region: 'eu', id: 2n }, value: 'x' })
    l.ok({ op: 'insert', key: { id: 1n, region: 'us' }, value: 'y' })
    const m = l.replicas[1] as MapState<Key, string>
    expect(m.view().get({ id: 2n, region: 'eu' })).toBe('x')
    expect(m.view().get({ region: 'us', id: 1n })).toBe('y')
    expect(m.view().size).toBe(2)
    expect([...m.view().keys()]).toEqual([...(l.replicas[0] as MapState<Key, string>).view().keys()])
    expectConverged(l.replicas)
  })

  it('views are immutable snapshots and stored values are frozen', () => {
    const l = new Log([new MapState<number, { n: number }>()])
    const m = l.replicas[0] as MapState<number, { n: number }>
    l.ok({ op: 'insert', key: 1, value: { n: 1 } })
    const before = m.view()
    l.ok({ op: 'insert', key: 1, value: { n: 2 } })
    l.ok({ op: 'insert', key: 2, value: { n: 3 } })
    expect([...before]).toEqual([[1, { n: 1 }]])
    expect(before.version).toBe(1)
    expect(m.view().version).toBe(3)
    expect(Object.isFrozen(m.view().get(1))).toBe(true)
  })

  it('rejects malformed commands and values without a canonical encoding, on every replica alike', () => {
    const l = log(2)
    const bad = [
      { op: 'upsert', key: 1 },
      { op: 'insert', key: Number.NaN, value: 1 },
      { op: 'insert', key: 1, value: Number.POSITIVE_INFINITY },
      { op: 'deleteMany', keys: 5 },
      { op: 'extend', entries: [[1, 1], [2]] },
    ]
    for (const command of bad) {
      const outcome = l.append(command)
      expect(outcome.ok).toBe(false)
      expect(!outcome.ok && outcome.error.code).toBe('ERR_COMMAND_REJECTED')
    }
    const state = l.replicas[0] as MapState<number, number>
    expect(state.version).toBe(bad.length)
    expect(state.view().size).toBe(0)
    expect(state.apply({ op: 'insert', key: 1, value: 2n ** 64n }, 98)).toMatchObject({
      ok: false,
      error: { reason: 'invalid-value' },
    })
    expect(state.apply(null as never, 99)).toMatchObject({ ok: false, error: { reason: 'malformed' } })
    expect(state.apply({ op: 'clear' }, 99)).toMatchObject({ ok: false, error: { reason: 'stale-version' } })
  })

  it('runs the declaration validators on keys and values', () => {
    const m = new MapState<string, { n: number }>({
      validateKey: compileValidator('balances', { type: 'string' }),
      validateValue: compileValidator('balances', {
        type: 'object',
        properties: { n: { type: 'integer' } },
        required: ['n'],
      }),
    })
    expect(m.apply({ op: 'insert', key: 'a', value: { n: 1.5 } }, 1)).toMatchObject({
      ok: false,
      error: { reason: 'invalid-value', details: { role: 'value', path: '/n' } },
    })
    expect(m.apply({ op: 'insert', key: 7 as never, value: { n: 1 } }, 2)).toMatchObject({
      ok: false,
      error: { reason: 'invalid-key' },
    })
    expect(m.apply({ op: 'insert', key: 'a', value: { n: 1 } }, 3).ok).toBe(true)
  })
})
