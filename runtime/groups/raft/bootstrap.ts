/**
 * First formation. A group starts from an explicit initial membership that every founding member
 * persists identically (the runtime waits for `minVoters` peers and derives the list from them).
 * Because the founders share one membership with ordinary majority quorums, founders that cannot
 * see each other cannot elect two leaders or commit conflicting entries: any two majorities
 * overlap. Nodes that join later start empty and receive the log (with its config entries) from
 * the leader after it adds them as learners.
 */
import { InvalidInputError } from '../../primitives/errors.ts'
import { encodeMembership } from './membership.ts'
import type { Membership, PersistedState } from './types.ts'

/**
 * The durable state every founding member starts from: the initial membership as entry 1 of
 * term 1, committed by construction (all founders hold the identical entry).
 */
export function bootstrapState(initial: Membership): PersistedState {
  if (initial.voters.length === 0)
    throw new InvalidInputError('the initial membership needs at least one voter')
  return {
    hardState: { term: 1, vote: null, commit: 1 },
    snapshot: null,
    entries: [{ index: 1, term: 1, kind: 'config', data: encodeMembership(initial) }],
  }
}

/** The durable state of a node that joins an existing group: nothing yet. */
export function emptyState(): PersistedState {
  return { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }
}
