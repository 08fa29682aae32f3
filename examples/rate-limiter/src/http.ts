/**
 * The HTTP face of a limiter node (node:http, no framework):
 * - `GET /allow?key=<client>` → 200 `{"allowed":true,"remaining":n}` or 429
 *   `{"allowed":false,"retryAfterMs":n}` with a `Retry-After` header;
 * - `GET /policy` → the limits in force;
 * - anything else → 404; a missing or oversized key → 400.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Decision } from './bucket.ts'
import type { Policy } from './generated/index.ts'

/** What the HTTP layer needs from a limiter. */
export interface Limiter {
  readonly policy: Policy
  take(key: string): Promise<Decision>
}

/** Longest accepted client key (the `buckets` schema allows 128 characters). */
const MAX_KEY_LENGTH = 128

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(`${JSON.stringify(body)}\n`)
}

async function handle(limiter: Limiter, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://limiter')
  if (req.method !== 'GET') return reply(res, 405, { error: 'only GET' }, { allow: 'GET' })
  if (url.pathname === '/policy') return reply(res, 200, limiter.policy)
  if (url.pathname !== '/allow') return reply(res, 404, { error: 'try GET /allow?key=<client>' })
  const key = url.searchParams.get('key')
  if (!key || key.length > MAX_KEY_LENGTH) {
    return reply(res, 400, { error: `key must be 1..${MAX_KEY_LENGTH} characters` })
  }
  const decision = await limiter.take(key)
  if (decision.allowed) return reply(res, 200, { allowed: true, remaining: decision.remaining })
  const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)))
  return reply(
    res,
    429,
    { allowed: false, retryAfterMs: decision.retryAfterMs },
    { 'retry-after': retryAfter },
  )
}

/** A running HTTP endpoint; `close()` stops it and drops idle keep-alive sockets. */
export interface LimiterServer extends AsyncDisposable {
  /** `http://host:port` */
  readonly url: string
  close(): Promise<void>
}

/** Serves `limiter` on `host:port` (port 0 picks a free one). */
export async function serveLimiter(limiter: Limiter, host: string, port: number): Promise<LimiterServer> {
  const server: Server = createServer((req, res) => {
    handle(limiter, req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 503, { error: err instanceof Error ? err.message : String(err) })
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return { url: `http://${host}:${address.port}`, close, [Symbol.asyncDispose]: close }
}
