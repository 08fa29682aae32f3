/**
 * The shared skeleton of the six collection state machines.
 *
 * A state machine is driven by the Groups runtime, which calls `apply(command, version)` with each
 * committed command decoded from the log, in log order, and `advance(version)` for log entries that
 * are not commands of the collection. `apply` is deterministic: it reads no clock, no randomness and
 * never iterates plain-object keys, so every replica fed the same entries holds the same state.
 * Every input field is validated before anything changes; an invalid command is rejected (a typed
 * `CommandRejectedError` in the outcome), never thrown, and leaves the state as it was.
 *
 * Reads go through `view()`: an immutable view of the current version, O(1) to take and cached until
 * the version changes. `snapshot()` wraps a view for transfer in batches; `assembler()` + `restore()`
 * rebuild a state from batches. Every applied change is also recorded in a bounded `history` and
 * announced to `subscribe()` listeners, from which `watch(fromVersion)` feeds are built.
 */
import type { Version } from '../../codegen/collections.ts'
import type { CollectionKind } from '../../codegen/descriptors.ts'
import type { Validator as SchemaValidator } from '../../codegen/validator.ts'
import { InvalidInputError, isMosaikError, ValidationError } from '../../primitives/errors.ts'
import {
  type ChangeBatch,
  ChangeHistory,
  type ChangeSegment,
  changeBatch,
  DEFAULT_HISTORY_LIMIT,
} from './history.ts'
import { type EncodedKey, encodeKey } from './keys.ts'
import { type ApplyOutcome, CommandRejectedError, type RejectionReason } from './outcome.ts'
import { SnapshotAssembler, type SnapshotInfo, type SnapshotItems, SnapshotSource } from './snapshot.ts'
import { toStored } from './values.ts'

/** A compiled schema check of one key, value or priority (`validatorOf()` of codegen-v1). */
export type Validator = Pick<SchemaValidator<unknown>, 'check' | 'parse'>

/** Options shared by every collection state. */
export interface StateOptions {
  /** Bound of the change history, in change records (default 10 000). */
  readonly historyLimit?: number
  /** Checks every key (Map, Set element, PriorityQueue key) before it is applied or restored. */
  readonly validateKey?: Validator
  /** Checks every value before it is applied or restored. */
  readonly validateValue?: Validator
}

/** What a state machine tells its listeners. */
export type StateEvent<C> =
  | { readonly type: 'applied'; readonly changes: ChangeBatch<C> }
  | { readonly type: 'restored'; readonly version: Version }

/** The roles of an input, for rejection details. */
export type InputRole = 'key' | 'value' | 'priority'

/** A key in both forms: the stored lookup key and the canonical key reported in changes. */
export interface KeyPair {
  readonly encoded: EncodedKey
  readonly key: unknown
}

/** A command: plain data whose `op` names the operation. */
export interface CommandShape {
  readonly op: string
}

/** Collects the change records of the version being applied. */
export class ChangeRecorder<C> {
  readonly version: Version
  readonly #parts: (C[] | ChangeSegment<C>)[] = []

  constructor(version: Version) {
    this.version = version
  }

  /** Records one change. */
  emit(change: C): void {
    const last = this.#parts.at(-1)
    if (Array.isArray(last)) last.push(change)
    else this.#parts.push([change])
  }

  /** Records `count` changes produced on demand (bulk removals). */
  emitLazy(count: number, records: () => Iterable<C>): void {
    if (count > 0) this.#parts.push({ count, records })
  }

  /** The recorded changes as one batch. */
  batch(): ChangeBatch<C> {
    const segments = this.#parts.map((part) =>
      Array.isArray(part) ? { count: part.length, records: () => part } : part,
    )
    return changeBatch(this.version, segments)
  }
}

export abstract class CollectionState<
  Command extends CommandShape,
  Results extends Record<Command['op'], unknown>,
  Change,
  View,
  Chunk,
> {
  abstract readonly kind: CollectionKind
  readonly history: ChangeHistory<Change>
  /** Fields per snapshot item (Map: key, value; PriorityQueue: priority, key, value). */
  protected readonly itemWidth: number = 1
  protected readonly options: StateOptions
  #version: Version = 0
  #view: View | undefined
  readonly #listeners = new Set<(event: StateEvent<Change>) => void>()

  constructor(options: StateOptions = {}) {
    const limit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new InvalidInputError(`historyLimit must be a positive integer, got ${limit}`)
    }
    this.options = options
    this.history = new ChangeHistory(limit, 0)
  }

  /** The version of the last applied entry (0 before any). */
  get version(): Version {
    return this.#version
  }

  /** Number of elements. */
  abstract get size(): number

  /** An immutable view of the current version; O(1), cached until the version changes. */
  view(): View {
    this.#view ??= this.createView(this.#version)
    return this.#view
  }

  /**
   * Applies a committed command at `version` (greater than the current one). Returns the result
   * and change records, or the rejection; never throws for bad commands.
   */
  apply<C extends Command>(command: C, version: Version): ApplyOutcome<Results[C['op']], Change>
  apply(command: unknown, version: Version): ApplyOutcome<unknown, Change>
  apply(command: unknown, version: Version): ApplyOutcome<unknown, Change> {
    if (!this.#acceptVersion(version)) {
      const error = new CommandRejectedError(
        'stale-version',
        `version ${version} is not after the state's version ${this.#version}`,
      )
      return { ok: false, version, error }
    }
    const recorder = new ChangeRecorder<Change>(version)
    let result: unknown
    try {
      if (
        typeof command !== 'object' ||
        command === null ||
        typeof (command as CommandShape).op !== 'string'
      ) {
        throw this.reject('malformed', 'a command is an object with a string `op`')
      }
      result = this.execute(command as Command, recorder)
    } catch (error) {
      if (!(error instanceof CommandRejectedError)) throw error
      this.#setVersion(version)
      return { ok: false, version, error }
    }
    this.#setVersion(version)
    const changes = recorder.batch()
    this.history.record(changes)
    this.#emit({ type: 'applied', changes })
    return { ok: true, version, result, changes }
  }

  /** Moves to `version` for a log entry that is not a command of this collection. */
  advance(version: Version): void {
    if (this.#acceptVersion(version)) this.#setVersion(version)
  }

  /** An O(1) snapshot of the current version for transfer in batches. */
  snapshot(): SnapshotSource {
    return new SnapshotSource(this.kind, this.#version, this.snapshotItems())
  }

  /** Collects the batches of the snapshot a peer offered; restore it once complete. */
  assembler(info: SnapshotInfo): SnapshotAssembler<Chunk> {
    if (info.kind !== this.kind)
      throw new InvalidInputError(`a ${info.kind} snapshot cannot restore a ${this.kind}`)
    return new SnapshotAssembler(info, this.itemWidth, (fields) => this.parseChunk(fields))
  }

  /**
   * Replaces the state with a complete snapshot at its version (not below the current one). The
   * history restarts at that version, so a watcher from an older version gets HistoryTruncatedError.
   */
  restore(assembler: SnapshotAssembler<Chunk>): void {
    const { kind, version } = assembler.info
    if (kind !== this.kind)
      throw new InvalidInputError(`cannot restore a ${kind} snapshot into a ${this.kind}`)
    if (version < this.#version) {
      throw new InvalidInputError(
        `snapshot version ${version} is behind the state's version ${this.#version}`,
      )
    }
    this.install(assembler.chunks())
    this.#version = version
    this.#view = undefined
    this.history.reset(version)
    this.#emit({ type: 'restored', version })
  }

  /** Calls `listener` after every applied command and restored snapshot; returns the unsubscribe. */
  subscribe(listener: (event: StateEvent<Change>) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Performs one validated command; throws CommandRejectedError before changing anything. */
  protected abstract execute(command: Command, changes: ChangeRecorder<Change>): unknown
  protected abstract createView(version: Version): View
  /** The current items in canonical snapshot order: O(1) now, materialised on first use. */
  protected abstract snapshotItems(): SnapshotItems
  /** Validates the flat fields of one snapshot batch (throws a MosaikError on bad items). */
  protected abstract parseChunk(fields: unknown[]): Chunk
  /** Builds the state from the chunks of a complete snapshot, replacing the current one. */
  protected abstract install(chunks: Chunk[]): void

  /** A rejection to throw from `execute` or a parser. */
  protected reject(
    reason: RejectionReason,
    message: string,
    details?: Record<string, unknown>,
  ): CommandRejectedError {
    return new CommandRejectedError(reason, message, details)
  }

  /** Validates a key and returns both its forms. */
  protected key(raw: unknown): KeyPair {
    const encoded = this.encodedKey(raw)
    return { encoded, key: typeof raw === 'object' && raw !== null ? toStored(raw) : encoded === 0 ? 0 : raw }
  }

  /** Validates a key and returns its stored lookup form. */
  protected encodedKey(raw: unknown): EncodedKey {
    this.#check(this.options.validateKey, raw, 'key')
    try {
      return encodeKey(raw)
    } catch (cause) {
      throw this.#invalid(cause, 'key')
    }
  }

  /** Validates a value (or priority) and returns its stored form. */
  protected value(raw: unknown, role: InputRole = 'value', validator = this.options.validateValue): unknown {
    this.#check(validator, raw, role)
    try {
      return toStored(raw)
    } catch (cause) {
      throw this.#invalid(cause, role)
    }
  }

  /** An optional value: `undefined` stays undefined (absent). */
  protected optionalValue(raw: unknown): unknown {
    return raw === undefined ? undefined : this.value(raw)
  }

  /** An array field of a command. */
  protected list(raw: unknown, field: string): readonly unknown[] {
    if (!Array.isArray(raw)) throw this.reject('malformed', `\`${field}\` must be an array`)
    return raw
  }

  /** An integer field; negative integers are out of range, non-integers malformed. */
  protected integer(raw: unknown, field: string): number {
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) {
      throw this.reject('malformed', `\`${field}\` must be an integer, got ${String(raw)}`)
    }
    if (raw < 0) throw this.reject('out-of-range', `\`${field}\` ${raw} is negative`, { [field]: raw })
    return raw
  }

  /** Rejection for an unknown `op`. */
  protected unknownOp(command: CommandShape): CommandRejectedError {
    return this.reject('malformed', `unknown ${this.kind} operation '${command.op}'`)
  }

  #check(validator: Validator | undefined, raw: unknown, role: InputRole): void {
    if (validator === undefined || validator.check(raw)) return
    const reason = role === 'key' ? 'invalid-key' : 'invalid-value'
    try {
      validator.parse(raw, { role })
    } catch (cause) {
      if (!(cause instanceof ValidationError)) throw cause
      throw this.reject(reason, cause.message, { role, path: cause.path })
    }
    throw this.reject(reason, `invalid ${role}`, { role })
  }

  #invalid(cause: unknown, role: InputRole): CommandRejectedError {
    if (!isMosaikError(cause)) throw cause
    return this.reject(
      role === 'key' ? 'invalid-key' : 'invalid-value',
      `invalid ${role}: ${cause.message}`,
      {
        role,
      },
    )
  }

  #acceptVersion(version: Version): boolean {
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new InvalidInputError(`a version is a non-negative integer, got ${version}`)
    }
    return version > this.#version
  }

  #setVersion(version: Version): void {
    this.#version = version
    this.#view = undefined
  }

  #emit(event: StateEvent<Change>): void {
    for (const listener of [...this.#listeners]) listener(event)
  }
}
