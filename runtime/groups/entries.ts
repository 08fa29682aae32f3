/**
 * How the runtime stores Raft entries and snapshot metadata in a `LogStore`, which keeps them as
 * opaque bytes:
 * - a command entry's data is its payload as is: msgpack, which never starts with the byte 0xc1
 *   ("never used" in the msgpack format), so commands need no copy on the hot path;
 * - any other entry is 0xc1, a kind byte (1 config, 2 noop) and its payload;
 * - a snapshot's config blob is the canonical msgpack of the membership at the snapshot, the
 *   group's formation and the digest and size of the snapshot data (so peers can offer it and a
 *   fetcher can verify what it assembled from several of them).
 */
import { decode, encodeCanonical } from '../primitives/codec.ts'
import { DecodeError } from '../primitives/errors.ts'
import { type Formation, parseFormation } from './formation.ts'
import { membership as normalizedMembership } from './raft/membership.ts'
import type { Entry, EntryKind, Membership, SnapshotMeta } from './raft/types.ts'
import type { LogEntry, SnapshotMeta as StoredSnapshotMeta } from './storage/types.ts'

const KIND_CODES: Readonly<Record<EntryKind, number>> = { command: 0, config: 1, noop: 2 }
const KINDS: readonly EntryKind[] = ['command', 'config', 'noop']

/** The kind of an entry from its wire/stored code; undefined for an unknown code. */
export function entryKindOf(code: unknown): EntryKind | undefined {
  return typeof code === 'number' ? KINDS[code] : undefined
}

/** The code of an entry kind on the wire and in storage. */
export function entryKindCode(kind: EntryKind): number {
  return KIND_CODES[kind]
}

/** The first byte of a stored entry that is not a command (msgpack never uses it). */
const MARKER = 0xc1

/**
 * True when `data` may be a command's payload: msgpack starts with any byte but 0xc1. Checked on
 * every command that arrives from a peer, so the stored form can always be told apart.
 */
export function isCommandPayload(data: Uint8Array): boolean {
  return data.length > 0 && data[0] !== MARKER
}

/** A Raft entry as the store keeps it. */
export function toLogEntry(entry: Entry): LogEntry {
  if (entry.kind === 'command') return { index: entry.index, term: entry.term, data: entry.data }
  const data = new Uint8Array(entry.data.length + 2)
  data[0] = MARKER
  data[1] = KIND_CODES[entry.kind]
  data.set(entry.data, 2)
  return { index: entry.index, term: entry.term, data }
}

/** A stored entry back as a Raft entry; throws DecodeError for an unknown kind. */
export function fromLogEntry(stored: LogEntry): Entry {
  const { index, term, data } = stored
  if (data[0] !== MARKER) {
    if (data.length === 0) throw new DecodeError(`stored entry ${index} is empty`)
    return { index, term, kind: 'command', data }
  }
  const kind = entryKindOf(data[1])
  if (kind === undefined || kind === 'command')
    throw new DecodeError(`stored entry ${index} has an unknown kind`)
  return { index, term, kind, data: data.subarray(2) }
}

/** What a stored snapshot's config blob says. */
export interface SnapshotDescription {
  readonly membership: Membership
  readonly formation: Formation | null
  /** SHA-256 of the snapshot data, hex (`snapshotDigest`). */
  readonly digest: string
  readonly size: number
}

/** The config blob of a snapshot. */
export function encodeSnapshotConfig(description: SnapshotDescription): Uint8Array {
  const { membership, formation, digest, size } = description
  return encodeCanonical({
    voters: membership.voters,
    learners: membership.learners,
    formation: formation === null ? null : { id: formation.id, at: formation.at },
    digest,
    size,
  })
}

/** Reads a config blob (from storage or a peer); throws DecodeError when malformed. */
export function decodeSnapshotConfig(bytes: Uint8Array): SnapshotDescription {
  const value = decode(bytes) as Record<string, unknown> | null
  if (typeof value !== 'object' || value === null) throw new DecodeError('snapshot config is not a map')
  const { voters, learners, formation, digest, size } = value
  if (!Array.isArray(voters) || !Array.isArray(learners))
    throw new DecodeError('snapshot config lacks members')
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest))
    throw new DecodeError('snapshot digest malformed')
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new DecodeError('snapshot size malformed')
  let membership: Membership
  try {
    membership = normalizedMembership(voters as string[], learners as string[])
  } catch (cause) {
    throw new DecodeError('snapshot config holds an invalid membership', { cause })
  }
  return { membership, formation: parseFormation(formation ?? null), digest, size }
}

/** The core's view of a stored snapshot. */
export function coreSnapshotMeta(stored: StoredSnapshotMeta): SnapshotMeta {
  return {
    index: stored.index,
    term: stored.term,
    membership: decodeSnapshotConfig(stored.config).membership,
  }
}
