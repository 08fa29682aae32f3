/**
 * `PeerEntry`: what a node says about itself — network, version, addresses, tags, the streams it
 * produces, the groups it belongs to and its tickets — signed with its key. Entries from the network
 * are verified and validated (sizes, network, timestamps) before anything else looks at them.
 */
import type { PeerId, Signer } from '../network/identity.ts'
import { Digest } from '../primitives/digest.ts'
import { type Ticket, ticketId } from '../tickets/ticket.ts'
import { type Envelope, reject, seal, unseal, verified } from './signed.ts'

/** `(start, update)` in ms since the epoch; ordered lexicographically. A restart gets a new `start`. */
export interface PeerEntryVersion {
  readonly start: number
  readonly update: number
}

export interface PeerEntry {
  readonly peerId: PeerId
  readonly network: Digest
  readonly version: PeerEntryVersion
  /** Dialable multiaddrs. */
  readonly addresses: readonly string[]
  /** Sorted, unique. */
  readonly tags: readonly string[]
  /** StreamIds this node produces; sorted by hex, unique. */
  readonly streams: readonly Digest[]
  /** GroupIds / StoreIds this node is a member of; sorted by hex, unique. */
  readonly groups: readonly Digest[]
  /** Credentials (e.g. JWT) that streams and groups may require; sorted by ticket id, unique. */
  readonly tickets: readonly Ticket[]
}

/** An entry with the exact signed bytes it came in (relayed as is, never re-signed by others). */
export interface SignedPeerEntry {
  readonly entry: PeerEntry
  readonly envelope: Envelope
}

/** Hard bounds on what an entry may hold; anything bigger is refused as `oversized`. */
export const ENTRY_LIMITS = {
  bodyBytes: 64 * 1024,
  addresses: 32,
  addressLength: 256,
  tags: 64,
  tagLength: 128,
  streams: 4096,
  groups: 4096,
  tickets: 16,
  ticketBytes: 16 * 1024,
} as const

const ENTRY_KIND = 'mosaik/entry/1'

/** Checks applied to every received entry. */
export interface EntryCheck {
  network: Digest
  now: number
  /** Refuse entries stamped further than this into the future. */
  maxTimeDrift: number
  /** Refuse entries last updated longer ago than this. */
  purgeAfter: number
  /** The version already held for a peer: entries not newer are skipped before their signature is checked. */
  known?: (peer: PeerId) => PeerEntryVersion | undefined
}

/** True when version `a` is strictly newer than `b`. */
export function isNewer(a: PeerEntryVersion, b: PeerEntryVersion): boolean {
  return a.start !== b.start ? a.start > b.start : a.update > b.update
}

/** The next version of a local entry: same start, an update stamp that is both later and ≥ now. */
export function nextVersion(version: PeerEntryVersion, now: number): PeerEntryVersion {
  return { start: version.start, update: Math.max(version.update + 1, now) }
}

/** Signs a local entry. */
export function signEntry(entry: PeerEntry, signer: Signer): SignedPeerEntry {
  const envelope = seal(
    ENTRY_KIND,
    {
      peer: entry.peerId,
      network: entry.network.bytes,
      start: entry.version.start,
      update: entry.version.update,
      addresses: [...entry.addresses],
      tags: [...entry.tags],
      streams: entry.streams.map((d) => d.bytes),
      groups: entry.groups.map((d) => d.bytes),
      tickets: entry.tickets.map((t) => ({ class: t.class.bytes, data: t.data })),
    },
    signer,
  )
  return { entry, envelope }
}

/**
 * Verifies and validates an untrusted signed entry. Throws `RejectedError` with reason malformed,
 * oversized, signature, network, future or stale. Returns undefined, without checking the
 * signature, for an entry that is not newer than `check.known` says (most gossip and sync traffic
 * repeats what a node holds; verifying only what could change anything keeps that cheap).
 */
export function openEntry(value: unknown, check: EntryCheck): SignedPeerEntry | undefined {
  const opened = unseal(ENTRY_KIND, value, ENTRY_LIMITS.bodyBytes)
  const { peer, fields, envelope } = opened
  const network = digestField(fields.network, 'network')
  if (!network.equals(check.network))
    throw reject('network', `entry of ${peer} is for network ${network.short}`)
  const start = timestamp(fields.start, 'start')
  const update = timestamp(fields.update, 'update')
  if (update < start) throw reject('malformed', `entry of ${peer} was updated before it started`)
  if (update > check.now + check.maxTimeDrift)
    throw reject('future', `entry of ${peer} is stamped in the future`)
  if (update < check.now - check.purgeAfter)
    throw reject('stale', `entry of ${peer} is older than purgeAfter`)
  const known = check.known?.(peer)
  if (known && !isNewer({ start, update }, known)) return undefined
  verified(opened)
  const entry: PeerEntry = {
    peerId: peer,
    network,
    version: { start, update },
    addresses: stringList(fields.addresses, 'addresses', ENTRY_LIMITS.addresses, ENTRY_LIMITS.addressLength),
    tags: normalizeTags(stringList(fields.tags, 'tags', ENTRY_LIMITS.tags, ENTRY_LIMITS.tagLength)),
    streams: sortDigests(
      list(fields.streams, 'streams', ENTRY_LIMITS.streams).map((d) => digestField(d, 'streams')),
    ),
    groups: sortDigests(
      list(fields.groups, 'groups', ENTRY_LIMITS.groups).map((d) => digestField(d, 'groups')),
    ),
    tickets: sortTickets(list(fields.tickets, 'tickets', ENTRY_LIMITS.tickets).map(ticketField)),
  }
  return { entry: Object.freeze(entry), envelope }
}

/** Sorted unique tags; throws on tags that are empty or too long. */
export function normalizeTags(tags: Iterable<string>): string[] {
  const out = [...new Set(tags)].sort()
  for (const tag of out) {
    if (typeof tag !== 'string' || tag.length === 0 || Buffer.byteLength(tag) > ENTRY_LIMITS.tagLength) {
      throw reject(
        'malformed',
        `tags are 1–${ENTRY_LIMITS.tagLength} bytes, got '${String(tag).slice(0, 40)}'`,
      )
    }
  }
  return out
}

/** Digests sorted by hex, duplicates removed. */
export function sortDigests(digests: Iterable<Digest>): Digest[] {
  const byHex = new Map<string, Digest>()
  for (const d of digests) byHex.set(d.hex, d)
  return [...byHex.keys()].sort().map((hex) => byHex.get(hex) as Digest)
}

/** Tickets sorted by id, duplicates removed. */
export function sortTickets(tickets: Iterable<Ticket>): Ticket[] {
  const byId = new Map<string, Ticket>()
  for (const t of tickets) byId.set(ticketId(t).hex, t)
  return [...byId.keys()].sort().map((key) => byId.get(key) as Ticket)
}

function list(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw reject('malformed', `entry field '${field}' is not a list`)
  if (value.length > max)
    throw reject('oversized', `entry field '${field}' has ${value.length} items (max ${max})`)
  return value
}

function stringList(value: unknown, field: string, max: number, maxLength: number): string[] {
  return list(value, field, max).map((item) => {
    if (typeof item !== 'string') throw reject('malformed', `entry field '${field}' holds a non-string`)
    if (item.length > maxLength)
      throw reject('oversized', `an item of '${field}' exceeds ${maxLength} characters`)
    return item
  })
}

function digestField(value: unknown, field: string): Digest {
  if (!(value instanceof Uint8Array) || value.length !== 32) {
    throw reject('malformed', `entry field '${field}' holds a value that is not a 32-byte digest`)
  }
  return Digest.fromBytes(value)
}

function timestamp(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw reject('malformed', `entry field '${field}' is not a timestamp`)
  }
  return value
}

function ticketField(value: unknown): Ticket {
  if (typeof value !== 'object' || value === null) throw reject('malformed', 'a ticket is not a map')
  const { class: cls, data } = value as Record<string, unknown>
  if (!(data instanceof Uint8Array)) throw reject('malformed', 'ticket data is not binary')
  if (data.length > ENTRY_LIMITS.ticketBytes)
    throw reject('oversized', `a ticket exceeds ${ENTRY_LIMITS.ticketBytes} bytes`)
  return { class: digestField(cls, 'tickets.class'), data: Uint8Array.from(data) }
}
