/**
 * Who may be on the other end of a channel: the user's `require(peer)` predicate and the tickets a
 * resource requires, checked against the peer's current catalog entry. Both sides use this — the
 * producer for consumers, the consumer for producers — at subscribe time and again whenever the
 * peer's entry changes.
 */
import type { PeerInfo } from '../codegen/streams.ts'
import type { PeerEntry } from '../discovery/entry.ts'
import type { RttEstimate } from '../discovery/rtt.ts'
import type { Digest } from '../primitives/digest.ts'
import { authorize, type TicketValidator } from '../tickets/ticket.ts'

/** The peer as `require` predicates and channel conditions see it. */
export function peerInfo(entry: PeerEntry, rtt: RttEstimate | undefined): PeerInfo {
  const info = { peerId: entry.peerId, tags: entry.tags }
  return Object.freeze(rtt === undefined ? info : { ...info, rtt: rtt.srtt })
}

export interface AccessPolicy {
  readonly require?: ((peer: PeerInfo) => boolean) | undefined
  readonly tickets?: readonly TicketValidator[] | undefined
}

/** The outcome of an access check. */
export type Access =
  | { readonly allowed: true; readonly expiresAt: number | null }
  | { readonly allowed: false; readonly reason: 'not-allowed' | 'unauthorized'; readonly message: string }

/** The `require` predicate alone (synchronous); a predicate that throws denies. */
export function passesRequire(policy: AccessPolicy, peer: PeerInfo): boolean {
  if (policy.require === undefined) return true
  try {
    return policy.require(peer) === true
  } catch {
    return false
  }
}

/** `require` and then the tickets of `entry` against every required validator. */
export async function checkAccess(
  policy: AccessPolicy,
  entry: PeerEntry,
  networkId: Digest,
  rtt: RttEstimate | undefined,
): Promise<Access> {
  if (!passesRequire(policy, peerInfo(entry, rtt))) {
    return { allowed: false, reason: 'not-allowed', message: `peer ${entry.peerId} does not pass require()` }
  }
  return checkTickets(policy, entry, networkId)
}

/** The tickets of `entry` against every validator of `policy`; the earliest expiry when accepted. */
export async function checkTickets(
  policy: AccessPolicy,
  entry: PeerEntry,
  networkId: Digest,
): Promise<Access> {
  const validators = policy.tickets ?? []
  if (validators.length === 0) return { allowed: true, expiresAt: null }
  try {
    const { expiresAt } = await authorize(entry.tickets, validators, { peerId: entry.peerId, networkId })
    return { allowed: true, expiresAt }
  } catch (err) {
    return { allowed: false, reason: 'unauthorized', message: (err as Error).message }
  }
}

/** True when two entries carry the same tickets (so a re-check would give the same answer). */
export function sameTickets(a: PeerEntry, b: PeerEntry): boolean {
  if (a.tickets.length !== b.tickets.length) return false
  return a.tickets.every((t, i) => {
    const other = b.tickets[i]
    return other !== undefined && t.class.equals(other.class) && Buffer.compare(t.data, other.data) === 0
  })
}

/** setTimeout's longest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Calls `onExpired` at `expiresAt` (ms since the epoch; null = never, in the past = soon).
 * Returns the cancel function.
 */
export function expiryTimer(expiresAt: number | null, onExpired: () => void): () => void {
  if (expiresAt === null) return () => undefined
  let timer: NodeJS.Timeout
  const arm = (): void => {
    const delay = expiresAt - Date.now()
    timer = setTimeout(delay > MAX_TIMER_MS ? arm : onExpired, Math.max(0, Math.min(delay, MAX_TIMER_MS)))
  }
  arm()
  return () => clearTimeout(timer)
}
