/**
 * What `apply()` returns: the command's result and its change records, or a typed rejection. A
 * rejected command still consumes its version (it was committed), leaves the state untouched and
 * is rejected identically on every replica, so it can never crash or fork a replica.
 */
import type { Version } from '../../codegen/collections.ts'
import { MosaikError } from '../../primitives/errors.ts'
import type { ChangeBatch } from './history.ts'

/**
 * Stable reasons a command is rejected:
 * - `malformed`: not a command of this collection kind (unknown op, missing or mistyped field);
 * - `invalid-key` / `invalid-value`: a key, value or priority without a canonical encoding, or one
 *   that fails the declaration's validator;
 * - `out-of-range`: a Vec index outside the valid range;
 * - `stale-version`: the version is not above the state's version (the command was not applied).
 */
export type RejectionReason = 'malformed' | 'invalid-key' | 'invalid-value' | 'out-of-range' | 'stale-version'

/** A command the state machine refused; `code` is `ERR_COMMAND_REJECTED`, `reason` says why. */
export class CommandRejectedError extends MosaikError {
  readonly reason: RejectionReason

  constructor(reason: RejectionReason, message: string, details: Record<string, unknown> = {}) {
    super('ERR_COMMAND_REJECTED', message, { details: { reason, ...details } })
    this.reason = reason
  }
}

/** The command took effect (possibly as a no-op, e.g. deleting an absent key). */
export interface Applied<R, C> {
  readonly ok: true
  readonly version: Version
  readonly result: R
  readonly changes: ChangeBatch<C>
}

/** The command was refused; the state did not change. */
export interface Rejected {
  readonly ok: false
  readonly version: Version
  readonly error: CommandRejectedError
}

export type ApplyOutcome<R, C> = Applied<R, C> | Rejected
