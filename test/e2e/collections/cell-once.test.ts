/**
 * Cell and Once over real nodes (mosaik-features §5.5 `cell.rs`, `once.rs`): a writer n0 and a
 * reader n1 unless noted.
 */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { cellOf, nodes, onceOf, opts, T } from './helpers.ts'

interface Account {
  owner: string
  balance: number
}

const Account = Type.Object({ owner: Type.String(), balance: Type.Integer() })

describe('Cell over the network', () => {
  it('set, overwrite, clear, compare-and-swap chains, a late reader', async () => {
    const handle = cellOf<Account>('cell-smoke', Account)
    const [n0, n1, n2] = await nodes(3)
    const w = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w.when.online(T())
    expect([w.get(), w.isSet]).toEqual([undefined, false])
    await w.clear() // clearing an empty cell is a no-op
    await w.set({ owner: 'a', balance: 1 })
    await w.set({ owner: 'a', balance: 2 })
    expect(w.get()).toEqual({ owner: 'a', balance: 2 })
    expect((await w.compareAndSwap(undefined, { owner: 'b', balance: 0 })).applied).toBe(false) // not empty
    expect((await w.compareAndSwap({ owner: 'a', balance: 1 }, { owner: 'b', balance: 0 })).applied).toBe(
      false,
    )
    expect((await w.compareAndSwap({ owner: 'a', balance: 2 }, { owner: 'b', balance: 3 })).applied).toBe(
      true,
    )
    expect((await w.compareAndSwap({ owner: 'b', balance: 3 }, undefined)).applied).toBe(true) // to empty
    expect((await w.compareAndSwap(undefined, undefined)).applied).toBe(true) // none → none
    const from = await w.compareAndSwap(undefined, { owner: 'c', balance: 4 }) // from empty
    expect(from.applied).toBe(true)
    await r.when.reaches(from.version, T())
    expect(r.get()).toEqual({ owner: 'c', balance: 4 })
    const late = handle.reader(n2 as never, opts())
    await late.when.reaches(from.version, T())
    expect(late.get()).toEqual({ owner: 'c', balance: 4 })
    const cleared = await w.clear()
    await late.when.reaches(cleared, T())
    expect(late.isSet).toBe(false)
    const invalid = await w.set({ owner: 'x' } as never).catch((e: unknown) => e)
    expect(invalid).toMatchObject({ code: 'ERR_VALIDATION' })
  })
})

describe('Once over the network', () => {
  it('the first write across two writers wins; awaitValue resolves on readers, now and later', async () => {
    const handle = onceOf<number>('once-smoke')
    const [n0, n1, n2] = await nodes(3)
    const w0 = handle.writer(n0 as never, opts())
    const r = handle.reader(n1 as never, opts())
    await w0.when.online(T())
    const w1 = handle.writer(n2 as never, opts())
    await w1.when.online(T())
    const waiting = r.awaitValue(T())
    expect(r.isSet).toBe(false)
    const first = await w0.set(10)
    expect(first.applied).toBe(true)
    const second = await w1.set(20)
    expect(second.applied).toBe(false)
    expect(second.version).toBeGreaterThan(first.version)
    expect(await waiting).toBe(10)
    expect(await r.awaitValue({ timeout: 100 })).toBe(10)
    await r.when.reaches(second.version, T())
    expect([r.get(), w1.get(), w0.get()]).toEqual([10, 10, 10])
    expect((await w0.set(30)).applied).toBe(false)
    expect(w0.get()).toBe(10)
  })

  it('a handle opened with a signal closes when it is aborted, ending its change feeds', async () => {
    const handle = onceOf<number>('once-signal')
    const [n0] = await nodes(1)
    const ac = new AbortController()
    const w = handle.writer(n0 as never, opts({ signal: ac.signal }))
    await w.when.online(T())
    const seen: number[] = []
    const feed = (async () => {
      for await (const change of w.watch()) seen.push(change.value)
    })()
    await w.set(7)
    await w.when.reaches(w.version, T())
    ac.abort()
    await feed
    expect(seen).toEqual([7])
    expect(await w.set(8).catch((e: unknown) => e)).toMatchObject({ code: 'ERR_GROUP_CLOSED' })
    await w.close()
    // waits on a closed handle fail at once instead of hanging
    const reader = onceOf<number>('once-closed').reader(n0 as never, opts())
    const waiting = reader.awaitValue().catch((e: unknown) => e)
    const updated = reader.when.updated().catch((e: unknown) => e)
    await reader.close()
    expect(await waiting).toMatchObject({ code: 'ERR_GROUP_CLOSED' })
    expect(await updated).toMatchObject({ code: 'ERR_GROUP_CLOSED' })
  })
})
