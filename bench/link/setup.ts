/** What the link benchmark's two processes share. */
import type { NetworkOptions } from '../../runtime/network/options.ts'
import { testNetworkOptions } from '../../runtime/testing/networks.ts'

export const BENCH_PROTOCOL = '/mosaik/bench-link/1'

/** Loopback QUIC and TCP, no DHT, no RTT probes. */
export function benchNetworkOptions(): NetworkOptions {
  return testNetworkOptions({ discovery: { rttProbeInterval: 0 } })
}
