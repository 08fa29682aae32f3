/**
 * Serves a `Metrics` registry over HTTP in the Prometheus text format (`GET /metrics`).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConfigError } from '../primitives/errors.ts'
import type { Metrics } from './registry.ts'

export interface MetricsServer {
  /** `host:port` actually bound (the port is real even when 0 was asked for). */
  readonly address: string
  close(): Promise<void>
}

/** Parses `host:port` (IPv4 or a name; port 0 picks a free one). */
export function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(value)
  const port = Number(match?.[2])
  if (!match || port > 65535) throw new ConfigError(`expected host:port, got '${value}'`)
  return { host: match[1] as string, port }
}

/** Starts the exporter on `hostPort` and resolves once it listens. */
export async function serveMetrics(metrics: Metrics, hostPort: string): Promise<MetricsServer> {
  const { host, port } = parseHostPort(hostPort)
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/')) {
      res.writeHead(404).end()
      return
    }
    metrics.text().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new ConfigError(`cannot serve metrics on ${hostPort}`, { cause })))
    server.listen(port, host, resolve)
  })
  const bound = server.address() as AddressInfo
  return {
    address: `${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
