/**
 * Vec and Set over real nodes (mosaik-features §5.5 `vec.rs`, `set.rs`): a writer n0 and a reader n1
 * unless noted. Out-of-range Vec operations are rejected commands with a typed error (mosaik
 * panicked on an insert past the end, §9.3 #10); a Vec reader is a learner (mosaik's was a writer,
 * §9.3 #6).
 */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { groupOf, nodes, opts, setOf, T, vecOf } from './helpers.ts'

describe('Vec over the network', () => {
  it('smoke: push, extend, insert, swap, pop, remove, truncate, clear reach the reader', async () => {
    const handle = vecOf<number>('vec-smoke')
    const [n0, n1] = await nodes(2)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    await w.pushBack(10)
    await w.pushBack(15)
    await w.pushFront(5)
    await w.extend([20, 30, 40])
    expect([...w]).toEqual([5, 10, 15, 20, 30, 40])
    expect(w.includes(20)).toBe(true)
    expect(w.indexOf(30)).toBe(4)
    expect(w.indexOf(99)).toBe(-1)
    await w.swap(0, 5)
    expect([...w]).toEqual([40, 10, 15, 20, 30, 5])
    await w.swap(2, 2)
    expect([w.front(), w.back(), w.get(1), w.size]).toEqual([40, 5, 10, 6])
    await w.popBack()
    await w.popFront()
    await w.remove(1)
    expect([...w]).toEqual([10, 20, 30])
    await w.insert(0, 1)
    await w.insert(4, 99) // at the end (index = size)
    await w.insert(2, 7)
    expect([...w]).toEqual([1, 10, 7, 20, 30, 99])
    await w.truncate(10) // longer than the Vec: no-op
    const v = await w.truncate(3)
    await r.when.reaches(v, T())
    expect([...r]).toEqual([1, 10, 7])
    expect(await w.extend([])).toBe(w.version)
    await w.clear()
    for (let i = 0; i < 3; i++) await w.popBack() // pops on empty are no-ops
    const rebuilt = await w.extend([1, 2])
    await r.when.reaches(rebuilt, T())
    expect([...r]).toEqual([1, 2])
    expect(groupOf(n0 as never, w).members.learners).toEqual([n1?.peerId])
  })

  it('out-of-range operations are rejected commands with a typed error; the state is untouched', async () => {
    const handle = vecOf<number>('vec-range')
    const [n0, n1] = await nodes(2)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    await w.extend([1, 2, 3])
    for (const op of [() => w.insert(5, 9), () => w.remove(3), () => w.swap(0, 7), () => w.insert(-1, 0)]) {
      const error = await op().catch((e: unknown) => e)
      expect(isMosaikError(error, 'ERR_COMMAND_REJECTED')).toBe(true)
      expect((error as { reason: string }).reason).toMatch(/out-of-range|malformed/)
    }
    const invalid = await w.pushBack('x' as never).catch((e: unknown) => e)
    expect(isMosaikError(invalid, 'ERR_VALIDATION')).toBe(true)
    const v = await w.pushBack(4)
    await r.when.reaches(v, T())
    expect([...r]).toEqual([1, 2, 3, 4])
  })

  it('catch-up: a late reader gets 107 elements, then follows a removal', async () => {
    const handle = vecOf<string>('vec-catchup', Type.String())
    const [n0, n1, n2] = await nodes(3)
    const w = handle.writer(n0 as never, opts())
    await w.when.online(T())
    await Promise.all(Array.from({ length: 100 }, () => undefined).map((_, i) => w.pushBack(`v${i + 5}`)))
    await w.extend(['a', 'b', 'c', 'd', 'e', 'f', 'g'])
    const r = handle.reader(n1 as never, opts())
    await r.when.reaches(w.version, T())
    expect(r.size).toBe(107)
    expect([...r]).toEqual([...w])
    const w2 = handle.writer(n2 as never, opts())
    await w2.when.reaches(w.version, T())
    // a follower gets the rejection of its out-of-range command
    for (let i = 0; i < 5; i++) {
      expect(await w2.insert(10_000, 'x').catch((e: unknown) => e)).toMatchObject({
        code: 'ERR_COMMAND_REJECTED',
      })
    }
    const v = await w2.remove(50)
    await Promise.all([r.when.reaches(v, T()), w.when.reaches(v, T())])
    expect(r.size).toBe(106)
    expect(r.get(50)).toBe(w.get(50))
    expect([...w2]).toEqual([...r])
  })
})

describe('Set over the network', () => {
  it('smoke, duplicates, removals, clear and rebuild, subset between two readers', async () => {
    const handle = setOf<number>('set-smoke')
    const [n0, n1, n2] = await nodes(3)
    const w = handle.writer(n0 as never, opts())
    const r1 = handle.reader(n1 as never, opts())
    const r2 = handle.reader(n2 as never, opts())
    await w.when.online(T())
    await w.add(3)
    await w.add(1)
    await w.add(3) // duplicate
    await w.extend([2, 2, 5, 4])
    expect([...w]).toEqual([1, 2, 3, 4, 5])
    await w.delete(42) // absent: no-op
    let v = await w.deleteMany([2, 4, 77])
    await Promise.all([r1.when.reaches(v, T()), r2.when.reaches(v, T())])
    expect([...r1]).toEqual([1, 3, 5])
    expect(r1.has(3)).toBe(true)
    expect(r1.isSubset(r2)).toBe(true)
    expect(r1.isSubset([1, 3])).toBe(false)
    expect(r1.isSubset([1, 3, 5, 6])).toBe(true)
    expect(await w.extend([])).toBe(w.version)
    await w.clear()
    v = await w.add(8)
    await r2.when.reaches(v, T())
    expect([...r2]).toEqual([8])
  })
})
