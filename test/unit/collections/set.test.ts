// Set semantics, ported from mosaik's tests/collections/set.rs (mosaik-features §5.5).
import { describe, expect, it } from 'vitest'
import { SetState } from '../../../runtime/collections/state/set.ts'
import { expectConverged, Log } from './harness.ts'

const log = (replicas = 1) => new Log(Array.from({ length: replicas }, () => new SetState<number>()))
const members = <T>(state: SetState<T>) => [...state.view()]

describe('Set', () => {
  it('smoke: add, has, extend, delete, iterate in canonical order, clear', () => {
    const l = log(2)
    const s = l.replicas[1] as SetState<number>
    expect(s.view().has(1)).toBe(false)
    expect(l.ok({ op: 'add', value: 3 })).toBe(true)
    expect(l.ok({ op: 'add', value: 1 })).toBe(true)
    expect(l.ok({ op: 'extend', values: [5, 2, 4] })).toBe(3)
    expect(members(s)).toEqual([1, 2, 3, 4, 5])
    expect(l.ok({ op: 'delete', value: 3 })).toBe(true)
    expect([s.view().has(3), s.view().size]).toEqual([false, 4])
    expect(l.ok({ op: 'clear' })).toBe(4)
    expect(s.view().size).toBe(0)
    expectConverged(l.replicas)
  })

  it('catch-up of late readers (100, then 51 → 82 elements)', () => {
    const l = log()
    for (let i = 0; i < 100; i++) l.ok({ op: 'add', value: i })
    const r1 = l.join(new SetState<number>())
    expect(r1.view().size).toBe(100)
    l.ok({ op: 'clear' })
    for (let i = 0; i < 50; i++) l.ok({ op: 'add', value: i })
    l.ok({ op: 'add', value: 999 })
    expect(r1.view().size).toBe(51)
    for (let i = 50; i < 80; i++) l.ok({ op: 'add', value: i })
    l.ok({ op: 'add', value: 1000 })
    const r2 = l.join(new SetState<number>(), 11)
    expect([r1.view().size, r2.view().size]).toEqual([82, 82])
    expectConverged(l.replicas)
  })

  it('duplicates are ignored by add and extend; deleting absent values is a no-op', () => {
    const l = log()
    const s = l.replicas[0] as SetState<number>
    l.ok({ op: 'add', value: 1 })
    expect(l.ok({ op: 'add', value: 1 })).toBe(false)
    expect(l.ok({ op: 'extend', values: [1, 2, 2, 3] })).toBe(2)
    expect(members(s)).toEqual([1, 2, 3])
    expect(l.ok({ op: 'delete', value: 9 })).toBe(false)
    expect(l.ok({ op: 'deleteMany', values: [1, 3, 9] })).toBe(2)
    expect(l.ok({ op: 'extend', values: [] })).toBe(0)
    expect(members(s)).toEqual([2])
  })

  it('clear then rebuild; removing every element then re-adding', () => {
    const l = log(2)
    const s = l.replicas[0] as SetState<number>
    l.ok({ op: 'extend', values: [1, 2, 3] })
    l.ok({ op: 'clear' })
    l.ok({ op: 'add', value: 7 })
    expect(members(s)).toEqual([7])
    l.ok({ op: 'delete', value: 7 })
    expect(s.view().size).toBe(0)
    l.ok({ op: 'add', value: 7 })
    expectConverged(l.replicas)
  })

  it('isSubset between replicas and plain iterables', () => {
    const small = new Log([new SetState<number>()])
    const big = new Log([new SetState<number>()])
    small.ok({ op: 'extend', values: [1, 2] })
    big.ok({ op: 'extend', values: [1, 2, 3] })
    const a = (small.replicas[0] as SetState<number>).view()
    const b = (big.replicas[0] as SetState<number>).view()
    expect(a.isSubset(b)).toBe(true)
    expect(b.isSubset(a)).toBe(false)
    expect(a.isSubset([2, 1, 7])).toBe(true)
    expect(new SetState<number>().view().isSubset([])).toBe(true)
  })

  it('many writers and readers, a late writer, string elements', () => {
    const l = new Log([new SetState<string>(), new SetState<string>(), new SetState<string>()])
    l.ok({ op: 'add', value: 'b' })
    l.ok({ op: 'add', value: 'a' })
    l.ok({ op: 'delete', value: 'b' })
    l.ok({ op: 'extend', values: ['c', 'd'] })
    const late = l.join(new SetState<string>())
    l.ok({ op: 'add', value: 'z' })
    expect(members(late)).toEqual(['a', 'c', 'd', 'z'])
    expectConverged(l.replicas)
  })

  it('structured elements are equal by value whatever their key order', () => {
    const l = new Log([new SetState<object>()])
    const s = l.replicas[0] as SetState<object>
    l.ok({ op: 'add', value: { x: 1, y: [1, 2] } })
    expect(l.ok({ op: 'add', value: { y: [1, 2], x: 1 } })).toBe(false)
    expect(s.view().has({ y: [1, 2], x: 1 })).toBe(true)
    expect(members(s)).toEqual([{ x: 1, y: [1, 2] }])
  })

  it('records add/delete changes; clear reports one delete per element', () => {
    const l = log()
    l.ok({ op: 'extend', values: [2, 1] })
    const clear = l.append({ op: 'clear' })
    expect(clear.ok && [...clear.changes]).toEqual([
      { version: 2, type: 'delete', value: 1 },
      { version: 2, type: 'delete', value: 2 },
    ])
  })
})
