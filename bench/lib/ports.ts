/**
 * Loopback ports for benchmark servers. `freePorts(n)` holds n listeners open at once so the n
 * ports are distinct, then releases them for the server to bind (a small window remains in which
 * another program could take one; the server then fails to start with a clear error).
 */
import { connect, createServer, type Server } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { TimeoutError } from '../../runtime/primitives/errors.ts'

export const LOOPBACK = '127.0.0.1'

function listenEphemeral(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => resolve(server))
  })
}

/** `count` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) servers.push(await listenEphemeral())
    return servers.map((s) => {
      const address = s.address()
      if (address === null || typeof address === 'string') throw new Error('no TCP address')
      return address.port
    })
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}

/** One free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1)
  return port as number
}

function tryConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

export interface WaitForPortOptions {
  timeoutMs: number
  host?: string
  /** Gives up early when this rejects or resolves (e.g. the server process exited). */
  abandon?: Promise<unknown>
}

/** Resolves once a TCP connection to the port succeeds; polls every 20 ms up to the timeout. */
export async function waitForPort(port: number, options: WaitForPortOptions): Promise<void> {
  const host = options.host ?? LOOPBACK
  const deadline = Date.now() + options.timeoutMs
  let abandoned = false
  void options.abandon?.then(
    () => {
      abandoned = true
    },
    () => {
      abandoned = true
    },
  )
  while (!abandoned) {
    if (await tryConnect(port, host)) return
    if (Date.now() > deadline) break
    await delay(20)
  }
  throw new TimeoutError(
    abandoned
      ? `gave up waiting for ${host}:${port}`
      : `${host}:${port} not accepting within ${options.timeoutMs} ms`,
  )
}
