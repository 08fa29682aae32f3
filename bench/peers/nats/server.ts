/**
 * A throwaway `nats-server` on 127.0.0.1 with default settings, as in the baseline methodology:
 * `nats-server -a 127.0.0.1 -p <free port>`, stopped by PID when its scope closes.
 */
import type { Lifecycle } from '../../../runtime/primitives/lifecycle.ts'
import { commandVersion, ensureCommand } from '../../lib/packages.ts'
import { freePort, LOOPBACK, waitForPort } from '../../lib/ports.ts'
import { type ServerProcess, spawnServer } from '../../lib/processes.ts'

export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  url: string
  port: number
  version: string
  process: ServerProcess
}

/** Installs nats-server if needed (Debian package `nats-server`), starts it and waits for its port. */
export async function startNatsServer(scope: Lifecycle): Promise<NatsServer> {
  const binary = await ensureCommand({ command: 'nats-server', debianPackage: 'nats-server' })
  const version = await commandVersion(binary)
  const port = await freePort()
  const server = spawnServer(binary, ['-a', LOOPBACK, '-p', String(port)], { name: 'nats-server', scope })
  try {
    await waitForPort(port, { timeoutMs: 10_000, abandon: server.exited })
  } catch (cause) {
    throw new Error(`nats-server did not start on port ${port}:\n${server.output()}`, { cause })
  }
  return { url: `nats://${LOOPBACK}:${port}`, port, version, process: server }
}
