/**
 * Membership and quorum arithmetic. Membership lives in the log (config entries); a change takes
 * effect on each node as soon as the entry is in its log, and the leader only allows changes that
 * move at most one voter at a time, so the majorities of the old and new configurations always
 * overlap (Ongaro's thesis §4.1).
 */
import { decode, encodeCanonical } from '../../primitives/codec.ts'
import { DecodeError, InvalidInputError } from '../../primitives/errors.ts'
import type { Membership, PeerId } from './types.ts'

/** Hard bounds on what a config entry may hold: it comes from the network. */
const MAX_MEMBERS = 1024
const MAX_PEER_ID_LENGTH = 256

/** The empty membership of a node that has not joined anything yet. */
export const NO_MEMBERS: Membership = Object.freeze({ voters: [], learners: [] })

function sortedUnique(ids: Iterable<PeerId>): PeerId[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * Builds a normalized membership (sorted, duplicates removed). Throws InvalidInputError when a peer
 * is both voter and learner, an id is empty or too long, or there are too many members.
 */
export function membership(voters: Iterable<PeerId>, learners: Iterable<PeerId> = []): Membership {
  const v = sortedUnique(voters)
  const l = sortedUnique(learners)
  if (v.length + l.length > MAX_MEMBERS) throw new InvalidInputError(`more than ${MAX_MEMBERS} members`)
  for (const id of [...v, ...l]) {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_PEER_ID_LENGTH) {
      throw new InvalidInputError(`invalid peer id in membership: ${JSON.stringify(id)}`)
    }
  }
  const voterSet = new Set(v)
  const both = l.find((id) => voterSet.has(id))
  if (both !== undefined) throw new InvalidInputError(`peer ${both} is both voter and learner`)
  return { voters: v, learners: l }
}

export function isVoter(m: Membership, id: PeerId): boolean {
  return m.voters.includes(id)
}

export function isMember(m: Membership, id: PeerId): boolean {
  return m.voters.includes(id) || m.learners.includes(id)
}

/** Every member, voters first. */
export function members(m: Membership): PeerId[] {
  return [...m.voters, ...m.learners]
}

export function sameMembership(a: Membership, b: Membership): boolean {
  return (
    a.voters.length === b.voters.length &&
    a.learners.length === b.learners.length &&
    a.voters.every((id, i) => b.voters[i] === id) &&
    a.learners.every((id, i) => b.learners[i] === id)
  )
}

/** The size of a majority of `voters`. */
export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1
}

/**
 * The highest index that a majority of voters has reached: the quorum-th largest match index.
 * An empty voter set has no quorum (0).
 */
export function quorumIndex(voters: readonly PeerId[], matchOf: (id: PeerId) => number): number {
  if (voters.length === 0) return 0
  const matches = voters.map(matchOf).sort((a, b) => b - a)
  return matches[quorumSize(voters.length) - 1] as number
}

/** The state of an election given the answers so far (true = granted). */
export function voteOutcome(
  voters: readonly PeerId[],
  answers: ReadonlyMap<PeerId, boolean>,
): 'won' | 'lost' | 'pending' {
  const need = quorumSize(voters.length)
  let granted = 0
  let rejected = 0
  for (const id of voters) {
    const answer = answers.get(id)
    if (answer === true) granted++
    else if (answer === false) rejected++
  }
  if (granted >= need) return 'won'
  if (voters.length - rejected < need) return 'lost'
  return 'pending'
}

/**
 * Null when `next` may follow `current` in one step; otherwise why not. One step may add or
 * remove at most one voter (a learner's promotion or a voter's demotion counts as one); learners
 * may change freely because they never count toward a quorum.
 */
export function singleStepViolation(current: Membership, next: Membership): string | null {
  if (next.voters.length === 0) return 'a membership needs at least one voter'
  const before = new Set(current.voters)
  const after = new Set(next.voters)
  let moved = 0
  for (const id of before) if (!after.has(id)) moved++
  for (const id of after) if (!before.has(id)) moved++
  return moved > 1 ? `changes ${moved} voters at once; change one at a time` : null
}

/** The bytes of a config entry. */
export function encodeMembership(m: Membership): Uint8Array {
  return encodeCanonical({ voters: m.voters, learners: m.learners })
}

/** Decodes and validates config-entry bytes (they may come from the network). */
export function decodeMembership(bytes: Uint8Array): Membership {
  const value = decode(bytes) as { voters?: unknown; learners?: unknown } | null
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray(value.voters) ||
    !Array.isArray(value.learners)
  ) {
    throw new DecodeError('config entry is not a membership')
  }
  try {
    return membership(value.voters as PeerId[], value.learners as PeerId[])
  } catch (cause) {
    throw new DecodeError(`config entry holds an invalid membership: ${(cause as Error).message}`, { cause })
  }
}
