/**
 * Tickets: opaque credentials a node attaches to its discovery entry, checked by validators that
 * streams, groups and collections can require. A ticket is a class (which validator understands
 * it) plus bytes; validators return when the ticket expires so holders can be cut off on time.
 */
import { encodeCanonical } from '../primitives/codec.ts'
import type { Digest } from '../primitives/digest.ts'
import { MosaikError, type MosaikErrorOptions } from '../primitives/errors.ts'

export interface Ticket {
  /** Which kind of validator understands `data`, e.g. `JWT_TICKET_CLASS`. */
  readonly class: Digest
  readonly data: Uint8Array
}

/** A ticket's identity: `derive(class, data)`. */
export function ticketId(ticket: Ticket): Digest {
  return ticket.class.derive(ticket.data)
}

/** Whom a ticket is presented for: checked against subject/audience claims. */
export interface TicketSubject {
  /** The presenting peer's id (libp2p peer id string). */
  readonly peerId: string
  readonly networkId: Digest
}

/** `expiresAt`: ms since the epoch, or null for a ticket that never expires. */
export interface TicketValidity {
  readonly expiresAt: number | null
}

export interface TicketValidator {
  /** The ticket class this validator checks. */
  readonly class: Digest
  /**
   * Digest of everything that decides acceptance (keys, issuers, audiences, claims, limits).
   * Peers that gate the same resource must use validators with equal signatures.
   */
  readonly signature: Digest
  /** Resolves with the validity of an acceptable ticket; rejects with InvalidTicketError. */
  validate(data: Uint8Array, subject: TicketSubject, now?: number): Promise<TicketValidity>
}

/** A ticket is missing, malformed, expired, or not acceptable to a validator. */
export class InvalidTicketError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_UNAUTHORIZED', message, options)
  }
}

/**
 * Checks that `tickets` satisfy every validator (each needs at least one acceptable ticket of its
 * class). Resolves with the earliest expiry among the tickets that were used; rejects with an
 * InvalidTicketError naming the first validator left unsatisfied.
 */
export async function authorize(
  tickets: readonly Ticket[],
  validators: readonly TicketValidator[],
  subject: TicketSubject,
  now: number = Date.now(),
): Promise<TicketValidity> {
  let expiresAt: number | null = null
  for (const validator of validators) {
    const candidates = tickets.filter((t) => t.class.equals(validator.class))
    const reasons: string[] = []
    let accepted: TicketValidity | undefined
    for (const ticket of candidates) {
      try {
        accepted = await validator.validate(ticket.data, subject, now)
        break
      } catch (err) {
        reasons.push(err instanceof Error ? err.message : String(err))
      }
    }
    if (accepted === undefined) {
      const why = candidates.length === 0 ? 'no ticket of its class' : reasons.join('; ')
      throw new InvalidTicketError(
        `peer ${subject.peerId} has no ticket acceptable to validator ${validator.signature.short}: ${why}`,
        { details: { peer: subject.peerId, validator: validator.signature.hex } },
      )
    }
    if (accepted.expiresAt !== null) {
      expiresAt = expiresAt === null ? accepted.expiresAt : Math.min(expiresAt, accepted.expiresAt)
    }
  }
  return { expiresAt }
}

/** Canonical bytes of a validator's settings, the input of its signature. */
export function validatorSettingsBytes(settings: Record<string, unknown>): Uint8Array {
  return encodeCanonical(settings)
}
