import { encode } from 'mosaik'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Link } from '../../../runtime/network/link.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { closeAll, createNetworks, discoverAll, scaled } from '../../../runtime/testing/index.ts'

let server: Network
let client: Network
/** Links the server side accepted, by protocol, in arrival order. */
const accepted = new Map<string, Link[]>()

async function accept(protocol: string, options = {}): Promise<void> {
  accepted.set(protocol, [])
  await server.handle(protocol, (link) => void accepted.get(protocol)?.push(link), { link: options })
}

async function pair(protocol: string, clientOptions = {}, transport?: 'tcp' | 'quic'): Promise<[Link, Link]> {
  const before = accepted.get(protocol)?.length ?? 0
  const outbound = await client.connect(server.peerId, protocol, {
    link: clientOptions,
    timeout: scaled(5_000),
    ...(transport === undefined ? {} : { transport }),
  })
  await outbound.send('hello')
  const deadline = Date.now() + scaled(5_000)
  while ((accepted.get(protocol)?.length ?? 0) <= before) {
    if (Date.now() > deadline) throw new Error('no inbound link')
    await new Promise((r) => setImmediate(r))
  }
  const inbound = accepted.get(protocol)?.[before] as Link
  expect(await inbound.receive()).toBe('hello')
  return [outbound, inbound]
}

beforeAll(async () => {
  ;[server, client] = (await createNetworks(2)) as [Network, Network]
  await discoverAll([server, client])
  await accept('/mosaik/test-plain/1')
  await accept('/mosaik/test-small/1', { maxWriteBuffer: 4096, maxReadBuffer: 4096, maxFrameSize: 1024 })
})

afterAll(async () => {
  await closeAll([client, server])
})

describe('Link', () => {
  it('delivers messages in order in both directions and ends cleanly on close', async () => {
    const [a, b] = await pair('/mosaik/test-plain/1')
    const count = 5_000
    const received: unknown[] = []
    const reading = (async () => {
      for await (const m of b) received.push(m)
    })()
    for (let i = 0; i < count; i++) await a.send({ i, body: 'x'.repeat(i % 50) })
    await b.send({ reply: true })
    expect(await a.receive()).toEqual({ reply: true })
    await a.close()
    await reading
    expect(received).toHaveLength(count)
    expect(received.every((m, i) => (m as { i: number }).i === i)).toBe(true)
    expect(await b.done).toBeUndefined()
    expect(a.stats.framesSent).toBe(count + 1)
  })

  it('close() resolves only after the remote holds every frame, even when nobody reads yet', async () => {
    const [a, b] = await pair('/mosaik/test-plain/1')
    for (let i = 0; i < 20_000; i++) a.trySend(i) || (await a.send(i))
    await a.close()
    const all = await b.receiveMany()
    expect(all).toHaveLength(20_000)
    expect(all.at(-1)).toBe(19_999)
    expect(await b.receiveMany()).toEqual([])
  })

  it('bounds the write buffer: send() waits and trySend() refuses while the transport is busy', async () => {
    const [a, b] = await pair('/mosaik/test-plain/1', { maxWriteBuffer: 4096 })
    const big = 'y'.repeat(900)
    let refused = 0
    const sends: Promise<void>[] = []
    for (let i = 0; i < 200; i++) {
      if (!a.trySend({ i, big })) refused++
      sends.push(a.send({ i, big }))
      expect(a.bufferedBytes).toBeLessThanOrEqual(4096 + 1024)
    }
    expect(refused).toBeGreaterThan(0)
    let got = 0
    for await (const _ of b) {
      got++
      if (got === 200 + (200 - refused)) break
    }
    await Promise.all(sends)
    a.abort()
  })

  it.each(['tcp', 'quic'] as const)(
    'bounds the read buffer over %s: a receiver that never reads stops growing (paused, then reset)',
    async (transport) => {
      const [a, b] = await pair('/mosaik/test-small/1', { maxWriteBuffer: 64 * 1024 }, transport)
      const chunk = 'q'.repeat(1000)
      const sending = (async () => {
        for (let i = 0; i < 2_000; i++) await a.send(chunk)
      })()
      await sending.catch(() => {})
      // Either back-pressure holds the sender (TCP) or the receiver resets the stream (QUIC reads
      // eagerly); in both cases the receiver never holds more than its bound.
      const outcome = await Promise.race([
        b.done,
        new Promise((r) => setTimeout(() => r('held'), scaled(300))),
      ])
      expect(b.bufferedBytes).toBe(0)
      if (outcome !== 'held') expect(outcome).toMatchObject({ code: 'ERR_CLOSED' })
      a.abort()
    },
  )

  it.each(['tcp', 'quic'] as const)(
    'over %s, delivers a bulk transfer whole and in order while reads are held to the end of each turn',
    async (transport) => {
      const [a, b] = await pair('/mosaik/test-plain/1', {}, transport)
      const count = 3_000
      const receiving = (async () => {
        const got: number[] = []
        while (got.length < count) for (const m of await b.receiveMany()) got.push((m as { i: number }).i)
        return got
      })()
      for (let i = 0; i < count; i++) await a.send({ i, pad: 'p'.repeat(900) })
      expect(await receiving).toEqual(Array.from({ length: count }, (_, i) => i))
      await a.close()
    },
  )

  it('refuses frames above maxFrameSize on both sides with typed errors', async () => {
    const [a, b] = await pair('/mosaik/test-small/1')
    // The server side takes at most 1 KiB per frame: it refuses to send one…
    expect(() => b.trySend('z'.repeat(2000))).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }),
    )
    // …and a bigger one arriving aborts the link.
    await a.send('z'.repeat(4000))
    expect(isMosaikError(await b.done, 'ERR_FRAME_TOO_LARGE')).toBe(true)
    await expect(a.done).resolves.toBeInstanceOf(Error)
    await expect(a.send('more')).rejects.toMatchObject({ code: 'ERR_CLOSED' })
  })

  it('rejects undecodable bytes with ERR_DECODE and aborts the link', async () => {
    const [a, b] = await pair('/mosaik/test-plain/1')
    await a.sendEncoded(Uint8Array.of(0x92, 0x01)) // an array of two holding one item
    await expect(b.receive()).rejects.toMatchObject({ code: 'ERR_DECODE' })
    expect(await b.done).toMatchObject({ code: 'ERR_PROTOCOL' })
  })

  it('abort() fails pending receives on both ends', async () => {
    const [a, b] = await pair('/mosaik/test-plain/1')
    const pending = b.receive()
    a.abort()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CLOSED' })
    await expect(a.receive()).rejects.toMatchObject({ code: 'ERR_CLOSED' })
  })

  it('receive() honours timeout and abort signals without breaking the link', async () => {
    const [a, b] = await pair('/mosaik/test-plain/1')
    await expect(b.receive({ timeout: 20 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    const controller = new AbortController()
    const waiting = b.receive({ signal: controller.signal })
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await a.send('still fine')
    expect(await b.receive()).toBe('still fine')
    await a.close()
  })

  it('sendEncoded sends pre-encoded bytes that arrive as the decoded value', async () => {
    const [a, b] = await pair('/mosaik/test-plain/1')
    const bytes = encode({ shared: [1, 2, 3] })
    await a.sendEncoded(bytes)
    await a.sendEncoded(bytes)
    expect(await b.receiveMany(2)).toEqual([{ shared: [1, 2, 3] }, { shared: [1, 2, 3] }])
    await a.close()
  })
})
