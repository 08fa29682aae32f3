/** Ports of mosaik's tests/streams/smoke.rs (and declare::stream_macro_named). */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import type { Network } from '../../../runtime/network/network.ts'
import { STREAMS_PROTOCOL } from '../../../runtime/streams/protocol.ts'
import { streamIdOf } from '../../../schemas/index.ts'
import { handleOf, meshed, nodes, take, text, wait } from './helpers.ts'

/** The transports of the connections that carry a streams link on `network`. */
function streamTransports(network: Network): string[] {
  return network.libp2p
    .getConnections()
    .filter((c) => c.streams.some((s) => s.protocol === STREAMS_PROTOCOL))
    .map((c) => (c.remoteAddr.toString().includes('/tcp/') ? 'tcp' : 'quic'))
}

describe('streams smoke', () => {
  it('send_recv: two consumers each receive 100 datums in order', async () => {
    const [n0, n1, n2] = await meshed(3)
    const producer = text.producer(n0!)
    const c1 = text.consumer(n1!)
    const c2 = text.consumer(n2!)
    await producer.when.subscribed({ min: 2 }, wait())
    const sent = Array.from({ length: 100 }, (_, i) => `datum-${i}`)
    for (const d of sent) await producer.send(d)
    expect(await take(c1, 100)).toEqual(sent)
    expect(await take(c2, 100)).toEqual(sent)
    expect(c1.stats.datums).toBe(100)
    expect(c2.stats.datums).toBe(100)
  })

  it.each([
    { nodes: 'QUIC and TCP', listen: undefined, expected: 'tcp' },
    { nodes: 'only QUIC', listen: ['/ip4/127.0.0.1/udp/0/quic-v1'], expected: 'quic' },
  ])('moves data over $expected when the nodes listen on $nodes', async ({ listen, expected }) => {
    const [n0, n1] = await meshed(2, listen === undefined ? {} : { listen })
    const producer = text.producer(n0!)
    const consumer = text.consumer(n1!)
    await producer.when.subscribed(undefined, wait())
    await producer.send(`over ${expected}`)
    expect(await take(consumer, 1)).toEqual([`over ${expected}`])
    expect(streamTransports(n1!)).toEqual([expected])
  })

  it('subscription_triggers_catalog_sync: a consumer that only has a relayed entry still subscribes', async () => {
    const [n0, n1] = await nodes(2, { name: `sync-${Date.now()}` })
    n0!.discovery.addTags('tag1', 'tag2', 'tag3')
    const producer = text.producer(n0!)
    // n1 learns of n0 only from n0's signed entry, handed over out of band.
    n1!.discovery.feed(n0!.discovery.catalog.signed(n0!.peerId)!.envelope)
    const consumer = text.consumer(n1!)
    await consumer.when.subscribed(undefined, wait())
    await producer.send('synced')
    expect(await take(consumer, 1)).toEqual(['synced'])
    expect(n1!.discovery.catalog.get(n0!.peerId)?.tags).toEqual(['tag1', 'tag2', 'tag3'])
    expect(n0!.discovery.catalog.has(n1!.peerId)).toBe(true)
  })

  it('custom_stream_id: consumers receive only their own stream', async () => {
    const [n0, n1] = await meshed(2)
    const first = handleOf<string>('stream1234', Type.String())
    const second = handleOf<string>('stream5678', Type.String())
    const p1 = first.producer(n0!)
    const p2 = second.producer(n0!)
    const c1 = first.consumer(n1!)
    const c2 = second.consumer(n1!)
    await p1.when.online(wait())
    await p2.when.online(wait())
    await p1.send('for 1234')
    await p2.send('for 5678')
    expect(await take(c1, 1)).toEqual(['for 1234'])
    expect(await take(c2, 1)).toEqual(['for 5678'])
    expect(c1.tryNext()).toBeUndefined()
    expect(c2.tryNext()).toBeUndefined()
  })

  it('stream_def: the StreamId is derived from the declaration name, on both ends', async () => {
    const [n0, n1] = await meshed(2)
    const named = handleOf<string>('named.stream', Type.String())
    expect(named.streamId.equals(streamIdOf('named.stream'))).toBe(true)
    const producer = named.producer(n0!)
    const consumer = named.consumer(n1!)
    expect(producer.streamId.equals(named.streamId)).toBe(true)
    expect(consumer.streamId.equals(named.streamId)).toBe(true)
    expect(n0!.discovery.local.streams.some((s) => s.equals(named.streamId))).toBe(true)
    await producer.when.online(wait())
    await producer.send('hello')
    expect(await take(consumer, 1)).toEqual(['hello'])
  })
})
