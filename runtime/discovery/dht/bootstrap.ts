/**
 * Mainline DHT bootstrap (slots). Work in progress: see the issue-4 report.
 */
import type { Network } from '../../network/network.ts'
import type { Lifecycle } from '../../primitives/lifecycle.ts'
import type { Logger } from '../../primitives/logger.ts'
import type { Catalog } from '../catalog.ts'
import type { DiscoveryConfig } from '../config.ts'

export interface DhtHost {
  network: Network
  config: DiscoveryConfig
  logger: Logger
  catalog(): Catalog
  lifecycle: Lifecycle
  ping(target: string): Promise<number>
  syncWith(target: string): Promise<string>
}

export class DhtBootstrap {
  readonly #host: DhtHost
  readonly bootstrap: 'public' | string[]

  constructor(host: DhtHost, bootstrap: 'public' | string[]) {
    this.#host = host
    this.bootstrap = bootstrap
  }

  async start(): Promise<void> {
    this.#host.logger.debug({ bootstrap: this.bootstrap }, 'dht bootstrap not implemented yet')
  }

  async close(): Promise<void> {}
}
