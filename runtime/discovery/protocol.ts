/**
 * Discovery's wire protocols, all over `Link`s (length-prefixed msgpack frames):
 *
 * - `/mosaik/discovery/announce/1` — a long-lived gossip link between neighbours, used both ways:
 *   `{ t: 'entry', e: envelope }` (a signed entry, the sender's own or relayed) and
 *   `{ t: 'depart', d: envelope }` (a signed departure).
 * - `/mosaik/discovery/sync/1` — a full catalog exchange: each side sends `{ t: 'entries', e: [...] }`
 *   chunks and then `{ t: 'end' }`; the initiator sends first, the responder replies after reading.
 * - `/mosaik/discovery/ping/1` — `{ t: 'ping' }` answered by `{ t: 'pong', e: envelope }` (the
 *   responder's current entry); the round trip is an RTT sample and a health check.
 */
import { protocolId } from '../network/protocols.ts'
import type { Envelope } from './signed.ts'
import { reject } from './signed.ts'

export const ANNOUNCE_PROTOCOL = protocolId('discovery', 'announce', 1)
export const SYNC_PROTOCOL = protocolId('discovery', 'sync', 1)
export const PING_PROTOCOL = protocolId('discovery', 'ping', 1)

/** Entries per sync frame: keeps frames far below the link's frame limit. */
export const SYNC_CHUNK = 64

export type AnnounceMessage = { t: 'entry'; e: Envelope } | { t: 'depart'; d: Envelope }
export type SyncMessage = { t: 'entries'; e: Envelope[] } | { t: 'end' }
export type PingMessage = { t: 'ping' } | { t: 'pong'; e: Envelope }

function tagged(value: unknown): Record<string, unknown> & { t: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw reject('malformed', 'discovery message is not a map')
  }
  return value as Record<string, unknown> & { t: unknown }
}

/** Shape check of an announce message (the envelope inside is verified later). */
export function parseAnnounce(value: unknown): AnnounceMessage {
  const m = tagged(value)
  if (m.t === 'entry' && m.e !== undefined) return m as AnnounceMessage
  if (m.t === 'depart' && m.d !== undefined) return m as AnnounceMessage
  throw reject('malformed', `unknown announce message '${String(m.t).slice(0, 20)}'`)
}

export function parseSync(value: unknown): SyncMessage {
  const m = tagged(value)
  if (m.t === 'end') return { t: 'end' }
  if (m.t === 'entries' && Array.isArray(m.e) && m.e.length <= SYNC_CHUNK) return m as SyncMessage
  throw reject('malformed', 'bad catalog sync message')
}

export function parsePing(value: unknown): PingMessage {
  const m = tagged(value)
  if (m.t === 'ping') return { t: 'ping' }
  if (m.t === 'pong' && m.e !== undefined) return m as PingMessage
  throw reject('malformed', 'bad ping message')
}
