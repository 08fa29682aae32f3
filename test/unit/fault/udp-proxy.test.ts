import { createSocket, type Socket } from 'node:dgram'
import { setTimeout as delay } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { Endpoint } from '../../fault/harness/endpoint.ts'
import { UdpFaultProxy } from '../../fault/harness/udp-proxy.ts'
import { until } from '../../fault/harness/until.ts'

/** A UDP socket on 127.0.0.1 recording what arrives (payload as text, and sender port). */
async function udpSocket(onMessage?: (data: Buffer, from: Endpoint, socket: Socket) => void) {
  const socket = createSocket('udp4')
  const received: Array<{ text: string; port: number; at: number }> = []
  socket.on('message', (data, from) => {
    received.push({ text: data.toString(), port: from.port, at: performance.now() })
    onMessage?.(data, { host: from.address, port: from.port }, socket)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    socket,
    received,
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}

/**
 * Sends `count` numbered datagrams in small bursts: a loopback socket's default receive buffer
 * holds only about 256 small datagrams, and a larger burst would lose some in the kernel.
 */
async function sendNumbered(from: Socket, to: Endpoint, count: number, burst = 20): Promise<void> {
  for (let i = 0; i < count; i++) {
    from.send(String(i), to.port, to.host)
    if ((i + 1) % burst === 0) await delay(1)
  }
}

describe('UdpFaultProxy (loopback)', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })

  async function setup(options: Partial<Parameters<typeof UdpFaultProxy.start>[0]> = {}) {
    const echo = await udpSocket((data, from, socket) => socket.send(data, from.port, from.host))
    cleanup.push(echo.close)
    const proxy = await UdpFaultProxy.start({
      target: { host: '127.0.0.1', port: echo.port },
      seed: 1,
      ...options,
    })
    cleanup.push(() => proxy.close())
    const client = await udpSocket()
    cleanup.push(client.close)
    return { echo, proxy, client }
  }

  it('relays both ways untouched by default, one upstream session per client', async () => {
    const { echo, proxy, client } = await setup()
    await sendNumbered(client.socket, proxy.address, 200)
    await until(() => client.received.length === 200, { what: '200 echoes' })
    expect(client.received.map((r) => Number(r.text))).toEqual([...Array(200).keys()])
    const other = await udpSocket()
    cleanup.push(other.close)
    other.socket.send('x', proxy.address.port, proxy.address.host)
    await until(() => other.received.length === 1, { what: 'echo to the second client' })
    expect(new Set(echo.received.map((r) => r.port)).size).toBe(2)
    const stats = proxy.stats()
    expect(stats.sessions).toBe(2)
    expect(stats.forward).toMatchObject({ received: 201, sent: 201, dropped: 0 })
    expect(stats.backward).toMatchObject({ received: 201, sent: 201, dropped: 0 })
  })

  it('drops about the configured share, and every datagram is either dropped or sent', async () => {
    const { echo, proxy, client } = await setup({ forward: { loss: 0.3 } })
    await sendNumbered(client.socket, proxy.address, 1000)
    await until(
      () => proxy.stats().forward.received === 1000 && echo.received.length === proxy.stats().forward.sent,
      {
        what: 'all datagrams through the proxy',
      },
    )
    const { forward } = proxy.stats()
    expect(forward.dropped + forward.sent).toBe(1000)
    expect(forward.dropped).toBeGreaterThan(230)
    expect(forward.dropped).toBeLessThan(370)
  })

  it('duplicates and reorders: every datagram arrives, some twice, some out of order', async () => {
    const { echo, proxy, client } = await setup({ forward: { duplicate: 0.5, reorder: 0.3, reorderMs: 15 } })
    await sendNumbered(client.socket, proxy.address, 300)
    const settled = (): boolean => {
      const { forward } = proxy.stats()
      return forward.received === 300 && forward.queued === 0 && echo.received.length === forward.sent
    }
    await until(settled, {
      what: 'every copy delivered',
    })
    const order = echo.received.map((r) => Number(r.text))
    const { forward } = proxy.stats()
    expect(new Set(order).size).toBe(300)
    expect(order.length).toBe(300 + forward.duplicated)
    expect(forward.duplicated).toBeGreaterThan(100)
    const firstSeen = [...new Set(order)]
    const inversions = firstSeen.filter((n, i) => i > 0 && n < (firstSeen[i - 1] as number)).length
    expect(inversions).toBeGreaterThan(0)
  })

  it('adds at least the configured delay in each direction', async () => {
    const { proxy, client } = await setup({
      forward: { delayMs: 40 },
      backward: { delayMs: 40, jitterMs: 10 },
    })
    const sentAt = performance.now()
    await sendNumbered(client.socket, proxy.address, 5)
    await until(() => client.received.length === 5, { what: '5 delayed echoes' })
    for (const r of client.received) expect(r.at - sentAt).toBeGreaterThanOrEqual(79)
  })

  it('changes faults at run time: a blackhole, then clear again', async () => {
    const { echo, proxy, client } = await setup()
    proxy.configure({ loss: 1 }, 'forward')
    expect(proxy.impairment('forward').loss).toBe(1)
    expect(proxy.impairment('backward').loss).toBe(0)
    await sendNumbered(client.socket, proxy.address, 50)
    await until(() => proxy.stats().forward.dropped === 50, { what: '50 drops' })
    proxy.configure({})
    await sendNumbered(client.socket, proxy.address, 50)
    await until(() => client.received.length === 50, { what: '50 echoes after clearing' })
    expect(echo.received).toHaveLength(50)
    expect(() => proxy.configure({ duplicate: 3 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
  })

  it('refuses new clients beyond maxSessions and rejects bad addresses', async () => {
    const { proxy, client } = await setup({ maxSessions: 1 })
    client.socket.send('a', proxy.address.port, proxy.address.host)
    await until(() => client.received.length === 1, { what: 'first client echoed' })
    const other = await udpSocket()
    cleanup.push(other.close)
    other.socket.send('b', proxy.address.port, proxy.address.host)
    await until(() => proxy.stats().refusedSessions === 1, { what: 'second client refused' })
    await expect(UdpFaultProxy.start({ target: { host: 'localhost', port: 1 } })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
    })
  })
})
