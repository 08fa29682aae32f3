/**
 * Formation: how a group comes into existence, and how two groups that formed apart are told
 * apart and merged.
 *
 * A group is founded by one coordinator with an explicit voter list; every founder persists the
 * same founding entry (index 1, term 1, a config entry). The entry's bytes carry the voters, the
 * founder and the founding time, and the group's *formation id* is the blake3 digest of those
 * bytes, so every member of one group knows the same id and two groups founded apart (each node
 * alone before they could see each other) have different ids.
 *
 * When members of two formations bond, the older formation wins (earlier founding time, then the
 * smaller id): a rule both sides evaluate identically from immutable facts, so every node of the
 * losing group reaches the same decision whenever it meets the winner.
 */
import { decode, encodeCanonical } from '../primitives/codec.ts'
import { Digest } from '../primitives/digest.ts'
import { DecodeError } from '../primitives/errors.ts'
import { membership as normalizedMembership } from './raft/membership.ts'
import type { Membership, PeerId } from './raft/types.ts'

/** The identity of one founded group. */
export interface Formation {
  /** blake3 of the founding entry's bytes, hex. */
  readonly id: string
  /** Founding time (ms since the epoch), as written by the coordinator. */
  readonly at: number
}

/** The founding config entry and the formation it defines. */
export interface FoundingEntry {
  readonly data: Uint8Array
  readonly formation: Formation
  readonly membership: Membership
}

/** Builds the founding entry a coordinator proposes to its founders. */
export function foundingEntry(voters: readonly PeerId[], founder: PeerId, at: number): FoundingEntry {
  const membership = normalizedMembership(voters)
  const data = encodeCanonical({ voters: membership.voters, learners: [], founder, formedAt: at })
  return { data, formation: { id: Digest.hash(data).hex, at }, membership }
}

/**
 * Reads a founding entry (from storage or a peer): its formation and membership. Throws
 * DecodeError unless it is a config entry with voters and a founding time.
 */
export function readFoundingEntry(data: Uint8Array): FoundingEntry {
  const value = decode(data) as { voters?: unknown; learners?: unknown; formedAt?: unknown } | null
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray(value.voters) ||
    !Array.isArray(value.learners) ||
    typeof value.formedAt !== 'number' ||
    !Number.isSafeInteger(value.formedAt)
  ) {
    throw new DecodeError('not a founding entry')
  }
  let membership: Membership
  try {
    membership = normalizedMembership(value.voters as PeerId[], value.learners as PeerId[])
  } catch (cause) {
    throw new DecodeError('founding entry with an invalid membership', { cause })
  }
  return { data, formation: { id: Digest.hash(data).hex, at: value.formedAt }, membership }
}

/** True when formation `a` wins over `b` in a merge (older first, then the smaller id). */
export function formationWins(a: Formation, b: Formation): boolean {
  if (a.at !== b.at) return a.at < b.at
  return a.id < b.id
}

export function sameFormation(a: Formation | null, b: Formation | null): boolean {
  return a !== null && b !== null && a.id === b.id
}

/** Validates a formation received from a peer. */
export function parseFormation(value: unknown): Formation | null {
  if (value === null) return null
  const f = value as { id?: unknown; at?: unknown }
  if (
    typeof f !== 'object' ||
    typeof f.id !== 'string' ||
    !/^[0-9a-f]{64}$/.test(f.id) ||
    typeof f.at !== 'number' ||
    !Number.isSafeInteger(f.at)
  ) {
    throw new DecodeError('malformed formation')
  }
  return { id: f.id, at: f.at }
}
