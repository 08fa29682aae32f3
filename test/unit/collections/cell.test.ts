// Cell and Once semantics, ported from mosaik's tests/collections/{cell,once}.rs (mosaik-features §5.5).
import { describe, expect, it } from 'vitest'
import { CellState } from '../../../runtime/collections/state/cell.ts'
import { OnceState } from '../../../runtime/collections/state/once.ts'
import { expectConverged, Log } from './harness.ts'

const cells = (replicas = 1) => new Log(Array.from({ length: replicas }, () => new CellState<number>()))
const cas = (expected?: number, next?: number) => ({
  op: 'compareAndSwap' as const,
  ...(expected === undefined ? {} : { expected }),
  ...(next === undefined ? {} : { next }),
})

describe('Cell', () => {
  it('smoke: empty, set, overwrite keeps the latest, clear, clear when empty', () => {
    const l = cells(2)
    const c = l.replicas[1] as CellState<number>
    expect([c.view().get(), c.view().isSet]).toEqual([undefined, false])
    expect(l.ok({ op: 'set', value: 1 })).toBeUndefined()
    expect(l.ok({ op: 'set', value: 2 })).toBe(1)
    expect([c.view().get(), c.view().isSet]).toEqual([2, true])
    expect(l.ok({ op: 'clear' })).toBe(2)
    expect(c.view().isSet).toBe(false)
    const empty = l.append({ op: 'clear' })
    expect(empty.ok && empty.changes.count).toBe(0)
    l.ok({ op: 'set', value: 3 })
    expect(c.view().get()).toBe(3)
    expectConverged(l.replicas)
  })

  it('catch-up of late readers and writers, including an empty cell', () => {
    const l = cells()
    const empty = l.join(new CellState<number>())
    expect(empty.view().isSet).toBe(false)
    l.ok({ op: 'set', value: 42 })
    const late = l.join(new CellState<number>())
    expect(late.view().get()).toBe(42)
    l.ok({ op: 'set', value: 43 })
    expect(l.replicas.map((c) => c.view().get())).toEqual([43, 43, 43])
    expectConverged(l.replicas)
  })

  it('compareAndSwap: success, from empty, to empty, mismatch, mismatch on empty, none → none', () => {
    const l = cells(3)
    const c = l.replicas[2] as CellState<number>
    expect(l.ok(cas(1, 2))).toBe(false)
    expect(c.view().isSet).toBe(false)
    expect(l.ok(cas(undefined, undefined))).toBe(true)
    expect(l.ok(cas(undefined, 1))).toBe(true)
    expect(l.ok(cas(undefined, 5))).toBe(false)
    expect(l.ok(cas(1, 2))).toBe(true)
    expect(l.ok(cas(9, 3))).toBe(false)
    expect(c.view().get()).toBe(2)
    expect(l.ok(cas(2))).toBe(true)
    expect(c.view().isSet).toBe(false)
    expectConverged(l.replicas)
  })

  it('compareAndSwap chains and mixes with set/clear, and survives catch-up', () => {
    const l = cells()
    for (const [expected, next] of [
      [undefined, 1],
      [1, 2],
      [2, 3],
      [3, undefined],
    ] as const) {
      expect(l.ok(cas(expected, next))).toBe(true)
    }
    l.ok({ op: 'set', value: 10 })
    expect(l.ok(cas(10, 11))).toBe(true)
    const late = l.join(new CellState<number>())
    l.ok({ op: 'clear' })
    expect(l.ok(cas(undefined, 12))).toBe(true)
    expect(late.view().get()).toBe(12)
  })

  it('records set (with previous) and clear changes', () => {
    const l = cells()
    l.ok({ op: 'set', value: 1 })
    const set = l.append({ op: 'set', value: 2 })
    expect(set.ok && [...set.changes]).toEqual([{ version: 2, type: 'set', value: 2, previous: 1 }])
    const clear = l.append({ op: 'clear' })
    expect(clear.ok && [...clear.changes]).toEqual([{ version: 3, type: 'clear', previous: 2 }])
  })
})

describe('Once', () => {
  const onces = (replicas = 1) => new Log(Array.from({ length: replicas }, () => new OnceState<number>()))

  it('the first committed write wins; later writes commit but change nothing', () => {
    const l = onces(3)
    const o = l.replicas[2] as OnceState<number>
    expect(o.view().isSet).toBe(false)
    expect(l.ok({ op: 'set', value: 42 })).toBe(true)
    const second = l.append({ op: 'set', value: 43 })
    expect(second).toMatchObject({ ok: true, result: false, version: 2 })
    expect(second.ok && second.changes.count).toBe(0)
    expect(l.ok({ op: 'set', value: 44 })).toBe(false)
    expect([o.view().get(), o.version]).toEqual([42, 3])
    expectConverged(l.replicas)
  })

  it('several writers: the first in the log wins everywhere; late readers and writers see it', () => {
    const l = onces(2)
    l.ok({ op: 'set', value: 10 })
    l.ok({ op: 'set', value: 20 })
    const late = l.join(new OnceState<number>())
    expect(late.view().get()).toBe(10)
    expect(l.ok({ op: 'set', value: 999 })).toBe(false)
    expect(l.replicas.map((o) => o.view().get())).toEqual([10, 10, 10])
  })

  it('rejects an unknown op or invalid value even once set', () => {
    const l = onces()
    l.ok({ op: 'set', value: 1 })
    expect(l.append({ op: 'clear' })).toMatchObject({ ok: false, error: { reason: 'malformed' } })
    const o = l.replicas[0] as OnceState<number>
    expect(o.apply({ op: 'set', value: Number.NaN }, 3)).toMatchObject({
      ok: false,
      error: { reason: 'invalid-value' },
    })
  })
})
