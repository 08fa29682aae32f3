/**
 * What a beacon publishes besides being reachable: a status report every few seconds, so operators
 * and dashboards can watch the deployment's entry points with an ordinary consumer.
 */

import { defineStream } from 'mosaik/schema'
import Type from 'typebox'

export const BeaconStatus = Type.Object({
  peerId: Type.String({ minLength: 1, maxLength: 128 }),
  addresses: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 32 }),
  peers: Type.Integer({ minimum: 0, description: 'Peers in the beacon’s catalog.' }),
  uptimeMs: Type.Integer({ minimum: 0 }),
  tags: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 }),
})

export const status = defineStream({
  name: 'beacon.status',
  datum: BeaconStatus,
  description: 'Periodic status of each beacon node.',
})
