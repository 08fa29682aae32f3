import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { TcpFaultProxy } from '../../fault/harness/tcp-proxy.ts'
import { until } from '../../fault/harness/until.ts'

async function echoServer(): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return {
    server,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

function client(port: number): Promise<{ socket: Socket; data: () => string }> {
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect({ host: '127.0.0.1', port }, () => resolve({ socket, data: () => text }))
    socket.on('data', (chunk) => {
      text += chunk.toString()
    })
    socket.once('error', reject)
  })
}

describe('TcpFaultProxy (loopback)', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })

  async function setup(options: { delayMs?: number; jitterMs?: number } = {}) {
    const echo = await echoServer()
    cleanup.push(echo.close)
    const proxy = await TcpFaultProxy.start({
      target: { host: '127.0.0.1', port: echo.port },
      seed: 3,
      ...options,
    })
    cleanup.push(() => proxy.close())
    const c = await client(proxy.address.port)
    cleanup.push(() => {
      c.socket.destroy()
    })
    return { proxy, c }
  }

  it('keeps the byte stream intact and in order under heavy jitter', async () => {
    const { proxy, c } = await setup({ jitterMs: 20 })
    const chunks = Array.from({ length: 200 }, (_, i) => `<${i}>`)
    for (const chunk of chunks) c.socket.write(chunk)
    const expected = chunks.join('')
    await until(() => c.data().length === expected.length, { what: 'echoed stream' })
    expect(c.data()).toBe(expected)
    expect(proxy.stats()).toMatchObject({ connections: 1, accepted: 1, forwardBytes: expected.length })
  })

  it('adds at least the configured delay each way', async () => {
    const { c } = await setup({ delayMs: 30 })
    const start = performance.now()
    c.socket.write('ping')
    await until(() => c.data() === 'ping', { what: 'delayed echo' })
    expect(performance.now() - start).toBeGreaterThanOrEqual(59)
  })

  it('stalls while holding without losing anything, and resets every connection on demand', async () => {
    const { proxy, c } = await setup()
    proxy.configure({ hold: true })
    c.socket.write('held')
    // A negative check needs a window: nothing may come back while the proxy holds.
    await expect(
      until(() => c.data() !== '', { timeout: 200, what: 'echo while held' }),
    ).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
    })
    expect(proxy.stats().forwardBytes).toBe(0)
    proxy.configure({ hold: false })
    await until(() => c.data() === 'held', { what: 'echo after hold' })
    const closed = new Promise<void>((resolve) => c.socket.once('close', () => resolve()))
    c.socket.on('error', () => {})
    proxy.resetAll()
    await closed
    await until(() => proxy.stats().connections === 0, { what: 'connection gone' })
    expect(proxy.stats().resets).toBe(1)
  })
})
