/** Ports of mosaik's tests/streams producer::limits and producer::builder. */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import type { Network } from '../../../runtime/network/network.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import {
  connectedPeers,
  handleOf,
  join,
  meshed,
  metricReaches,
  nodes,
  quickBackoff,
  stop,
  text,
  until,
  wait,
} from './helpers.ts'

describe('producer limits', () => {
  it('max_subs: at most maxConsumers subscribe; a freed slot goes to a consumer refused before', async () => {
    const [n0] = await nodes(1)
    const producer = text.producer(n0!, { maxConsumers: 3 })
    const others = await join(n0!, 7)
    for (const n of others) text.consumer(n, quickBackoff)
    await producer.when.subscribed({ min: 3 }, wait())
    // Every one of the other four was refused at least once while three held the slots.
    await metricReaches(n0!, 'mosaik_streams_refused_total', { reason: 'capacity' }, 4)
    const first = connectedPeers(producer.consumers())
    expect(first).toHaveLength(3)

    const leaving = others.find((n) => n.peerId === first[0]) as (typeof others)[number]
    await stop(leaving)
    await until(() => {
      const now = connectedPeers(producer.consumers())
      return now.length === 3 && !now.includes(leaving.peerId)
    }, wait())
    const second = connectedPeers(producer.consumers())
    expect(second.filter((p) => first.includes(p))).toHaveLength(2)
    expect(producer.consumers()).toHaveLength(3)
  })

  it('online_when: each producer is online exactly as its condition says', async () => {
    const [n0, n1] = await meshed(2)
    const atLeastTwo = handleOf<string>('limits-a', Type.String())
    const byDefault = handleOf<string>('limits-b', Type.String())
    const taggedTwo = handleOf<string>('limits-c', Type.String())
    const a = atLeastTwo.producer(n0!, { onlineWhen: { min: 2 } })
    const b = byDefault.producer(n0!)
    const c = taggedTwo.producer(n1!, { onlineWhen: { tags: ['tag2'], min: 2 } })
    const consumeAll = (n: Network) => {
      for (const h of [atLeastTwo, byDefault, taggedTwo]) h.consumer(n)
    }
    const [n2] = await join(n0!, 1)
    consumeAll(n2!)
    await b.when.online(wait())
    expect([a.isOnline, c.isOnline]).toEqual([false, false])

    const [n3] = await join(n0!, 1)
    consumeAll(n3!)
    await a.when.online(wait())
    expect(c.isOnline).toBe(false)

    const [n4] = await join(n0!, 1, { tags: ['tag2'] })
    consumeAll(n4!)
    await c.when.subscribed({ min: 3 }, wait())
    expect(c.isOnline).toBe(false)

    const [n5] = await join(n0!, 1, { tags: ['tag2'] })
    consumeAll(n5!)
    await c.when.online(wait())
    await stop(n5!)
    await c.when.offline(wait())
  })
})

describe('producer builder', () => {
  it('multiple_producers_one_stream: one producer per stream per node', async () => {
    const [n0] = await nodes(1)
    const producer = text.producer(n0!, { require: (p) => p.tags.includes('tag1') })
    const again = (() => text.producer(n0!, { bufferSize: 8 })) as () => unknown
    expect(again).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(text.producer(n0!)).toBe(producer)
    expect(text.producer(n0!).streamId.equals(text.streamId)).toBe(true)
    const otherSchema = handleOf<number>('data1', Type.Integer())
    let err: unknown
    try {
      otherSchema.producer(n0!)
    } catch (e) {
      err = e
    }
    expect(isMosaikError(err, 'ERR_SCHEMA_MISMATCH')).toBe(true)
    await producer.close()
    expect(text.producer(n0!, { bufferSize: 8 })).not.toBe(producer)
  })
})
