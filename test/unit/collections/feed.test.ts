// The bounded change history and the watch(fromVersion) feed built on it.
import { describe, expect, it } from 'vitest'
import { watchChanges } from '../../../runtime/collections/state/feed.ts'
import { MapState } from '../../../runtime/collections/state/map.ts'
import { transfer } from './harness.ts'

type Change = { version: number; type: string; key?: unknown }

function writer(historyLimit?: number): { map: MapState<number, number>; insert: (key: number) => void } {
  const map = new MapState<number, number>(historyLimit === undefined ? {} : { historyLimit })
  return { map, insert: (key) => void map.apply({ op: 'insert', key, value: key }, map.version + 1) }
}

/** Takes `n` changes from a feed (a feed that stalls fails the test by its timeout). */
async function take(feed: AsyncIterator<Change>, n: number): Promise<Change[]> {
  const out: Change[] = []
  while (out.length < n) {
    const next = await feed.next()
    if (next.done) break
    out.push(next.value)
  }
  return out
}

describe('change history', () => {
  it('keeps the newest records up to its limit and moves its floor past dropped versions', () => {
    const { map, insert } = writer(3)
    for (let k = 1; k <= 5; k++) insert(k)
    expect(map.history.records).toBe(3)
    expect(map.history.floor).toBe(2)
    expect(map.history.since(2).map((batch) => batch.version)).toEqual([3, 4, 5])
    expect(() => map.history.since(1)).toThrow(expect.objectContaining({ code: 'ERR_HISTORY_TRUNCATED' }))
    expect(map.history.since(5)).toEqual([])
  })

  it('always keeps the newest batch whole, even when it alone exceeds the limit', () => {
    const { map } = writer(2)
    map.apply(
      {
        op: 'extend',
        entries: [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      },
      1,
    )
    map.apply({ op: 'clear' }, 2)
    expect(map.history.floor).toBe(1)
    const [clear] = map.history.since(1)
    expect(clear?.count).toBe(3)
    expect([...(clear ?? [])].map((change) => change.type)).toEqual(['delete', 'delete', 'delete'])
  })

  it('versions without changes leave no batch; advance() moves the version only', () => {
    const { map, insert } = writer()
    insert(1)
    map.apply({ op: 'delete', key: 42 }, 2)
    map.advance(5)
    map.advance(3)
    expect(map.version).toBe(5)
    expect(map.history.since(0).map((batch) => batch.version)).toEqual([1])
  })
})

describe('watchChanges', () => {
  it('replays history after fromVersion, then follows live changes', async () => {
    const { map, insert } = writer()
    insert(1)
    insert(2)
    const feed = watchChanges<Change>(map, 1)[Symbol.asyncIterator]()
    expect((await take(feed, 1)).map((c) => c.key)).toEqual([2])
    const pending = take(feed, 2)
    insert(3)
    insert(4)
    expect((await pending).map((c) => [c.version, c.key])).toEqual([
      [3, 3],
      [4, 4],
    ])
    await feed.return?.()
  })

  it('starts at the current version by default and ends when aborted', async () => {
    const { map, insert } = writer()
    insert(1)
    const controller = new AbortController()
    const feed = watchChanges<Change>(map, undefined, { signal: controller.signal })[Symbol.asyncIterator]()
    const next = feed.next()
    insert(2)
    expect((await next).value).toMatchObject({ version: 2, key: 2 })
    const ended = feed.next()
    controller.abort()
    expect(await ended).toEqual({ done: true, value: undefined })
  })

  it('fails with HistoryTruncatedError when resuming too far back or when a snapshot replaces the state', async () => {
    const { map, insert } = writer(2)
    for (let k = 1; k <= 4; k++) insert(k)
    await expect(watchChanges(map, 0)[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: 'ERR_HISTORY_TRUNCATED',
    })

    const source = writer()
    for (let k = 1; k <= 10; k++) source.insert(k)
    const follower = writer()
    follower.insert(1)
    const feed = watchChanges<Change>(follower.map)[Symbol.asyncIterator]()
    const next = feed.next()
    transfer(source.map, follower.map, 3)
    await expect(next).rejects.toMatchObject({ code: 'ERR_HISTORY_TRUNCATED' })
  })

  it('a slow consumer that falls behind the history bound is told, not fed a gap', async () => {
    const { map, insert } = writer(3)
    insert(1)
    const feed = watchChanges<Change>(map, 0)[Symbol.asyncIterator]()
    expect((await feed.next()).value).toMatchObject({ version: 1 })
    for (let k = 2; k <= 10; k++) insert(k)
    await expect(feed.next()).rejects.toMatchObject({ code: 'ERR_HISTORY_TRUNCATED' })
  })
})
