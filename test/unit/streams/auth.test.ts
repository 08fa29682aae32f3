/** Ports of mosaik's tests/streams producer::auth, consumer::auth and the rtt requirements. */

import { describe, expect, it } from 'vitest'
import type { PeerInfo } from '../../../runtime/codegen-v1.ts'
import { connectedPeers, join, meshed, metricReaches, nodes, take, text, until, wait } from './helpers.ts'

const hasTags =
  (...tags: string[]) =>
  (peer: PeerInfo) =>
    tags.every((t) => peer.tags.includes(t))

const refusedBy = (side: 'producer' | 'consumer', reason: string) => ({ side, reason })

describe('producer auth', () => {
  it('require_chaining: only consumers passing every requirement subscribe', async () => {
    const [n0] = await nodes(1)
    const producer = text.producer(n0!, { require: hasTags('tag1', 'tag2') })
    const [both] = await join(n0!, 1, { tags: ['tag1', 'tag2'] })
    const [one] = await join(n0!, 1, { tags: ['tag1'] })
    const [none] = await join(n0!, 1)
    for (const n of [both, one, none]) text.consumer(n!)
    await producer.when.subscribed(undefined, wait())
    await metricReaches(n0!, 'mosaik_streams_refused_total', refusedBy('producer', 'not-allowed'), 2)
    expect(connectedPeers(producer.consumers())).toEqual([both!.peerId])
  })

  it('by_tag: a consumer gets the unrestricted producer and, with the tag, the restricted one', async () => {
    const [n0] = await nodes(1)
    const [n1] = await join(n0!, 1)
    text.producer(n0!, { require: hasTags('tag2') })
    text.producer(n1!)
    const [n3] = await join(n0!, 1, { tags: ['tag2'] })
    const [n4] = await join(n0!, 1)
    const c3 = text.consumer(n3!)
    const c4 = text.consumer(n4!)
    await c3.when.subscribed({ min: 2 }, wait())
    await c4.when.subscribed(undefined, wait())
    await metricReaches(n4!, 'mosaik_streams_refused_total', refusedBy('consumer', 'not-allowed'), 1)
    expect(connectedPeers(c4.producers())).toEqual([n1!.peerId])
  })

  it('rtt: require(rtt < 5 s) accepts a local consumer; require(rtt < 1 ns) refuses it', async () => {
    const [n0, n1] = await meshed(2)
    const fast = text.producer(n0!, { require: (p) => p.rtt !== undefined && p.rtt < 5_000 })
    const consumer = text.consumer(n1!)
    await fast.when.online(wait())
    await fast.send('fast')
    expect(await take(consumer, 1)).toEqual(['fast'])
    await fast.close()

    const slow = text.producer(n0!, { require: (p) => p.rtt !== undefined && p.rtt < 1e-6 })
    await metricReaches(n0!, 'mosaik_streams_refused_total', refusedBy('producer', 'not-allowed'), 1)
    expect(slow.consumers()).toEqual([])
  })
})

describe('consumer auth', () => {
  it('require_chaining: only producers passing every requirement are subscribed to', async () => {
    const [n0] = await nodes(1)
    const consumer = text.consumer(n0!, { require: hasTags('tag1', 'tag2') })
    const [both] = await join(n0!, 1, { tags: ['tag1', 'tag2'] })
    const [one] = await join(n0!, 1, { tags: ['tag1'] })
    const [none] = await join(n0!, 1)
    for (const n of [both, one, none]) text.producer(n!)
    await consumer.when.subscribed(undefined, wait())
    await metricReaches(n0!, 'mosaik_streams_refused_total', refusedBy('consumer', 'not-allowed'), 2)
    expect(connectedPeers(consumer.producers())).toEqual([both!.peerId])
  })

  it('by_tag: a restricted consumer takes only the tagged producer, an open one takes both', async () => {
    const [n0] = await nodes(1)
    const [tagged] = await join(n0!, 1, { tags: ['tag2'] })
    const [plain] = await join(n0!, 1)
    text.producer(tagged!)
    text.producer(plain!)
    const restricted = text.consumer(n0!, { require: hasTags('tag2') })
    const [n3] = await join(n0!, 1)
    const open = text.consumer(n3!)
    await open.when.subscribed({ min: 2 }, wait())
    await restricted.when.subscribed(undefined, wait())
    await metricReaches(n0!, 'mosaik_streams_refused_total', refusedBy('consumer', 'not-allowed'), 1)
    expect(connectedPeers(restricted.producers())).toEqual([tagged!.peerId])
  })

  it('dynamic_tag_reevaluation: follows the tag from one producer to another', async () => {
    const [n0] = await nodes(1)
    const [n1] = await join(n0!, 1, { tags: ['leader'] })
    const [n2] = await join(n0!, 1)
    text.producer(n1!)
    const p2 = text.producer(n2!)
    const consumer = text.consumer(n0!, { require: hasTags('leader') })
    await until(() => connectedPeers(consumer.producers()).join() === n1!.peerId, wait())
    n1!.discovery.removeTags('leader')
    await consumer.when.unsubscribed(undefined, wait())
    n2!.discovery.addTags('leader')
    await until(() => connectedPeers(consumer.producers()).join() === n2!.peerId, wait())
    await p2.when.online(wait())
    await p2.send('from the new leader')
    expect(await take(consumer, 1)).toEqual(['from the new leader'])
  })

  it('rtt: require(rtt < 5 s) pings first and subscribes; require(rtt < 1 ns) never does', async () => {
    const [n0] = await nodes(1)
    const [n1] = await join(n0!, 1)
    const producer = text.producer(n1!)
    const fast = text.consumer(n0!, { require: (p) => p.rtt !== undefined && p.rtt < 5_000 })
    const slow = text.consumer(n0!, { require: (p) => p.rtt !== undefined && p.rtt < 1e-6 })
    await fast.when.subscribed(undefined, wait())
    await producer.send('hello')
    expect(await take(fast, 1)).toEqual(['hello'])
    await metricReaches(n0!, 'mosaik_streams_refused_total', refusedBy('consumer', 'not-allowed'), 1)
    expect(slow.producers()).toEqual([])
  })
})
