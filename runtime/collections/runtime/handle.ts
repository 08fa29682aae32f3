/**
 * What every collection handle shares, whatever its kind or role: identity, the local version,
 * `when` conditions, linearizable reads, change feeds and closing. Kind-specific readers
 * (`kinds.ts`) add the synchronous reads of their view; writers add the mutations, which go through
 * `write`: the command is proposed to the group and the promise resolves once it is committed and
 * applied here, with its version.
 */
import type {
  CollectionHandleBase,
  CollectionRole,
  CollectionWhen,
  ReadOptions,
  Version,
  WatchOptions,
} from '../../codegen/collections.ts'
import type { Validator } from '../../codegen/validator.ts'
import type { Group } from '../../groups/runtime/group.ts'
import type { Digest } from '../../primitives/digest.ts'
import { GroupClosedError } from '../../primitives/errors.ts'
import { type WaitOptions, waitFor } from '../../primitives/watch.ts'
import { watchChanges } from '../state/feed.ts'
import type { AnyState, Replica } from './replica.ts'
import type { Validators } from './states.ts'

/** What a handle is built from. */
export interface HandleParts {
  readonly name: string
  readonly role: CollectionRole
  readonly group: Group
  readonly replica: Replica<AnyState>
  readonly validators: Validators
  /** Closes the handle when aborted. */
  readonly signal?: AbortSignal
}

/** The result of a committed command, as the state machine returned it on this node. */
export interface Committed<R> {
  readonly version: Version
  readonly result: R
}

/** The part of every collection handle that does not depend on its kind. */
export abstract class CollectionHandle<Change, View> implements CollectionHandleBase<Change, View> {
  readonly name: string
  readonly role: CollectionRole
  readonly groupId: Digest
  readonly storeId: Digest
  readonly when: CollectionWhen
  readonly #group: Group
  readonly #replica: Replica<AnyState>
  readonly #validators: Validators
  /** Ends every `watch()` iteration when the handle closes. */
  readonly #closed = new AbortController()
  readonly #signal: AbortSignal | undefined
  readonly #onAbort = (): void => void this.close()

  constructor(parts: HandleParts) {
    const { group, replica } = parts
    this.name = parts.name
    this.role = parts.role
    this.groupId = group.groupId
    this.storeId = group.storeId
    this.#group = group
    this.#replica = replica
    this.#validators = parts.validators
    // The group leaves on abort by itself; closing the handle also ends its change feeds.
    this.#signal = parts.signal
    if (this.#signal?.aborted) void this.close()
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true })
    this.when = {
      online: (options) => group.when.online(options),
      offline: (options) => group.when.offline(options),
      updated: (options) =>
        waitFor<Version>(this.#untilClosed(options), (resolve) =>
          replica.subscribe(() => resolve(this.version)),
        ),
      reaches: (version, options) => group.when.committed().reaches(version, options),
    }
  }

  /** The index of the last entry applied here (≥ the version of the view). */
  get version(): Version {
    return Math.max(this.#group.committed, this.#replica.version)
  }

  /** The view of the local state now (synchronous, immutable, O(1)). */
  protected get view(): View {
    return this.#replica.state.view() as View
  }

  read(options: ReadOptions = {}): Promise<View> {
    return this.#group.read(() => this.view, options)
  }

  watch(fromVersion?: Version, options: WatchOptions = {}): AsyncIterable<Change> {
    const { signal } = this.#untilClosed(options)
    return watchChanges(this.#replica, fromVersion, signal ? { signal } : {}) as AsyncIterable<Change>
  }

  close(): Promise<void> {
    this.#signal?.removeEventListener('abort', this.#onAbort)
    this.#closed.abort(new GroupClosedError(`collection '${this.name}' is closed`))
    this.#replica.close()
    return this.#group.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** Resolves once this replica's state satisfies `predicate` (checked now and after every change). */
  protected until(predicate: () => boolean, options: WaitOptions = {}): Promise<void> {
    if (predicate()) return Promise.resolve()
    return waitFor<void>(this.#untilClosed(options), (resolve) =>
      this.#replica.subscribe(() => {
        if (predicate()) resolve()
      }),
    )
  }

  /** `options` whose wait also ends (with GroupClosedError) when the handle closes. */
  #untilClosed(options: WaitOptions = {}): WaitOptions {
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#closed.signal])
      : this.#closed.signal
    return { ...options, signal }
  }

  /** Proposes `command`; resolves with its version and result once committed and applied here. */
  protected async write<R>(command: object): Promise<Committed<R>> {
    const { index, result } = await this.#group.execute(command)
    // This replica applied the entry: its own outcome is authoritative (see Replica.outcomeAt).
    const local = this.#replica.outcomeAt(index)
    if (local?.ok === false) throw local.error
    return { version: index, result: (local === undefined ? result : local.result) as R }
  }

  /** `write` that resolves with the version only. */
  protected async commit(command: object): Promise<Version> {
    return (await this.write(command)).version
  }

  /** Checks a key against the declaration's schema (throws ValidationError). */
  protected key<K>(key: K): K {
    this.#validators.key?.parse(key, { role: 'key' })
    return key
  }

  /** Checks a value against the declaration's schema (throws ValidationError). */
  protected value<V>(value: V): V {
    this.#validators.value.parse(value, { role: 'value' })
    return value
  }

  /** Checks a priority against the declaration's schema (throws ValidationError). */
  protected priority<P>(priority: P): P {
    ;(this.#validators.priority as Validator<unknown> | undefined)?.parse(priority, { role: 'priority' })
    return priority
  }
}
