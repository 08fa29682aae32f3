/**
 * The peer baselines measured on the project machine type (shared/reference/peer-baselines.md,
 * medians of 3 runs). Benchmarks report their live numbers against these as `…/reference` ratios,
 * which shows at a glance whether this machine, right now, is slower than when they were taken.
 */
import { type ResultRow, round } from '../lib/result.ts'

export const REFERENCE_ROWS: readonly ResultRow[] = [
  { system: 'nats', metric: 'throughput', value: 459_483, unit: 'msgs/s' },
  { system: 'nats', metric: 'latency.p50', value: 0.168, unit: 'ms' },
  { system: 'nats', metric: 'latency.p99', value: 0.392, unit: 'ms' },
  { system: 'nats', metric: 'rtt.p50', value: 0.306, unit: 'ms' },
  { system: 'nats', metric: 'saturated.p50', value: 72, unit: 'ms' },
  { system: 'etcd', metric: 'writes.c1', value: 941, unit: 'writes/s' },
  { system: 'etcd', metric: 'writes.c1.p50', value: 0.997, unit: 'ms' },
  { system: 'etcd', metric: 'writes.c1.p99', value: 1.956, unit: 'ms' },
  { system: 'etcd', metric: 'writes.c256', value: 6_308, unit: 'writes/s' },
  { system: 'etcd', metric: 'writes.c256.all-endpoints', value: 4_083, unit: 'writes/s' },
  { system: 'etcd', metric: 'reads.c256', value: 6_577, unit: 'reads/s' },
  { system: 'etcd', metric: 'reads.c256.all-endpoints', value: 6_334, unit: 'reads/s' },
  { system: 'etcd', metric: 'failover', value: 1_191, unit: 'ms' },
  { system: 'libp2p-quic', metric: 'throughput', value: 303_320, unit: 'msgs/s' },
  { system: 'libp2p-quic', metric: 'latency.p50', value: 0.191, unit: 'ms' },
  { system: 'libp2p-quic', metric: 'latency.p99', value: 0.635, unit: 'ms' },
]

/** `"<system>/reference <metric>"` ratios of live rows over the reference rows of the same system. */
export function ratiosToReference(rows: readonly ResultRow[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const live of rows) {
    const reference = REFERENCE_ROWS.find((r) => r.system === live.system && r.metric === live.metric)
    if (reference !== undefined && reference.value !== 0) {
      out[`${live.system}/reference ${live.metric}`] = round(live.value / reference.value, 3)
    }
  }
  return out
}
