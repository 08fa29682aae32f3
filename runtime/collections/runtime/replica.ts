/**
 * A collection's replica: the state machine a collection's group runs. It adapts a collection state
 * (`state/`) to the Groups runtime's `GroupStateMachine`:
 * - `apply` runs each committed command, decoded from the log bytes, at its log index — on every
 *   replica, the proposer included. A rejected command (bad index, invalid value from the wire) is
 *   thrown, so only the proposer's `execute` sees the typed error; the others count it and go on.
 * - `snapshot` lays the state out as snapshot batches of a fixed number of items, encoded lazily
 *   (the group encodes them in slices after taking the snapshot). Every replica
 *   uses the same batch size (it feeds the StoreId), so replicas hold byte-identical snapshots at
 *   the same index and a joiner fetches one snapshot from several of them.
 * - `restore` reassembles the batches, validating every item against the schemas.
 *
 * It is also the change source of `watch()`: it relays the state's events, and keeps relaying when
 * a merge of isolated groups makes the runtime restore an older (empty) state, which needs a fresh
 * state object.
 */
import type { ApplyContext } from '../../codegen/groups.ts'
import type { GroupStateMachine } from '../../groups/runtime/group.ts'
import type { RestoreSession } from '../../groups/runtime/spec.ts'
import { decode } from '../../primitives/codec.ts'
import { DecodeError } from '../../primitives/errors.ts'
import type { ChangeHistory } from '../state/history.ts'
import type { CollectionState, CommandShape, StateEvent } from '../state/machine.ts'
import type { SnapshotAssembler, SnapshotInfo } from '../state/snapshot.ts'
import type { CollectionMetrics } from './metrics.ts'

/** Any of the six collection states. */
// biome-ignore lint/suspicious/noExplicitAny: a replica holds any of the six state machines.
export type AnyState = CollectionState<CommandShape, any, any, any, any>

/** Items per snapshot batch unless the declaration's options say otherwise (mosaik's default). */
export const DEFAULT_SNAPSHOT_BATCH = 2_000

/** Outcomes of the most recent commands kept for their proposers (see `outcomeAt`). */
const KEPT_OUTCOMES = 4_096

/** What applying the command at one index gave on this replica. */
export type LocalOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: Error }

/** The replicated state of one collection, as its group's state machine (see the module comment). */
export class Replica<S extends AnyState> implements GroupStateMachine {
  readonly #create: () => S
  readonly #batchSize: number
  #metrics: CollectionMetrics | undefined
  readonly #listeners = new Set<(event: StateEvent<unknown>) => void>()
  #state: S
  #detach: () => void
  /** Outcomes by log index, oldest first (insertion order), at most KEPT_OUTCOMES. */
  readonly #outcomes = new Map<number, LocalOutcome>()

  /** `create` makes an empty state; snapshots are cut into batches of `batchSize` items. */
  constructor(create: () => S, batchSize: number) {
    this.#create = create
    this.#batchSize = batchSize
    this.#state = create()
    this.#detach = this.#attach(this.#state)
  }

  /** The current state (replaced only when the group restores an older snapshot). */
  get state(): S {
    return this.#state
  }

  /** The version of the last applied command. */
  get version(): number {
    return this.#state.version
  }

  get history(): ChangeHistory<unknown> {
    return this.#state.history
  }

  /** Reports to `metrics` from now on (once the group, which names them, exists). */
  observe(metrics: CollectionMetrics): void {
    this.#metrics = metrics
    metrics.state(this.#state.version, this.#state.size)
  }

  /** Calls `listener` after every applied command and restored snapshot; returns the unsubscribe. */
  subscribe(listener: (event: StateEvent<unknown>) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  apply(command: unknown, context: ApplyContext): unknown {
    const state = this.#state
    const outcome = state.apply(command, context.index)
    this.#metrics?.applied(outcome.ok, state.version, state.size)
    this.#keep(
      context.index,
      outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error },
    )
    if (!outcome.ok) throw outcome.error
    return outcome.result
  }

  /**
   * The outcome of the command applied here at `index`, if it is recent. A proposer reads its
   * result here: the group may have applied the entry before the proposer started waiting for it
   * (a follower learns its forwarded command's index after the entry arrived), and then it does
   * not carry the result — nor a rejection — back.
   */
  outcomeAt(index: number): LocalOutcome | undefined {
    return this.#outcomes.get(index)
  }

  #keep(index: number, outcome: LocalOutcome): void {
    this.#outcomes.set(index, outcome)
    if (this.#outcomes.size > KEPT_OUTCOMES) {
      const oldest = this.#outcomes.keys().next().value as number
      this.#outcomes.delete(oldest)
    }
  }

  /** The state now, as batches encoded only when iterated (the source is a persistent copy). */
  snapshot(): Iterable<Uint8Array> {
    const source = this.#state.snapshot()
    this.#metrics?.snapshot('taken', source.count)
    return { [Symbol.iterator]: () => source.batches(this.#batchSize) }
  }

  restore(chunks: readonly Uint8Array[], index: number): void {
    const session = this.beginRestore(index)
    for (const chunk of chunks) session.add(chunk)
    session.finish()
  }

  /**
   * A restore whose batches are decoded and validated as they are added (while the rest is still
   * being fetched); `finish` builds the state from them and replaces the current one.
   */
  beginRestore(index: number): RestoreSession {
    let assembler: SnapshotAssembler<unknown> | undefined
    return {
      add: (chunk) => {
        if (assembler === undefined) {
          const info = readInfo(chunk)
          if (info.version > index) {
            throw new DecodeError(`snapshot of version ${info.version} cannot be the state at index ${index}`)
          }
          // Parsing a batch depends only on the declaration's validators, the same for every state.
          assembler = this.#state.assembler(info)
        }
        assembler.accept(chunk)
      },
      finish: () => {
        if (assembler === undefined) throw new DecodeError('a collection snapshot has at least one batch')
        const { info } = assembler
        if (info.version < this.#state.version) this.#replace(this.#create())
        const state = this.#state
        state.restore(assembler)
        // Index 0 is the group resetting to the empty state it started from, not a transfer.
        if (index > 0) this.#metrics?.snapshot('restored', info.count)
        this.#metrics?.state(state.version, state.size)
      },
    }
  }

  /** Stops relaying events. */
  close(): void {
    this.#detach()
    this.#listeners.clear()
  }

  #replace(state: S): void {
    this.#outcomes.clear()
    this.#detach()
    this.#state = state
    this.#detach = this.#attach(state)
  }

  #attach(state: S): () => void {
    return state.subscribe((event) => {
      for (const listener of [...this.#listeners]) listener(event)
    })
  }
}

/** The snapshot a batch belongs to, from its header (the assembler checks everything else). */
function readInfo(batch: Uint8Array): SnapshotInfo {
  const header = decode(batch)
  if (!Array.isArray(header) || header.length !== 6)
    throw new DecodeError('a snapshot batch is a 6-element array')
  const [, kind, version, count] = header as unknown[]
  if (typeof kind !== 'string' || !Number.isSafeInteger(version) || !Number.isSafeInteger(count)) {
    throw new DecodeError('snapshot batch header malformed')
  }
  return { kind, version, count } as SnapshotInfo
}
