/** Addresses of the user-space proxies: IP literals only, so replies can be matched exactly. */
import { isIP } from 'node:net'
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'

/** An IP address (v4 or v6 literal) and port. */
export interface Endpoint {
  host: string
  port: number
}

/** Validates an endpoint; `allowAnyPort` accepts port 0 (pick a free port) for listen addresses. */
export function checkEndpoint(what: string, endpoint: Endpoint, allowAnyPort = false): Endpoint {
  if (isIP(endpoint.host) === 0)
    throw new InvalidInputError(`${what}.host must be an IP literal, got '${endpoint.host}'`)
  const min = allowAnyPort ? 0 : 1
  if (!Number.isSafeInteger(endpoint.port) || endpoint.port < min || endpoint.port > 65535) {
    throw new InvalidInputError(`${what}.port must be an integer in [${min}, 65535], got ${endpoint.port}`)
  }
  return { host: endpoint.host, port: endpoint.port }
}

/** The address a socket should bind to for reaching `target`: loopback for loopback targets. */
export function localBindHost(target: Endpoint): string {
  if (isIP(target.host) === 6) return target.host === '::1' ? '::1' : '::'
  return target.host.startsWith('127.') ? '127.0.0.1' : '0.0.0.0'
}

/** The listen address of a proxy for `target`: as given, else the matching local host on a free port. */
export function listenEndpoint(target: Endpoint, listen: Partial<Endpoint> = {}): Endpoint {
  return checkEndpoint('listen', { host: listen.host ?? localBindHost(target), port: listen.port ?? 0 }, true)
}

/** Awaits a socket's bind/listen callback, turning an 'error' event before it into a rejection. */
export function whenListening(
  socket: {
    once(event: 'error', fn: (err: Error) => void): unknown
    off(event: 'error', fn: (err: Error) => void): unknown
  },
  start: (onListening: () => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    start(() => {
      socket.off('error', reject)
      resolve()
    })
  })
}
