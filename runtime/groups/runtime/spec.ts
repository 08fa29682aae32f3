/**
 * What the generic groups runtime takes: the state machine interface, the options of a group, and
 * the options and results of its calls. Replicated collections and generated group clients both
 * open groups with a `GroupSpec`.
 */
import type { ApplyContext, Index } from '../../codegen/groups.ts'
import type { PeerInfo } from '../../codegen/streams.ts'
import type { Digest } from '../../primitives/digest.ts'
import type { WaitOptions } from '../../primitives/watch.ts'
import type { TicketValidator } from '../../tickets/ticket.ts'
import type { GroupTiming } from '../profiles.ts'
import type { LeadershipPreference as CoreLeadership } from '../raft/config.ts'

/**
 * The state machine a group runs, as the generic runtime sees it. Commands travel as msgpack;
 * `apply` receives them decoded, in log order, on every replica, and must be deterministic.
 */
export interface GroupStateMachine {
  /** Applies a committed command. The return value is handed to the proposer's `execute`. */
  apply(command: unknown, context: ApplyContext): unknown
  /**
   * The whole state as chunks; equal states must give equal bytes. Called between commands. It may
   * be lazy — chunks encoded as they are iterated, later, while commands are applied — as long as it
   * yields the state of the moment of the call (e.g. from a persistent copy).
   */
  snapshot(): Iterable<Uint8Array>
  /** Replaces the whole state with `chunks` from `snapshot()` on any replica, taken at `index`. */
  restore(chunks: readonly Uint8Array[], index: number): void
  /**
   * Optional: starts restoring a snapshot taken at `index` whose chunks are still being fetched, so
   * decoding and validating them overlaps the transfer. The runtime adds the chunks in order, then
   * calls `finish()` in place of `restore` once all arrived and were verified — or drops the session.
   */
  beginRestore?(index: number): RestoreSession
}

/** A restore in progress (see `GroupStateMachine.beginRestore`). */
export interface RestoreSession {
  /** Takes the next chunk; throws (a MosaikError) for an invalid one. Changes no visible state. */
  add(chunk: Uint8Array): void
  /** Replaces the whole state with the chunks added. */
  finish(): void
}

/** How a node takes part in elections (SPEC §6). */
export type Leadership = 'normal' | { readonly reluctant: number } | 'observer'

/** Everything needed to open a group with the generic runtime. */
export interface GroupSpec {
  /** Declaration name: feeds the GroupId. */
  readonly name: string
  /** Signature of the whole state machine: feeds the StoreId. */
  readonly typeSignature: Digest
  readonly machine: GroupStateMachine
  /** Throws (e.g. ValidationError) for a command that must not be proposed. */
  readonly checkCommand?: (command: unknown) => void
  readonly secret?: string | Uint8Array
  readonly storage?: { readonly dir: string; readonly fsync?: boolean }
  readonly leadership?: Leadership
  readonly minVoters?: number
  /** `lan` (default), `wan` or `mosaik`. */
  readonly profile?: string
  /** Individual timing settings over the profile's (consensus ones change the StoreId). */
  readonly timing?: Partial<GroupTiming>
  readonly tickets?: readonly TicketValidator[]
  readonly require?: (peer: PeerInfo) => boolean
  readonly signal?: AbortSignal
}

/** Options of `execute`/`feed`/`barrier`. */
export interface GroupCallOptions extends WaitOptions {}

/** Options of `read`. */
export interface GroupReadOptions extends WaitOptions {
  /** `linearizable` (default) waits for a read barrier; `local` reads this replica as it is. */
  readonly consistency?: 'local' | 'linearizable'
}

/** What `execute` resolves with. */
export interface Executed {
  readonly index: Index
  /** What the machine's `apply` returned on this node. */
  readonly result: unknown
}

/** Largest command accepted. */
export const MAX_COMMAND_BYTES = 1024 * 1024

/** The core's form of a leadership preference. */
export function coreLeadership(leadership: Leadership | undefined): CoreLeadership {
  if (leadership === undefined || leadership === 'normal') return { kind: 'normal' }
  if (leadership === 'observer') return { kind: 'observer' }
  return { kind: 'reluctant', factor: leadership.reluctant }
}
