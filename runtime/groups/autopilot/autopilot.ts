/**
 * The autopilot: the leader's membership decisions, one log entry at a time. A pure function of
 * what the leader sees, so it is tested without a network:
 * 1. remove a member (never the leader) that has had no live bond for `removeAfterMs`;
 * 2. add every live bonded peer that is not a member, as learners (learners never count toward a
 *    quorum, so adding them is always safe);
 * 3. demote a voter that now asks to be an observer (while other voters remain);
 * 4. promote the most caught-up learner that has been bonded for `promoteAfterMs` and has every
 *    committed entry, while the voter count stays within `maxVoters` and ends odd (an even count
 *    adds load without adding fault tolerance, so the extra member waits as a learner).
 * Each step is at most one voter change, which the core also enforces.
 */
import { membership } from '../raft/membership.ts'
import type { Membership, PeerId, PeerProgress } from '../raft/types.ts'

/** What the leader knows about one peer. */
export interface PeerView {
  /** Has a live bond to the leader now. */
  readonly alive: boolean
  /** Asks never to vote (reader or observer). */
  readonly observer: boolean
  /** Since when the bond has been live without interruption (ms), if it is. */
  readonly aliveSince: number | null
  /** Since when it has been without a live bond (ms), if it is. */
  readonly absentSince: number | null
}

export interface AutopilotInput {
  readonly self: PeerId
  readonly membership: Membership
  readonly progress: readonly PeerProgress[]
  readonly commit: number
  readonly peers: ReadonlyMap<PeerId, PeerView>
  readonly now: number
  readonly promoteAfterMs: number
  readonly removeAfterMs: number
  readonly maxVoters: number
}

/** Why the autopilot proposes a change (for logs and metrics). */
export type AutopilotAction = 'remove' | 'add-learners' | 'demote' | 'promote'

export interface AutopilotChange {
  readonly action: AutopilotAction
  readonly peers: readonly PeerId[]
  readonly next: Membership
}

/** The largest odd number ≤ n (0 for n ≤ 0). */
function largestOdd(n: number): number {
  if (n <= 0) return 0
  return n % 2 === 1 ? n : n - 1
}

/** The next membership change the leader should propose, or null when none is due. */
export function nextMembershipChange(input: AutopilotInput): AutopilotChange | null {
  const { self, peers, now } = input
  const { voters, learners } = input.membership
  const absentTooLong = (id: PeerId): boolean => {
    if (id === self) return false
    const since = peers.get(id)?.absentSince
    return since !== null && since !== undefined && now - since >= input.removeAfterMs
  }

  const goneVoter = voters.find(absentTooLong)
  if (goneVoter !== undefined && voters.length > 1) {
    return {
      action: 'remove',
      peers: [goneVoter],
      next: membership(
        voters.filter((id) => id !== goneVoter),
        learners,
      ),
    }
  }
  const goneLearners = learners.filter(absentTooLong)
  if (goneLearners.length > 0) {
    return {
      action: 'remove',
      peers: goneLearners,
      next: membership(
        voters,
        learners.filter((id) => !goneLearners.includes(id)),
      ),
    }
  }

  const members = new Set([...voters, ...learners])
  const newcomers = [...peers.entries()]
    .filter(([id, view]) => view.alive && id !== self && !members.has(id))
    .map(([id]) => id)
    .sort()
  if (newcomers.length > 0) {
    return { action: 'add-learners', peers: newcomers, next: membership(voters, [...learners, ...newcomers]) }
  }

  const observerVoter = voters.find((id) => id !== self && peers.get(id)?.observer === true)
  if (observerVoter !== undefined && voters.length > 1) {
    return {
      action: 'demote',
      peers: [observerVoter],
      next: membership(
        voters.filter((id) => id !== observerVoter),
        [...learners, observerVoter],
      ),
    }
  }

  const matchOf = new Map(input.progress.map((p) => [p.id, p.match]))
  const eligible = learners
    .filter((id) => {
      const view = peers.get(id)
      return (
        view?.alive &&
        !view.observer &&
        view.aliveSince !== null &&
        now - view.aliveSince >= input.promoteAfterMs &&
        (matchOf.get(id) ?? 0) >= input.commit
      )
    })
    .sort((a, b) => (matchOf.get(b) ?? 0) - (matchOf.get(a) ?? 0) || (a < b ? -1 : 1))
  const target = largestOdd(Math.min(input.maxVoters, voters.length + eligible.length))
  const chosen = eligible[0]
  if (chosen !== undefined && voters.length < target) {
    return {
      action: 'promote',
      peers: [chosen],
      next: membership(
        [...voters, chosen],
        learners.filter((id) => id !== chosen),
      ),
    }
  }
  return null
}

/** A bond as the autopilot needs it. */
export interface BondView {
  readonly since: number
  readonly lastReceived: number
  readonly status: { readonly observer: boolean }
}

/**
 * What the leader knows about every member and bonded peer: a peer is alive while its bond (to a
 * compatible peer) received something within `bondTimeoutMs`. `absentSince` is updated in place:
 * the grace period of a member runs from when this leader first saw it without a live bond.
 */
export function peerViews<B extends BondView>(input: {
  readonly self: PeerId
  readonly membership: Membership
  readonly bonds: ReadonlyMap<PeerId, B>
  readonly compatible: (bond: B) => boolean
  readonly absentSince: Map<PeerId, number>
  readonly now: number
  readonly bondTimeoutMs: number
}): Map<PeerId, PeerView> {
  const { bonds, absentSince, now } = input
  const known = new Set([...input.membership.voters, ...input.membership.learners, ...bonds.keys()])
  known.delete(input.self)
  const views = new Map<PeerId, PeerView>()
  for (const peer of known) {
    const bond = bonds.get(peer)
    const alive =
      bond !== undefined && input.compatible(bond) && now - bond.lastReceived < input.bondTimeoutMs
    if (alive) absentSince.delete(peer)
    else if (!absentSince.has(peer)) absentSince.set(peer, now)
    views.set(peer, {
      alive,
      observer: bond?.status.observer ?? false,
      aliveSince: alive ? (bond as B).since : null,
      absentSince: absentSince.get(peer) ?? null,
    })
  }
  return views
}
