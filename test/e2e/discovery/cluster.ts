/**
 * Runs discovery nodes as separate processes (node-process.ts) and waits on what they report.
 * Shared by the multi-process tests and bench/discovery.
 */
import { join } from 'node:path'
import type { NetworkOptions } from '../../../runtime/network/options.ts'
import { scaled } from '../../../runtime/primitives/time.ts'
import { type ManagedProcess, nodeSpec, ProcessSet } from '../../fault/harness/process.ts'
import type { NodeConfig, NodeMessage } from './node-process.ts'

const SCRIPT = join(import.meta.dirname, 'node-process.ts')

export type Ready = Extract<NodeMessage, { type: 'ready' }>
export type CatalogReport = Extract<NodeMessage, { type: 'catalog' }>

/** One node process and its `ready` report. */
export interface NodeProcess {
  readonly process: ManagedProcess<NodeMessage & { [key: string]: unknown }>
  readonly ready: Ready
}

export class NodeProcesses implements AsyncDisposable {
  readonly #set = new ProcessSet()

  /** Starts one node and waits (up to `readyTimeout` ms, scaled) for it to be ready. */
  async start(
    name: string,
    options: NetworkOptions = {},
    label = 'node',
    readyTimeout = 30_000,
  ): Promise<NodeProcess> {
    const config: NodeConfig = { name, options }
    const child = this.#set.spawn<NodeMessage & { [key: string]: unknown }>(
      nodeSpec(SCRIPT, [JSON.stringify(config)], { name: label }),
    )
    const ready = (await child.waitFor((m) => m.type === 'ready', { timeout: scaled(readyTimeout) })) as Ready
    return { process: child, ready }
  }

  /** Starts nodes in parallel. */
  startMany(
    count: number,
    name: string,
    options: NetworkOptions = {},
    label = 'node',
    readyTimeout?: number,
  ): Promise<NodeProcess[]> {
    return Promise.all(
      Array.from({ length: count }, (_, i) => this.start(name, options, `${label}-${i}`, readyTimeout)),
    )
  }

  /**
   * The first catalog report of `node` that satisfies `predicate` — among all it sent, or with
   * `since: 'now'` only among later ones.
   */
  async catalogOf(
    node: NodeProcess,
    predicate: (report: CatalogReport) => boolean,
    options: { timeout?: number; since?: 'start' | 'now' } = {},
  ): Promise<CatalogReport> {
    const report = await node.process.waitFor((m) => m.type === 'catalog' && predicate(m as CatalogReport), {
      timeout: scaled(options.timeout ?? 20_000),
      since: options.since ?? 'start',
    })
    return report as CatalogReport
  }

  /** Kills every node still running. */
  async close(): Promise<void> {
    await this.#set.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
