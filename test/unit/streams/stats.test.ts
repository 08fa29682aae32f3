/** Ports of mosaik's tests/streams stats: per-channel and aggregate datums and payload bytes. */
import { describe, expect, it } from 'vitest'
import { join, meshed, nodes, take, text, wait } from './helpers.ts'

/** msgpack of a short string is its UTF-8 bytes plus one header byte, as postcard's is in mosaik. */
const size = (s: string) => Buffer.byteLength(s) + 1

describe('stream stats', () => {
  it('producer: counts per consumer channel, and both ends agree', async () => {
    const [n0, n1] = await meshed(2)
    const producer = text.producer(n0!)
    expect(producer.stats).toMatchObject({ datums: 0, bytes: 0, uptime: undefined })
    const c1 = text.consumer(n1!)
    await producer.when.online(wait())
    await producer.send('test')
    expect(await take(c1, 1)).toEqual(['test'])
    expect(producer.consumers()[0]?.stats).toMatchObject({ datums: 1, bytes: size('test') })
    expect(c1.stats).toMatchObject({ datums: 1, bytes: size('test') })

    const [n2] = await join(n0!, 1)
    const c2 = text.consumer(n2!)
    await producer.when.subscribed({ min: 2 }, wait())
    await producer.send('data2')
    await take(c1, 1)
    await take(c2, 1)
    const byPeer = new Map(producer.consumers().map((c) => [c.peer.peerId, c.stats]))
    expect(byPeer.get(n1!.peerId)).toMatchObject({ datums: 2, bytes: size('test') + size('data2') })
    expect(byPeer.get(n2!.peerId)).toMatchObject({ datums: 1, bytes: size('data2') })
    expect(c1.stats).toMatchObject({ datums: 2, bytes: size('test') + size('data2') })
    expect(c2.stats).toMatchObject({ datums: 1, bytes: size('data2') })
    expect(producer.stats).toMatchObject({ datums: 3, bytes: size('test') + 2 * size('data2'), drops: {} })
    expect(producer.stats.uptime).toBeGreaterThanOrEqual(0)
  })

  it('consumer: counts per producer channel and in aggregate', async () => {
    const [n0] = await nodes(1)
    const consumer = text.consumer(n0!)
    const [n1, n2] = await join(n0!, 2)
    const p1 = text.producer(n1!)
    const p2 = text.producer(n2!)
    await consumer.when.subscribed({ min: 2 }, wait())
    await p1.when.online(wait())
    await p2.when.online(wait())
    await p1.send('hello')
    await p2.send('world')
    await take(consumer, 2)
    await p1.send('again')
    await take(consumer, 1)
    const byPeer = new Map(consumer.producers().map((c) => [c.peer.peerId, c.stats]))
    expect(byPeer.get(n1!.peerId)).toMatchObject({ datums: 2, bytes: 12 })
    expect(byPeer.get(n2!.peerId)).toMatchObject({ datums: 1, bytes: 6 })
    expect(consumer.stats).toMatchObject({ datums: 3, bytes: 18, drops: {} })
  })

  it('exports per-stream Prometheus metrics', async () => {
    const [n0, n1] = await meshed(2)
    const producer = text.producer(n0!)
    const consumer = text.consumer(n1!)
    await producer.when.online(wait())
    await producer.send('metered')
    await take(consumer, 1)
    const sent = await n0!.metrics.text()
    expect(sent).toMatch(/mosaik_streams_datums_sent_total\{stream="data1",.*\} 1/)
    expect(sent).toMatch(/mosaik_streams_bytes_sent_total\{stream="data1",.*\} 8/)
    expect(sent).toMatch(/mosaik_streams_subscriptions\{stream="data1",side="producer",.*\} 1/)
    const received = await n1!.metrics.text()
    expect(received).toMatch(/mosaik_streams_datums_received_total\{stream="data1",.*\} 1/)
    expect(received).toMatch(/mosaik_streams_subscriptions\{stream="data1",side="consumer",.*\} 1/)
  })
})
