/**
 * The typed group API (SPEC §6 Groups): the state machine a user implements for a group
 * declaration, and the client `matcher.join(network, machine)` returns. Type parameters:
 * - `C`, a command map `{ place: Order; cancel: { id: string } }` (command name → command type);
 * - `Q`, a query map `{ depth: { input: { levels: number }; output: Order[] } }`;
 * - `S`, the snapshot type the machine produces and restores.
 */
import type { Digest } from '../primitives/digest.ts'
import type { WaitOptions } from '../primitives/watch.ts'
import type { TicketValidator } from '../tickets/ticket.ts'
import type { PeerInfo } from './streams.ts'

/** A Raft log index. Index 0 means "nothing yet". */
export type Index = number

/** Command name → command type. */
export type CommandMap = { readonly [command: string]: unknown }

/** Query name → input and output types. */
export type QueryMap = { readonly [query: string]: { readonly input: unknown; readonly output: unknown } }

/** Facts about the command being applied. Deterministic: the same on every replica. */
export interface ApplyContext {
  /** The log index of the command. */
  readonly index: Index
  /** The Raft term the command was proposed in. */
  readonly term: number
  readonly groupId: Digest
  readonly networkId: Digest
}

/** `snapshot()`/`restore()`, part of every state machine. */
export interface SnapshotMethods<S> {
  /**
   * The whole state as a value the canonical msgpack codec can encode (plain objects, arrays,
   * strings, numbers, bigint, Uint8Array, Map with string keys). Called between commands; must be
   * deterministic — equal states give equal snapshots.
   */
  snapshot(): S
  /** Replaces the whole state with a snapshot taken by `snapshot()` on any replica. */
  restore(snapshot: S): void
}

/**
 * The state machine of a group: one method per command (applies it; must be deterministic — no
 * clock, no randomness, no iteration over plain-object keys) and one per query (reads only), plus
 * `snapshot()`/`restore()`. Generated code emits a named interface (e.g. `MatcherMachine`) with
 * exactly this shape.
 */
export type GroupMachine<C extends CommandMap, Q extends QueryMap, S = unknown> = {
  readonly [K in keyof C]: (command: C[K], context: ApplyContext) => void
} & {
  readonly [K in keyof Q]: (input: Q[K]['input']) => Q[K]['output']
} & SnapshotMethods<S>

/** How a node takes part in leader elections. */
export type LeadershipPreference =
  | 'normal'
  /** Waits `factor` × longer before standing for election (default factor 3). */
  | { readonly reluctant: number }
  /** A learner that replicates but never votes or leads. */
  | 'observer'

/** Options of `handle.join(network, machine, options)`. */
export interface GroupOptions {
  /** Group secret: feeds the GroupId and proves membership when bonding (HMAC). */
  readonly secret?: string | Uint8Array
  /** In-memory log (default) or a durable write-ahead log in `dir`. */
  readonly storage?: { readonly dir: string; readonly fsync?: boolean }
  readonly leadership?: LeadershipPreference
  /** Bonded members required before the first election. Default 1. */
  readonly minVoters?: number
  /** Timing profile name (e.g. `'lan'`, `'wan'`, `'mosaik'`). Settings that must agree feed the StoreId. */
  readonly profile?: string
  /** Peers must present tickets acceptable to every validator. */
  readonly tickets?: readonly TicketValidator[]
  /** Only peers for which this holds may bond. */
  readonly require?: (peer: PeerInfo) => boolean
  /** Leaves the group when aborted. */
  readonly signal?: AbortSignal
}

/** Options of a command call. */
export interface CommandOptions extends WaitOptions {}

/** Read consistency: `local` reads this replica's state; `linearizable` confirms with the leader first. */
export type Consistency = 'local' | 'linearizable'

/** Options of a query call. */
export interface QueryOptions extends WaitOptions {
  /** Default `'linearizable'`. */
  readonly consistency?: Consistency
}

/** Current voters and learners (peer id strings), sorted. */
export interface GroupMembers {
  readonly voters: readonly string[]
  readonly learners: readonly string[]
}

/** A watcher of a log position. */
export interface IndexWatcher {
  /** Resolves with the position once it is ≥ `index` (immediately if it already is). */
  reaches(index: Index, options?: WaitOptions): Promise<Index>
  /** Resolves on the next change. */
  changed(options?: WaitOptions): Promise<Index>
}

/** Conditions on a group; every wait accepts a timeout and an AbortSignal. */
export interface GroupWhen {
  /** Resolves with the leader's peer id once one is known (immediately if it is). */
  leaderElected(options?: WaitOptions): Promise<string>
  /** Resolves with the new leader on the next leader change. */
  leaderChanged(options?: WaitOptions): Promise<string>
  /** Resolves when this node is the leader or a follower whose log is consistent with the leader's. */
  online(options?: WaitOptions): Promise<void>
  offline(options?: WaitOptions): Promise<void>
  /** The local commit index. */
  committed(): IndexWatcher
}

/** `execute.place(order)`: resolves after commit and local apply, with the command's index. */
export type ExecuteMethods<C extends CommandMap> = {
  readonly [K in keyof C]: (command: C[K], options?: CommandOptions) => Promise<Index>
}

/** `feed.place(order)`: resolves as soon as the leader assigned an index (not yet committed). */
export type FeedMethods<C extends CommandMap> = {
  readonly [K in keyof C]: (command: C[K], options?: CommandOptions) => Promise<Index>
}

/** `query.depth(input, { consistency })`: resolves with the query's result. */
export type QueryMethods<Q extends QueryMap> = {
  readonly [K in keyof Q]: (input: Q[K]['input'], options?: QueryOptions) => Promise<Q[K]['output']>
}

/**
 * A joined group. Commands from followers are forwarded to the leader. Errors are typed:
 * `ERR_OFFLINE`, `ERR_TIMEOUT`, `ERR_NOT_LEADER`, `ERR_GROUP_CLOSED`, `ERR_VALIDATION`.
 */
export interface GroupClient<C extends CommandMap, Q extends QueryMap> extends AsyncDisposable {
  readonly name: string
  readonly groupId: Digest
  readonly storeId: Digest
  readonly execute: ExecuteMethods<C>
  readonly feed: FeedMethods<C>
  readonly query: QueryMethods<Q>
  readonly when: GroupWhen
  /** The current leader's peer id, if known. */
  readonly leader: string | undefined
  readonly isLeader: boolean
  readonly members: GroupMembers
  /** The local commit index. */
  readonly committed: Index
  /** Departs gracefully and releases every resource. Idempotent. */
  close(): Promise<void>
}
