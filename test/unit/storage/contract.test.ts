/**
 * The LogStore contract, run against both stores: what the log looks like after each operation and
 * which requests are refused.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { type LogStore, MemoryLogStore, WalLogStore } from '../../../runtime/groups/storage/index.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { hex, payload, tempDirs } from './helpers.ts'

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

const stores: [string, () => Promise<LogStore>][] = [
  ['MemoryLogStore', async () => new MemoryLogStore()],
  [
    'WalLogStore',
    async () => WalLogStore.open({ dir: await dirs.make(), segmentBytes: 512, cacheBytes: 64 }),
  ],
]

const entry = (index: number, term: number, size = 16) => ({ index, term, data: payload(index, term, size) })
const range = (from: number, to: number, term: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term))
const config = new TextEncoder().encode('voters: a, b, c')

function refused(fn: () => unknown, code = 'ERR_INVALID_INPUT'): void {
  expect(fn).toThrow(expect.objectContaining({ code }))
}

async function refusedAsync(promise: Promise<unknown>, code = 'ERR_INVALID_INPUT'): Promise<void> {
  await expect(promise).rejects.toSatisfy((err: unknown) => isMosaikError(err) && err.code === code)
}

describe.each(stores)('%s', (_name, open) => {
  async function withStore(fn: (store: LogStore) => Promise<void>): Promise<void> {
    const store = await open()
    try {
      await fn(store)
    } finally {
      await store.close()
    }
  }

  it('starts empty', () =>
    withStore(async (store) => {
      expect([store.firstIndex, store.lastIndex, store.term(0), store.term(1)]).toEqual([1, 0, 0, undefined])
      expect(store.hardState).toEqual({ term: 0, vote: null, commit: 0 })
      expect(store.snapshot).toBeNull()
      expect(await store.readSnapshot()).toHaveLength(0)
      expect(store.entries(1, 1)).toEqual([])
      await store.sync()
    }))

  it('appends, reads ranges and honours a byte budget (always at least one entry)', () =>
    withStore(async (store) => {
      store.append(range(1, 10, 1))
      await store.sync()
      expect(store.lastIndex).toBe(10)
      expect(store.entries(3, 6).map((e) => [e.index, e.term, hex(e.data)])).toEqual(
        [3, 4, 5].map((i) => [i, 1, hex(payload(i, 1))]),
      )
      expect(store.entries(1, 11, 40)).toHaveLength(2)
      expect(store.entries(1, 11, 1)).toHaveLength(1)
      expect(store.entries(1, 11, 0)).toHaveLength(1)
      refused(() => store.entries(0, 3))
      refused(() => store.entries(5, 12))
      refused(() => store.entries(6, 5))
    }))

  it('replaces a conflicting suffix, but never committed entries', () =>
    withStore(async (store) => {
      store.append(range(1, 8, 1))
      store.setHardState({ term: 2, vote: null, commit: 4 })
      store.append([entry(6, 2), entry(7, 2)])
      expect(store.lastIndex).toBe(7)
      expect([store.term(5), store.term(6), store.term(7), store.term(8)]).toEqual([1, 2, 2, undefined])
      refused(() => store.append([entry(4, 2)]))
      refused(() => store.append([entry(3, 2)]))
      store.append([entry(5, 2)])
      expect(store.lastIndex).toBe(5)
      await store.sync()
    }))

  it('refuses gaps, non-contiguous batches, decreasing terms and non-byte data', () =>
    withStore(async (store) => {
      store.append(range(1, 3, 2))
      refused(() => store.append([entry(5, 2)]))
      refused(() => store.append([entry(4, 2), entry(6, 2)]))
      refused(() => store.append([entry(4, 1)]))
      refused(() => store.append([entry(4, 3), entry(5, 2)]))
      refused(() => store.append([{ index: 4, term: 2, data: 'text' as unknown as Uint8Array }]))
      refused(() => store.append([{ index: 4.5, term: 2, data: new Uint8Array(1) }]))
      refused(() => store.append([entry(0, 2)]))
      expect(store.lastIndex).toBe(3)
    }))

  it('keeps the hard-state rules: term and commit never decrease, one vote per term', () =>
    withStore(async (store) => {
      store.append(range(1, 5, 1))
      store.setHardState({ term: 3, vote: 'peer-a', commit: 2 })
      refused(() => store.setHardState({ term: 2, vote: null, commit: 2 }))
      refused(() => store.setHardState({ term: 3, vote: 'peer-b', commit: 2 }))
      refused(() => store.setHardState({ term: 3, vote: null, commit: 2 }))
      refused(() => store.setHardState({ term: 3, vote: 'peer-a', commit: 1 }))
      refused(() => store.setHardState({ term: 3, vote: 'peer-a', commit: 6 }))
      refused(() => store.setHardState({ term: 4, vote: '', commit: 2 }))
      store.setHardState({ term: 3, vote: 'peer-a', commit: 5 })
      store.setHardState({ term: 4, vote: 'peer-b', commit: 5 })
      await store.sync()
      expect(store.hardState).toEqual({ term: 4, vote: 'peer-b', commit: 5 })
    }))

  it('saves a snapshot the log holds without touching the log, then compacts', () =>
    withStore(async (store) => {
      store.append(range(1, 10, 1))
      store.setHardState({ term: 1, vote: null, commit: 8 })
      await refusedAsync(store.compact(3))
      await store.saveSnapshot({ index: 6, term: 1, config }, [payload(1, 1, 5), payload(2, 2, 7)])
      expect(store.snapshot).toMatchObject({ index: 6, term: 1, size: 12 })
      expect(hex(store.snapshot?.config as Uint8Array)).toBe(hex(config))
      expect([store.firstIndex, store.lastIndex]).toEqual([1, 10])
      expect(hex(await store.readSnapshot(5, 3))).toBe(hex(payload(2, 2, 7).subarray(0, 3)))
      await refusedAsync(store.readSnapshot(10, 5))
      await refusedAsync(store.compact(7))
      await store.compact(4)
      expect([store.firstIndex, store.term(4), store.term(3)]).toEqual([5, 1, undefined])
      refused(() => store.entries(4, 6))
      await store.compact(2)
      await store.compact(6)
      expect([store.firstIndex, store.lastIndex]).toEqual([7, 10])
      refused(() => store.append([entry(6, 1)]))
    }))

  it('resets the log to a snapshot it does not hold, and refuses stale or contradicting snapshots', () =>
    withStore(async (store) => {
      store.append(range(1, 6, 1))
      store.setHardState({ term: 2, vote: null, commit: 3 })
      await refusedAsync(store.saveSnapshot({ index: 3, term: 2, config }, payload(0, 0)))
      async function* chunks(): AsyncGenerator<Uint8Array> {
        yield payload(9, 9, 3)
        yield payload(8, 8, 4)
      }
      await store.saveSnapshot({ index: 5, term: 2, config }, chunks())
      expect([store.firstIndex, store.lastIndex, store.term(5)]).toEqual([6, 5, 2])
      expect(store.snapshot?.size).toBe(7)
      await refusedAsync(store.saveSnapshot({ index: 4, term: 2, config }, payload(0, 0)))
      await refusedAsync(store.saveSnapshot({ index: 5, term: 3, config }, payload(0, 0)))
      store.append([entry(6, 2), entry(7, 3)])
      await store.saveSnapshot({ index: 20, term: 4, config }, new Uint8Array(0))
      expect([store.firstIndex, store.lastIndex, store.term(20)]).toEqual([21, 20, 4])
      expect(await store.readSnapshot()).toHaveLength(0)
      await store.sync()
    }))

  it('refuses calls after close', async () => {
    const store = await open()
    await store.close()
    refused(() => store.append([entry(1, 1)]), 'ERR_CLOSED')
    refused(() => store.entries(1, 1), 'ERR_CLOSED')
    await store.close()
  })
})
