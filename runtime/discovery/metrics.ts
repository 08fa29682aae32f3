/**
 * Discovery's Prometheus metrics.
 */
import type { Metrics } from '../metrics/registry.ts'
import type { RejectReason } from './signed.ts'

export function discoveryMetrics(metrics: Metrics, catalogSize: () => number, gossipLinks: () => number) {
  metrics.gaugeOf(
    'mosaik_discovery_catalog_size',
    'peers in the catalog (the local node excluded)',
    catalogSize,
  )
  metrics.gaugeOf('mosaik_discovery_gossip_links', 'open gossip links to neighbours', gossipLinks)
  const rejected = metrics.counter<'reason'>(
    'mosaik_discovery_rejected_total',
    'peer messages refused, by reason',
    ['reason'],
  )
  const departed = metrics.counter<'reason'>(
    'mosaik_discovery_peers_departed_total',
    'peers removed from the catalog (departed: said goodbye; purged: went silent)',
    ['reason'],
  )
  const syncs = metrics.counter<'result'>('mosaik_discovery_syncs_total', 'catalog syncs by result', [
    'result',
  ])
  return {
    discovered: metrics.counter('mosaik_discovery_peers_discovered_total', 'peers that entered the catalog'),
    updated: metrics.counter('mosaik_discovery_peers_updated_total', 'newer entries of known peers'),
    gossipIn: metrics.counter('mosaik_discovery_gossip_messages_in_total', 'gossip messages received'),
    gossipOut: metrics.counter('mosaik_discovery_gossip_messages_out_total', 'gossip messages sent'),
    gossipDropped: metrics.counter(
      'mosaik_discovery_gossip_messages_dropped_total',
      'gossip messages not sent because a neighbour link was full',
    ),
    rejected: (reason: RejectReason) => rejected.inc({ reason }),
    departed: (reason: 'departed' | 'purged') => departed.inc({ reason }),
    sync: (result: 'ok' | 'failed') => syncs.inc({ result }),
  }
}

export type DiscoveryMetrics = ReturnType<typeof discoveryMetrics>
