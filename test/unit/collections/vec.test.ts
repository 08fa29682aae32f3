// Vec semantics, ported from mosaik's tests/collections/vec.rs (mosaik-features §5.5). Where mosaik
// made out-of-range operations silent no-ops (or panicked, for insert), they are rejected commands
// here (issue 8): the state is unchanged on every replica and the caller gets `out-of-range`.
import { describe, expect, it } from 'vitest'
import { VecState } from '../../../runtime/collections/state/vec.ts'
import { expectConverged, Log } from './harness.ts'

const log = (replicas = 1) => new Log(Array.from({ length: replicas }, () => new VecState<number>()))
const items = <T>(state: VecState<T>) => [...state.view()]

describe('Vec', () => {
  it('smoke: push, extend, insert, search, swap, pop, remove, truncate, clear', () => {
    const l = log(2)
    const v = l.replicas[1] as VecState<number>
    l.ok({ op: 'pushBack', value: 10 })
    l.ok({ op: 'pushBack', value: 20 })
    l.ok({ op: 'pushFront', value: 5 })
    l.ok({ op: 'extend', values: [30, 40] })
    l.ok({ op: 'insert', index: 2, value: 15 })
    expect(items(v)).toEqual([5, 10, 15, 20, 30, 40])
    expect(v.view().includes(15)).toBe(true)
    expect(v.view().indexOf(30)).toBe(4)
    expect(v.view().indexOf(99)).toBe(-1)
    l.ok({ op: 'swap', i: 0, j: 5 })
    expect(items(v)).toEqual([40, 10, 15, 20, 30, 5])
    expect(l.ok({ op: 'popBack' })).toBe(5)
    expect(l.ok({ op: 'popFront' })).toBe(40)
    expect(l.ok({ op: 'remove', index: 1 })).toBe(15)
    expect(items(v)).toEqual([10, 20, 30])
    expect([v.view().front(), v.view().back(), v.view().get(1), v.view().get(3)]).toEqual([
      10,
      30,
      20,
      undefined,
    ])
    expect(l.ok({ op: 'truncate', length: 1 })).toBe(2)
    expect(items(v)).toEqual([10])
    l.ok({ op: 'clear' })
    expect(v.view().size).toBe(0)
    expectConverged(l.replicas)
  })

  it('catch-up: a late replica restores 107 elements, then follows removals', () => {
    const l = log()
    for (let i = 0; i < 100; i++) l.ok({ op: 'pushBack', value: i + 5 })
    l.ok({ op: 'extend', values: [1, 2, 3, 4, 5, 6, 7] })
    const late = l.join(new VecState<number>(), 10)
    expect(late.view().size).toBe(107)
    l.ok({ op: 'remove', index: 50 })
    expect(late.view().size).toBe(106)
    expect(late.view().get(50)).toBe(56)
    expectConverged(l.replicas)
  })

  it('several writers: the log decides the order; every reader agrees', () => {
    const l = log(3)
    l.ok({ op: 'pushBack', value: 200 })
    l.ok({ op: 'pushFront', value: 100 })
    l.ok({ op: 'pushBack', value: 300 })
    for (const replica of l.replicas) expect(items(replica)).toEqual([100, 200, 300])
    const r1 = l.join(new VecState<number>())
    for (let i = 0; i < 48; i++) l.ok({ op: 'pushBack', value: i })
    const r2 = l.join(new VecState<number>(), 9)
    for (let i = 0; i < 31; i++) l.ok({ op: 'pushBack', value: i })
    expect([r1.view().size, r2.view().size]).toEqual([82, 82])
    expectConverged(l.replicas)
  })

  it('push front/back ordering and popping until (and past) empty', () => {
    const l = log()
    const v = l.replicas[0] as VecState<number>
    l.ok({ op: 'pushBack', value: 3 })
    l.ok({ op: 'pushFront', value: 2 })
    l.ok({ op: 'pushBack', value: 4 })
    l.ok({ op: 'pushFront', value: 1 })
    l.ok({ op: 'pushBack', value: 5 })
    expect(items(v)).toEqual([1, 2, 3, 4, 5])
    for (let i = 0; i < 5; i++) l.ok({ op: i % 2 ? 'popFront' : 'popBack' })
    expect(v.view().size).toBe(0)
    const empty = l.append({ op: 'popBack' })
    expect(empty).toMatchObject({ ok: true, result: undefined })
    expect(empty.ok && empty.changes.count).toBe(0)
    expect(l.ok({ op: 'popFront' })).toBeUndefined()
  })

  it('swap: same index is a no-op, out of range is rejected', () => {
    const l = log()
    const v = l.replicas[0] as VecState<number>
    l.ok({ op: 'extend', values: [1, 2, 3] })
    const same = l.append({ op: 'swap', i: 1, j: 1 })
    expect(same.ok && same.changes.count).toBe(0)
    const out = l.append({ op: 'swap', i: 0, j: 3 })
    expect(out).toMatchObject({ ok: false, error: { code: 'ERR_COMMAND_REJECTED', reason: 'out-of-range' } })
    expect(items(v)).toEqual([1, 2, 3])
    expect(v.version).toBe(3)
  })

  it('insert at positions: empty, front, end, middle; past the end is rejected, never a crash', () => {
    const l = log(2)
    const v = l.replicas[0] as VecState<number>
    l.ok({ op: 'insert', index: 0, value: 50 })
    l.ok({ op: 'insert', index: 0, value: 10 })
    l.ok({ op: 'insert', index: 2, value: 90 })
    l.ok({ op: 'insert', index: 1, value: 30 })
    expect(items(v)).toEqual([10, 30, 50, 90])
    const past = l.append({ op: 'insert', index: 5, value: 1 })
    expect(past).toMatchObject({
      ok: false,
      error: { reason: 'out-of-range', details: { index: 5, size: 4 } },
    })
    expect(l.append({ op: 'insert', index: -1, value: 1 })).toMatchObject({
      ok: false,
      error: { reason: 'out-of-range' },
    })
    expect(l.append({ op: 'insert', index: 1.5, value: 1 })).toMatchObject({
      ok: false,
      error: { reason: 'malformed' },
    })
    expect(items(v)).toEqual([10, 30, 50, 90])
    expectConverged(l.replicas)
  })

  it('truncate: longer or equal is a no-op; shorter keeps the prefix; zero empties', () => {
    const l = log()
    const v = l.replicas[0] as VecState<number>
    l.ok({ op: 'extend', values: [1, 2, 3, 4, 5] })
    expect(l.ok({ op: 'truncate', length: 9 })).toBe(0)
    expect(l.ok({ op: 'truncate', length: 5 })).toBe(0)
    l.ok({ op: 'truncate', length: 3 })
    expect(items(v)).toEqual([1, 2, 3])
    l.ok({ op: 'truncate', length: 0 })
    expect(items(v)).toEqual([])
  })

  it('remove out of range is rejected; clear then rebuild; empty extend changes nothing', () => {
    const l = log()
    const v = l.replicas[0] as VecState<number>
    expect(l.append({ op: 'remove', index: 0 })).toMatchObject({
      ok: false,
      error: { reason: 'out-of-range' },
    })
    l.ok({ op: 'extend', values: [1, 2] })
    expect(l.append({ op: 'remove', index: 2 })).toMatchObject({
      ok: false,
      error: { reason: 'out-of-range' },
    })
    l.ok({ op: 'clear' })
    l.ok({ op: 'extend', values: [] })
    l.ok({ op: 'pushBack', value: 7 })
    expect(items(v)).toEqual([7])
  })

  it('many writers and readers interleaved, a late writer, reading own writes (strings)', () => {
    const l = log(3)
    l.ok({ op: 'extend', values: [10, 20, 30] })
    l.ok({ op: 'popFront' })
    l.ok({ op: 'extend', values: [40, 50] })
    l.ok({ op: 'pushBack', value: 60 })
    expect(items(l.replicas[2] as VecState<number>)).toEqual([20, 30, 40, 50, 60])
    const late = l.join(new VecState<number>())
    l.ok({ op: 'pushBack', value: 99 })
    expect(late.view().back()).toBe(99)
    expectConverged(l.replicas)

    const strings = new Log([new VecState<string>()])
    strings.ok({ op: 'pushBack', value: 'a' })
    strings.ok({ op: 'pushBack', value: 'b' })
    expect(items(strings.replicas[0] as VecState<string>)).toEqual(['a', 'b'])
  })

  it('records changes: push = insert, swap = two sets, truncate = removes last to first', () => {
    const l = log()
    const changes = (command: object) => {
      const outcome = l.append(command)
      if (!outcome.ok) return outcome.error
      return [...(outcome.changes as Iterable<{ version: number }>)].map(
        ({ version: _, ...change }) => change,
      )
    }
    expect(changes({ op: 'extend', values: [1, 2, 3] })).toEqual([
      { type: 'insert', index: 0, value: 1 },
      { type: 'insert', index: 1, value: 2 },
      { type: 'insert', index: 2, value: 3 },
    ])
    expect(changes({ op: 'swap', i: 0, j: 2 })).toEqual([
      { type: 'set', index: 0, value: 3, previous: 1 },
      { type: 'set', index: 2, value: 1, previous: 3 },
    ])
    expect(changes({ op: 'truncate', length: 1 })).toEqual([
      { type: 'remove', index: 2, previous: 1 },
      { type: 'remove', index: 1, previous: 2 },
    ])
    expect(changes({ op: 'popFront' })).toEqual([{ type: 'remove', index: 0, previous: 3 }])
  })

  it('indexOf compares structured values canonically', () => {
    const l = new Log([new VecState<Record<string, unknown>>()])
    const v = l.replicas[0] as VecState<Record<string, unknown>>
    l.ok({ op: 'extend', values: [{ a: 1 }, { b: [1, { d: 2, c: 3 }], a: 2 }] })
    expect(v.view().indexOf({ a: 2, b: [1, { c: 3, d: 2 }] })).toBe(1)
    expect(v.view().includes({ a: 3 })).toBe(false)
    expect(v.view().indexOf({ bad: undefined })).toBe(-1)
  })
})
