/** Ports of mosaik's tests/streams producer::when and consumer::when. */
import { describe, expect, it } from 'vitest'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { connectedPeers, join, meshed, nodes, settled, stop, take, text, wait } from './helpers.ts'

describe('producer when', () => {
  it('smoke: subscribed(≥1), subscribed(≥2) and their inverses follow consumers coming and going', async () => {
    const [n0, n1, n2] = await meshed(3)
    const producer = text.producer(n0!)
    const one = producer.when.subscribed()
    const two = producer.when.subscribed({ min: 2 })
    expect(await settled(one)).toBe(false)
    expect(await settled(two)).toBe(false)
    expect(await settled(producer.when.unsubscribed({ min: 2 }))).toBe(true)
    expect(await settled(producer.when.unsubscribed())).toBe(true)

    const fromN2 = producer.when.subscribed({ predicate: (peer) => peer.peerId === n2!.peerId })
    text.consumer(n1!)
    await one
    expect(await settled(two)).toBe(false)
    expect(await settled(fromN2)).toBe(false)
    text.consumer(n2!)
    await two
    await fromN2
    expect(await settled(producer.when.subscribed({ min: 2 }))).toBe(true)

    const fewer = producer.when.unsubscribed({ min: 2 })
    expect(await settled(fewer)).toBe(false)
    await stop(n2!)
    await fewer
    const [n3] = await join(n0!, 1)
    text.consumer(n3!)
    await producer.when.subscribed({ min: 2 }, wait())
  })

  it('send_fails_if_offline: send waits and trySend says offline until a consumer subscribes', async () => {
    const [n0, n1] = await meshed(2)
    const producer = text.producer(n0!)
    const timedOut = await producer.send('lost', { timeout: 200 }).catch((err: unknown) => err)
    expect(isMosaikError(timedOut, 'ERR_TIMEOUT')).toBe(true)
    expect(producer.trySend('lost')).toBe('offline')
    expect(producer.isOnline).toBe(false)

    const consumer = text.consumer(n1!)
    await producer.when.online(wait())
    expect(connectedPeers(producer.consumers())).toEqual([n1!.peerId])
    await consumer.when.subscribed(undefined, wait())
    expect(connectedPeers(consumer.producers())).toEqual([n0!.peerId])
    await producer.send('hello')
    expect(await take(consumer, 1)).toEqual(['hello'])

    await consumer.close()
    await producer.when.offline(wait())
    expect(producer.consumers()).toEqual([])
    expect(producer.trySend('lost')).toBe('offline')
  })
})

describe('consumer when', () => {
  it('smoke: subscribed(≥1), subscribed(≥2) and unsubscribed follow producers coming and going', async () => {
    const [n0, n1, n2] = await meshed(3)
    const consumer = text.consumer(n0!)
    const one = consumer.when.subscribed()
    const two = consumer.when.subscribed({ min: 2 })
    expect(await settled(one)).toBe(false)
    text.producer(n1!)
    await one
    expect(await settled(two)).toBe(false)
    text.producer(n2!)
    await two
    const fewer = consumer.when.unsubscribed({ min: 2 })
    expect(await settled(fewer)).toBe(false)
    await stop(n2!)
    await fewer
    expect(connectedPeers(consumer.producers())).toEqual([n1!.peerId])
  })

  it('online_when: online only with two producers carrying both tags', async () => {
    const [n0] = await nodes(1)
    const consumer = text.consumer(n0!, { onlineWhen: { min: 2, tags: ['t1', 't2'] } })
    expect(consumer.isOnline).toBe(false)
    const [n1] = await join(n0!, 1, { tags: ['t1', 't2'] })
    text.producer(n1!)
    await consumer.when.subscribed(undefined, wait())
    expect(consumer.isOnline).toBe(false)
    const [n2] = await join(n0!, 1, { tags: ['t1', 't2', 'extra'] })
    text.producer(n2!)
    await consumer.when.online(wait())
    await stop(n1!)
    await consumer.when.offline(wait())
  })

  it('online_when_catalog_removal: a producer losing a required tag takes the consumer offline', async () => {
    const [n0] = await nodes(1)
    const consumer = text.consumer(n0!, {
      require: (peer) => peer.tags.includes('trusted'),
      onlineWhen: { min: 2 },
    })
    const [n1, n2] = await join(n0!, 2, { tags: ['trusted'] })
    text.producer(n1!)
    text.producer(n2!)
    await consumer.when.online(wait())
    n1!.discovery.removeTags('trusted')
    await consumer.when.offline(wait())
    expect(connectedPeers(consumer.producers())).toEqual([n2!.peerId])
  })

  it('online_when_default_is_immediate: a consumer with no producers is online', async () => {
    const [n0] = await nodes(1)
    const consumer = text.consumer(n0!)
    expect(consumer.isOnline).toBe(true)
    await consumer.when.online({ timeout: 100 })
  })
})
