/**
 * A fault proxy running inside a cluster host: clients on any host send to
 * `<proxy host address>:<listenPort>` and the proxy relays to `target` with the configured faults.
 * Combine it with namespace partitions to add delay, jitter, duplication or reordering between
 * hosts (the kernel has no netem). For libp2p, dial the proxy's address as in udp-proxy.ts.
 */
import { fileURLToPath } from 'node:url'
import { InvalidInputError } from '../../../runtime/primitives/errors.ts'
import type { Host } from './cluster.ts'
import type { Endpoint } from './endpoint.ts'
import type { Impairment } from './impairment.ts'
import type { ManagedProcess } from './process.ts'
import type { ProxyChildConfig } from './proxy-child.ts'
import type { TcpImpairment, TcpProxyStats } from './tcp-proxy.ts'
import type { Direction, UdpProxyStats } from './udp-proxy.ts'

const PROXY_SCRIPT = fileURLToPath(new URL('./proxy-child.ts', import.meta.url))

/** Per protocol: what `configure` takes and what `stats` returns. */
interface ProxyKinds {
  udp: { impairment: Impairment; stats: UdpProxyStats }
  tcp: { impairment: TcpImpairment; stats: TcpProxyStats }
}

export interface HostProxyOptions<K extends keyof ProxyKinds> {
  protocol: K
  /** Where to relay to, usually `{ host: otherHost.address, port }`. */
  target: Endpoint
  /** Port on the proxy host's address (default: any free port; see `address`). */
  listenPort?: number
  /** Initial faults (for TCP only `forward` is used, for both directions). */
  forward?: ProxyKinds[K]['impairment']
  backward?: ProxyKinds[K]['impairment']
  seed?: number
}

type ProxyChildMessage =
  | { type: 'ready'; address: Endpoint }
  | { type: 'configured'; id: string }
  | { type: 'stats'; id: string; stats: unknown }
  | { type: 'failed'; id: string; code: string; message: string }

let nextId = 0

/** A UDP or TCP fault proxy process on a cluster host. */
export class HostProxy<K extends keyof ProxyKinds> {
  readonly host: Host
  /** Where clients send: the host's address and the listening port. */
  readonly address: Endpoint
  readonly #process: ManagedProcess<ProxyChildMessage>

  private constructor(host: Host, address: Endpoint, process: ManagedProcess<ProxyChildMessage>) {
    this.host = host
    this.address = address
    this.#process = process
  }

  /** Starts the proxy process on `host` and waits until it listens. */
  static async start<K extends keyof ProxyKinds>(
    host: Host,
    options: HostProxyOptions<K>,
  ): Promise<HostProxy<K>> {
    const config: ProxyChildConfig = {
      protocol: options.protocol,
      listen: { host: host.address, port: options.listenPort ?? 0 },
      target: options.target,
      ...(options.forward === undefined ? {} : { forward: options.forward }),
      ...(options.backward === undefined ? {} : { backward: options.backward }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    }
    const process = host.spawnNode<ProxyChildMessage>(PROXY_SCRIPT, [JSON.stringify(config)], {
      name: `${host.name}:${options.protocol}-proxy`,
    })
    const ready = await process.waitForType('ready')
    return new HostProxy<K>(host, ready.address, process)
  }

  /** Replaces the faults (of one direction, or both; TCP proxies apply them to both). */
  async configure(
    impairment: ProxyKinds[K]['impairment'],
    direction: Direction | 'both' = 'both',
  ): Promise<void> {
    const id = `c${++nextId}`
    this.#process.send({ type: 'configure', id, impairment, direction })
    const reply = await this.#process.waitFor((m) => m.type !== 'ready' && m.id === id)
    if (reply.type === 'failed') throw new InvalidInputError(reply.message, { details: { code: reply.code } })
  }

  /** The proxy's counters. */
  async stats(): Promise<ProxyKinds[K]['stats']> {
    const id = `s${++nextId}`
    this.#process.send({ type: 'stats', id })
    const reply = await this.#process.waitForType('stats', { where: (m) => m.id === id })
    return reply.stats as ProxyKinds[K]['stats']
  }

  /** Stops the proxy process. */
  async close(): Promise<void> {
    await this.#process.stop()
  }
}
