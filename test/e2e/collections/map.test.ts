/**
 * Map over real nodes (mosaik-features §5.5 `tests/collections/map.rs`): a writer n0 and a reader
 * n1 unless noted; operations, catch-up of late readers and writers, several writers and readers,
 * compare-and-swap, validation on write, linearizable reads and change feeds.
 */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import type { MapChange, MapReader } from '../../../runtime/codegen-v1.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { groupOf, mapOf, nodes, opts, T, until } from './helpers.ts'

const entries = <K, V>(m: MapReader<K, V>) => [...m]

describe('Map over the network', () => {
  it('smoke: operations on the writer reach the reader; reads are local and synchronous', async () => {
    const handle = mapOf<number, number>('map-smoke')
    const [n0, n1] = await nodes(2)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    expect(w.size).toBe(0)
    expect(w.get(1)).toBeUndefined()
    await w.insert(1, 10)
    await w.insert(2, 20)
    const v = await w.insert(1, 100)
    expect(w.get(1)).toBe(100)
    expect(w.size).toBe(2)
    expect(w.version).toBeGreaterThanOrEqual(v)
    // extend overwrites overlapping keys
    await w.extend([
      [2, 200],
      [3, 300],
      [4, 40],
      [5, 50],
    ])
    expect([...w.keys()]).toEqual([1, 2, 3, 4, 5])
    expect([...w.values()]).toEqual([100, 200, 300, 40, 50])
    // removing an absent key is a committed no-op; extend([]) and deleteMany([]) propose nothing
    const before = await w.delete(99)
    expect(await w.extend([])).toBe(before)
    expect(await w.deleteMany([])).toBe(before)
    expect(w.size).toBe(5)
    const removed = await w.delete(3)
    await r.when.reaches(removed, T())
    expect(r.size).toBe(4)
    expect(entries(r)).toEqual(entries(w))
    await w.deleteMany([2, 4, 77])
    await w.clear()
    const rebuilt = await w.insert(9, 90)
    await r.when.reaches(rebuilt, T())
    expect(entries(r)).toEqual([[9, 90]])
    // the reader has no mutations, at run time too
    expect((r as unknown as Record<string, unknown>).insert).toBeUndefined()
    await r.when.online(T())
  })

  it('compare-and-swap: success, insert, remove, mismatch, chained, replicated', async () => {
    const handle = mapOf<number, number>('map-cas')
    const [n0, n1] = await nodes(2)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    expect((await w.compareAndSwap(1, undefined, undefined)).applied).toBe(true) // none → none
    expect(w.has(1)).toBe(false)
    expect((await w.compareAndSwap(1, undefined, 1)).applied).toBe(true) // insert a new key
    expect((await w.compareAndSwap(1, 1, 2)).applied).toBe(true)
    expect((await w.compareAndSwap(1, 1, 3)).applied).toBe(false) // mismatch: no change
    expect(w.get(1)).toBe(2)
    expect((await w.compareAndSwap(7, 1, 3)).applied).toBe(false) // mismatch on a missing key
    expect(w.has(7)).toBe(false)
    expect((await w.compareAndSwap(1, 2, 3)).applied).toBe(true)
    const last = await w.compareAndSwap(1, 3, undefined) // remove
    expect(last.applied).toBe(true)
    await w.insert(5, 5)
    const mixed = await w.compareAndSwap(5, 5, 6)
    await r.when.reaches(mixed.version, T())
    expect(entries(r)).toEqual([[5, 6]])
  })

  it('several writers and readers converge; readers never vote; late reader and late writer catch up', async () => {
    const handle = mapOf<number, number>('map-many')
    const [n0, n1, n2, n3, n4] = await nodes(5)
    const w0 = handle.writer(n0 as never, opts())
    await w0.when.online(T())
    for (let i = 0; i < 50; i++) await w0.insert(i, i * 10)
    await w0.extend([
      [100, 1],
      [101, 2],
      [102, 3],
    ])
    const r1 = handle.reader(n1 as never, opts())
    const w2 = handle.writer(n2 as never, opts())
    const w3 = handle.writer(n3 as never, opts())
    const all = [w0, r1, w2, w3]
    const nets = [n0, n1, n2, n3]
    const reader = n1?.peerId
    // Until the three writers vote (the autopilot keeps an odd number of voters), and at every
    // look: the reader is a voter on no node.
    await until(() => {
      for (const [i, n] of nets.entries()) {
        expect(groupOf(n as never, all[i] as never).members.voters).not.toContain(reader)
      }
      return groupOf(n0 as never, w0).members.voters.length === 3
    }, 15_000)
    const { voters, learners } = groupOf(n0 as never, w0).members
    expect(voters).toEqual([n0?.peerId, n2?.peerId, n3?.peerId].sort())
    expect(learners).toEqual([reader])
    // writes from the second writer (forwarded to the leader) and the first interleave
    await w2.delete(0)
    await w0.insert(999, 1)
    // a follower's conditional writes report whether they applied
    for (let i = 0; i < 5; i++) {
      expect((await w2.compareAndSwap(999, 1, 1)).applied).toBe(true)
      expect((await w3.compareAndSwap(999, 2, 3)).applied).toBe(false)
    }
    const v = await w2.insert(1000, 2)
    await Promise.all(all.map((h) => h.when.reaches(v, T())))
    for (const h of all) expect(entries(h)).toEqual(entries(w0))
    expect(r1.size).toBe(54)
    // a late reader catches up, then follows
    const r4 = handle.reader(n4 as never, opts())
    await r4.when.reaches(v, T())
    expect(entries(r4)).toEqual(entries(w0))
    const after = await w0.delete(49)
    await r4.when.reaches(after, T())
    expect(r4.size).toBe(53)
    expect(groupOf(n0 as never, w0).members.voters).not.toContain(n4?.peerId)
  })

  it('string keys, validation on write, linearizable reads and change feeds with previous values', async () => {
    const handle = mapOf<string, string>('map-strings', Type.String(), Type.String({ maxLength: 8 }))
    const [n0, n1] = await nodes(2)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    const start = w.version
    await w.insert('alice', 'a1')
    await w.insert('bob', 'b1')
    expect(w.get('alice')).toBe('a1')
    expect(w.has('carol')).toBe(false)
    // a value that fails the schema is refused before anything is proposed
    const invalid = await w.insert('carol', 'far too long').catch((e: unknown) => e)
    expect(isMosaikError(invalid, 'ERR_VALIDATION')).toBe(true)
    const bad = await w.insert(42 as never, 'x').catch((e: unknown) => e)
    expect(isMosaikError(bad, 'ERR_VALIDATION')).toBe(true)
    // a command that bypasses the handle is validated on receipt: every replica refuses it
    const group = groupOf(n0 as never, w)
    const refused = await group
      .execute({ op: 'insert', key: 'carol', value: 'far too long' })
      .catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'ERR_COMMAND_REJECTED', reason: 'invalid-value' })
    await r.when.reaches(w.version, T())
    expect(r.has('carol')).toBe(false)
    const rejected = { collection: `${r.name}/${r.storeId.short}`, outcome: 'rejected' }
    expect(await n1?.metrics.value('mosaik_collections_commands_total', rejected)).toBe(1)
    await w.insert('alice', 'a2')
    // a linearizable read on the reader sees every write committed before it
    const view = await r.read({ consistency: 'linearizable', ...T() })
    expect(view.get('alice')).toBe('a2')
    expect(view.version).toBeGreaterThan(start)
    const local = await r.read({ consistency: 'local' })
    expect(local.size).toBe(2)
    // change feeds resume from a version, with previous values
    const changes: MapChange<string, string>[] = []
    const ac = new AbortController()
    const seen = (async () => {
      for await (const change of r.watch(start, { signal: ac.signal })) {
        changes.push(change)
        if (change.type === 'delete') ac.abort()
      }
    })()
    await w.delete('bob')
    await seen
    expect(
      changes.map((c) => [c.type, c.key, c.type === 'insert' ? c.value : undefined, c.previous]),
    ).toEqual([
      ['insert', 'alice', 'a1', undefined],
      ['insert', 'bob', 'b1', undefined],
      ['insert', 'alice', 'a2', 'a1'],
      ['delete', 'bob', undefined, 'b1'],
    ])
    const next = w.when.updated(T())
    const v = await w.insert('dave', 'd')
    expect(await next).toBeGreaterThanOrEqual(v)
  })
})
