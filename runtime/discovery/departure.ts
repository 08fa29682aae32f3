/**
 * Graceful departure: a closing node signs "I, peer P at version V, leave at time T" and gossips it,
 * so peers drop it at once instead of waiting for `purgeAfter`.
 */
import type { PeerId, Signer } from '../network/identity.ts'
import { Digest } from '../primitives/digest.ts'
import type { PeerEntryVersion } from './entry.ts'
import { type Envelope, open, reject, seal } from './signed.ts'

const DEPARTURE_KIND = 'mosaik/departure/1'
const MAX_DEPARTURE_BYTES = 512

export interface Departure {
  readonly peerId: PeerId
  /** The last version of the entry the node published. */
  readonly version: PeerEntryVersion
  /** When it left (ms since the epoch, its clock). */
  readonly at: number
  readonly envelope: Envelope
}

export function signDeparture(
  peerId: PeerId,
  network: Digest,
  version: PeerEntryVersion,
  at: number,
  signer: Signer,
): Departure {
  const envelope = seal(
    DEPARTURE_KIND,
    { peer: peerId, network: network.bytes, start: version.start, update: version.update, at },
    signer,
  )
  return { peerId, version, at, envelope }
}

/** Verifies an untrusted departure: signature, network, and `at` within `maxTimeDrift` of now. */
export function openDeparture(value: unknown, network: Digest, now: number, maxTimeDrift: number): Departure {
  const { peer, fields, envelope } = open(DEPARTURE_KIND, value, MAX_DEPARTURE_BYTES)
  const { start, update, at } = fields
  const net = fields.network
  if (!(net instanceof Uint8Array) || net.length !== 32 || !network.equals(Digest.fromBytes(net))) {
    throw reject('network', `departure of ${peer} is for another network`)
  }
  for (const n of [start, update, at]) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
      throw reject('malformed', 'bad departure stamp')
  }
  if (Math.abs(now - (at as number)) > maxTimeDrift)
    throw reject('stale', `departure of ${peer} is not fresh`)
  return {
    peerId: peer,
    version: { start: start as number, update: update as number },
    at: at as number,
    envelope,
  }
}
