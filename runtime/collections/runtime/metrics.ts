/**
 * Prometheus metrics of the replicated collections on one network, labelled by collection
 * (declaration name and short StoreId): size, version, applied and rejected commands (their rate is
 * the apply rate), and snapshots taken for transfer and restored from peers, with their items.
 * The group underneath reports its own Raft metrics (commit index, snapshot bytes served/fetched).
 */
import type { Counter, Gauge } from 'prom-client'
import type { Metrics } from '../../metrics/registry.ts'

/** The metrics of one collection; every call is a cheap set/inc. */
export class CollectionMetrics {
  readonly #labels: { collection: string }
  readonly #size: Gauge<string>
  readonly #version: Gauge<string>
  readonly #commands: Counter<string>
  readonly #snapshots: Counter<string>
  readonly #snapshotItems: Counter<string>

  constructor(metrics: Metrics, collection: string) {
    this.#labels = { collection }
    const c = ['collection']
    this.#size = metrics.gauge('mosaik_collections_size', 'elements in the collection', c)
    this.#version = metrics.gauge(
      'mosaik_collections_version',
      'version (commit index) of the local state',
      c,
    )
    this.#commands = metrics.counter(
      'mosaik_collections_commands_total',
      'committed commands applied here, by outcome (applied, rejected)',
      ['collection', 'outcome'],
    )
    this.#snapshots = metrics.counter(
      'mosaik_collections_snapshots_total',
      'snapshots taken for transfer and restored from peers',
      ['collection', 'kind'],
    )
    this.#snapshotItems = metrics.counter(
      'mosaik_collections_snapshot_items_total',
      'items in the snapshots taken and restored',
      ['collection', 'kind'],
    )
  }

  /** A committed command was applied (or rejected) at `version`; the state now holds `size`. */
  applied(ok: boolean, version: number, size: number): void {
    this.#commands.inc({ ...this.#labels, outcome: ok ? 'applied' : 'rejected' })
    this.state(version, size)
  }

  /** A snapshot of `items` items was taken or restored. */
  snapshot(kind: 'taken' | 'restored', items: number): void {
    const labels = { ...this.#labels, kind }
    this.#snapshots.inc(labels)
    this.#snapshotItems.inc(labels, items)
  }

  /** The state is at `version` and holds `size` elements. */
  state(version: number, size: number): void {
    this.#version.set(this.#labels, version)
    this.#size.set(this.#labels, size)
  }
}
