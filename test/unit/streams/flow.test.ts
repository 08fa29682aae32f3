/**
 * The acceptance scenarios of issue 5 that run in one process: late producers and reconnects,
 * schema mismatch on both sides, slow-consumer policies with counted drops, and a misbehaving peer
 * whose bad datums and frames are rejected while a good producer keeps delivering.
 */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { Link } from '../../../runtime/network/link.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { encode } from '../../../runtime/primitives/codec.ts'
import type { Digest } from '../../../runtime/primitives/digest.ts'
import { isMosaikError, type MosaikError, SchemaMismatchError } from '../../../runtime/primitives/errors.ts'
import { encodeBatch } from '../../../runtime/streams/batch.ts'
import { parseSubscribe, STREAMS_PROTOCOL } from '../../../runtime/streams/protocol.ts'
import {
  handleOf,
  meshed,
  metric,
  metricReaches,
  quickBackoff,
  settled,
  take,
  text,
  until,
  wait,
} from './helpers.ts'

const Order = Type.Object({ id: Type.String(), qty: Type.Integer({ minimum: 1 }) })
interface Order {
  id: string
  qty: number
}
const orders = handleOf<Order>('orders', Order)

function collect(target: { onError(listener: (e: MosaikError) => void): () => void }): MosaikError[] {
  const errors: MosaikError[] = []
  target.onError((e) => errors.push(e))
  return errors
}

describe('subscriptions', () => {
  it('subscribes to a producer that appears later, and comes back after the connection drops or the producer restarts', async () => {
    const [n0, n1] = await meshed(2)
    const consumer = text.consumer(n0!, quickBackoff)
    expect(consumer.producers()).toEqual([])
    const producer = text.producer(n1!)
    await producer.when.online(wait())
    await producer.send('late')
    expect(await take(consumer, 1)).toEqual(['late'])

    await n0!.disconnect(n1!.peerId)
    await until(() => producer.consumers().length === 0 || !n0!.isConnected(n1!.peerId), wait())
    await producer.when.online(wait())
    await consumer.when.subscribed(undefined, wait())
    await producer.send('after reconnect')
    expect(await take(consumer, 1)).toEqual(['after reconnect'])

    await producer.close()
    await consumer.when.unsubscribed(undefined, wait())
    const again = text.producer(n1!)
    await again.when.online(wait())
    await again.send('after restart')
    expect(await take(consumer, 1)).toEqual(['after restart'])
  })

  it('refuses a consumer with a different schema: SchemaMismatch on both sides, events and metrics, no data', async () => {
    const [n0, n1] = await meshed(2)
    const producer = orders.producer(n0!)
    const producerErrors = collect(producer)
    const other = handleOf<{ id: number }>('orders', Type.Object({ id: Type.Integer() }))
    const consumer = other.consumer(n1!)
    const consumerErrors = collect(consumer)
    await metricReaches(
      n0!,
      'mosaik_streams_refused_total',
      { side: 'producer', reason: 'schema-mismatch' },
      1,
    )
    await metricReaches(
      n1!,
      'mosaik_streams_refused_total',
      { side: 'consumer', reason: 'schema-mismatch' },
      1,
    )
    await until(() => consumerErrors.length > 0, wait())
    for (const [errors, local, remote] of [
      [producerErrors, orders.descriptor, other.descriptor],
      [consumerErrors, other.descriptor, orders.descriptor],
    ] as const) {
      const error = errors[0]
      expect(error).toBeInstanceOf(SchemaMismatchError)
      expect(error).toMatchObject({
        code: 'ERR_SCHEMA_MISMATCH',
        declaration: 'orders',
        localSignature: local.datum.signature,
        remoteSignature: remote.datum.signature,
      })
    }
    expect(producer.consumers()).toEqual([])
    expect(consumer.producers()).toEqual([])
    expect(producer.trySend({ id: 'o-1', qty: 1 })).toBe('offline')
    expect(consumer.stats.datums).toBe(0)
  })
})

describe('batching', () => {
  it('sends a burst of datums together, many per frame', async () => {
    const [n0, n1] = await meshed(2)
    const producer = text.producer(n0!, { slowConsumer: 'block', bufferSize: 1024 })
    const consumer = text.consumer(n1!, { bufferSize: 1024 })
    await producer.when.online(wait())
    const framesBefore = await metric(n0!, 'mosaik_network_egress_frames_total')
    const sent = Array.from({ length: 1000 }, (_, i) => `d-${i}`)
    for (const d of sent) expect(producer.trySend(d)).toBe('accepted')
    expect(await take(consumer, sent.length)).toEqual(sent)
    const frames = (await metric(n0!, 'mosaik_network_egress_frames_total')) - framesBefore
    expect(frames).toBeLessThan(sent.length / 20)
    // A loop of `await send()` is one burst too: each send resolves a microtask before the next.
    const again = await metric(n0!, 'mosaik_network_egress_frames_total')
    for (const d of sent) await producer.send(d)
    expect(await take(consumer, sent.length)).toEqual(sent)
    expect((await metric(n0!, 'mosaik_network_egress_frames_total')) - again).toBeLessThan(sent.length / 20)
  })
})

describe('slow consumers', () => {
  it('drop-oldest: a stalled consumer loses datums (counted on both ends) while a fast one gets everything', async () => {
    const [n0, n1, n2] = await meshed(3)
    const producer = text.producer(n0!, { slowConsumer: 'drop-oldest', bufferSize: 16 })
    const fast = text.consumer(n1!, { bufferSize: 16 })
    const stalled = text.consumer(n2!, { bufferSize: 16 })
    await producer.when.subscribed({ min: 2 }, wait())
    const sent = Array.from({ length: 500 }, (_, i) => `d-${i}`)
    const received: string[] = []
    for (let i = 0; i < sent.length; i += 10) {
      for (const d of sent.slice(i, i + 10)) expect(producer.trySend(d)).toBe('accepted')
      received.push(...(await take(fast, 10)))
    }
    expect(received).toEqual(sent)
    // The stalled consumer holds its window (16), its producer queue the newest 16; the rest was dropped.
    const dropped = sent.length - 32
    const byPeer = new Map(producer.consumers().map((c) => [c.peer.peerId, c.stats]))
    expect(byPeer.get(n1!.peerId)?.drops).toEqual({})
    expect(byPeer.get(n2!.peerId)?.drops).toEqual({ 'drop-oldest': dropped })
    expect(producer.stats.drops).toEqual({ 'drop-oldest': dropped })
    expect(
      await metric(n0!, 'mosaik_streams_dropped_total', { side: 'producer', reason: 'drop-oldest' }),
    ).toBe(dropped)
    // Once it reads, it gets the oldest 16 and the newest 16, and sees the gap between them.
    expect(await take(stalled, 32)).toEqual([...sent.slice(0, 16), ...sent.slice(-16)])
    expect(stalled.stats.drops).toEqual({ gap: dropped })
  })

  it('disconnect: a consumer whose queue overflows is cut off, every lost datum counted', async () => {
    const [n0, n1] = await meshed(2)
    const producer = text.producer(n0!, { bufferSize: 8 })
    const stalled = text.consumer(n1!, { bufferSize: 8 })
    await producer.when.online(wait())
    // 8 fill the consumer's window, 8 the queue; the 17th overflows it.
    for (let i = 0; i < 17; i++) expect(producer.trySend(`d-${i}`)).toBe('accepted')
    expect(producer.stats.drops).toEqual({ disconnect: 9 })
    expect(
      await metric(n0!, 'mosaik_streams_dropped_total', { side: 'producer', reason: 'disconnect' }),
    ).toBe(9)
    expect(await take(stalled, 8)).toEqual(Array.from({ length: 8 }, (_, i) => `d-${i}`))
    // Cut off as too slow is not final: it subscribes again.
    await producer.when.online(wait())
  })

  it('block: send waits for the slowest consumer instead of dropping', async () => {
    const [n0, n1] = await meshed(2)
    const producer = text.producer(n0!, { slowConsumer: 'block', bufferSize: 4 })
    const slow = text.consumer(n1!, { bufferSize: 4 })
    await producer.when.online(wait())
    for (let i = 0; i < 8; i++) expect(producer.trySend(`d-${i}`)).toBe('accepted')
    expect(producer.trySend('d-8')).toBe('full')
    const waiting = producer.send('d-8')
    expect(await settled(waiting)).toBe(false)
    expect(await take(slow, 1)).toEqual(['d-0'])
    await waiting
    expect(await take(slow, 8)).toEqual(Array.from({ length: 8 }, (_, i) => `d-${i + 1}`))
    expect(producer.stats.drops).toEqual({})
  })
})

/**
 * A producer that breaks the rules: it answers the handshake like a real one, then sends one frame
 * with good, schema-invalid and undecodable datums, then a frame that is not a valid data frame.
 */
async function misbehave(node: Network, streamId: Digest): Promise<void> {
  await node.libp2p.unhandle(STREAMS_PROTOCOL)
  await node.libp2p.handle(STREAMS_PROTOCOL, (stream, connection) => {
    const link = new Link(stream, { peer: connection.remotePeer.toString(), direction: 'inbound' })
    void (async () => {
      const request = parseSubscribe(await link.receive())
      await link.send({ t: 'ok', signature: request.signature })
      const datums = [
        encode({ id: 'evil-1', qty: 1 }),
        encode({ id: 'evil-bad', qty: 'many' }),
        new Uint8Array([0x92, 0x01]), // a two-element array cut short
        encode({ id: 'evil-2', qty: 2 }),
      ]
      const frame = encodeBatch(
        0,
        datums,
        datums.reduce((n, d) => n + d.length, 0),
      )
      await link.sendEncoded(frame)
      const broken = frame.slice(0, frame.length - 3)
      await link.sendEncoded(broken)
    })().catch(() => link.abort())
  })
  node.discovery.addStreams(streamId)
}

describe('misbehaving producers', () => {
  it('rejects invalid datums and malformed frames from one peer while a good producer keeps delivering', async () => {
    const [n0, good, evil] = await meshed(3)
    await misbehave(evil!, orders.streamId)
    const consumer = orders.consumer(n0!, quickBackoff)
    const errors = collect(consumer)
    const producer = orders.producer(good!)
    await producer.when.online(wait())
    const fromGood: string[] = []
    const fromEvil: string[] = []
    const reader = (async () => {
      for await (const order of consumer) (order.id.startsWith('evil') ? fromEvil : fromGood).push(order.id)
    })()
    for (let i = 0; i < 200; i++) {
      await producer.send({ id: `good-${i}`, qty: 1 + i })
      if (i % 20 === 19) await until(() => fromGood.length === i + 1, wait())
    }
    await metricReaches(
      n0!,
      'mosaik_streams_protocol_errors_total',
      { side: 'consumer', peer: evil!.peerId },
      1,
    )
    await consumer.close()
    await reader
    expect(fromGood).toEqual(Array.from({ length: 200 }, (_, i) => `good-${i}`))
    expect(new Set(fromEvil)).toEqual(new Set(['evil-1', 'evil-2']))
    expect(fromEvil.includes('evil-bad')).toBe(false)
    const invalid = errors.find((e) => isMosaikError(e, 'ERR_VALIDATION'))
    expect(invalid?.details).toMatchObject({ declaration: 'orders', path: '/qty', peer: evil!.peerId })
    expect(errors.some((e) => isMosaikError(e, 'ERR_DECODE') && e.details.peer === evil!.peerId)).toBe(true)
    expect(errors.some((e) => isMosaikError(e, 'ERR_PROTOCOL'))).toBe(true)
    expect(
      await metric(n0!, 'mosaik_streams_invalid_datums_total', {
        stream: 'orders',
        peer: evil!.peerId,
        path: '/qty',
      }),
    ).toBeGreaterThanOrEqual(1)
    expect(consumer.stats.drops.invalid).toBeGreaterThanOrEqual(2)
  })
})
