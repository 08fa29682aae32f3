/**
 * A small Prometheus registry shared by every subsystem of one `Network`. Each network owns its own
 * registry (several networks may live in one process, e.g. in tests), labelled with the network and
 * peer so scraped series from different nodes never collide.
 *
 * Metric names use the `mosaik_<subsystem>_<what>` form. Asking twice for the same name returns the
 * same metric, so subsystems can declare what they use where they use it.
 */
import { Counter, Gauge, Histogram, type Metric, Registry } from 'prom-client'
import { InvalidInputError } from '../primitives/errors.ts'

/** Label names a metric is partitioned by. */
export type LabelNames = readonly string[]

export class Metrics {
  /** The underlying prom-client registry (for exporters and tests). */
  readonly registry: Registry
  readonly #byName = new Map<string, { kind: string; metric: Metric<string> }>()

  /** `labels` are attached to every series, e.g. `{ network: 'ab12…', peer: '12D3…' }`. */
  constructor(labels: Record<string, string> = {}) {
    this.registry = new Registry()
    this.registry.setDefaultLabels(labels)
  }

  /** A monotonically increasing counter. */
  counter<L extends string = string>(name: string, help: string, labelNames: LabelNames = []): Counter<L> {
    return this.#get(
      name,
      'counter',
      () => new Counter({ name, help, labelNames, registers: [this.registry] }),
    )
  }

  /** A value that goes up and down. */
  gauge<L extends string = string>(name: string, help: string, labelNames: LabelNames = []): Gauge<L> {
    return this.#get(name, 'gauge', () => new Gauge({ name, help, labelNames, registers: [this.registry] }))
  }

  /** A distribution (latencies, sizes); `buckets` defaults to prom-client's. */
  histogram<L extends string = string>(
    name: string,
    help: string,
    options: { labelNames?: LabelNames; buckets?: number[] } = {},
  ): Histogram<L> {
    return this.#get(name, 'histogram', () => {
      const config = { name, help, labelNames: options.labelNames ?? [], registers: [this.registry] }
      return new Histogram(options.buckets ? { ...config, buckets: options.buckets } : config)
    })
  }

  /**
   * A gauge read at scrape time from `read()`: for values kept as plain numbers on a hot path
   * (bytes sent, queue depths), so the hot path pays nothing for being measured.
   */
  gaugeOf(name: string, help: string, read: () => number): Gauge {
    return this.#get(
      name,
      'gauge',
      () =>
        new Gauge({
          name,
          help,
          registers: [this.registry],
          collect() {
            this.set(read())
          },
        }),
    )
  }

  /** The current value of an unlabelled metric, or of one label combination (for tests and tools). */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const entry = this.#byName.get(name)
    if (!entry) return 0
    const data = await entry.metric.get()
    const wanted = Object.entries(labels)
    const match = data.values.find(
      (v) => !('metricName' in v && v.metricName !== name) && wanted.every(([k, x]) => v.labels[k] === x),
    )
    return match?.value ?? 0
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics()
  }

  #get<M>(name: string, kind: string, create: () => M): M {
    const existing = this.#byName.get(name)
    if (existing) {
      if (existing.kind !== kind) {
        throw new InvalidInputError(`metric '${name}' is already registered as a ${existing.kind}`)
      }
      return existing.metric as M
    }
    const metric = create()
    this.#byName.set(name, { kind, metric: metric as Metric<string> })
    return metric
  }
}
