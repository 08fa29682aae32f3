/**
 * Conditions on the connected channels of a producer or consumer: `when.online()`,
 * `when.subscribed({ min, tags, predicate })` and their inverses. A condition counts channels that
 * are connected and whose peer — as its catalog entry is *now*, so a peer that loses a tag stops
 * counting — carries every tag and passes the predicate.
 */
import type { ChannelCondition, PeerInfo, StreamWhen } from '../codegen/streams.ts'
import { InvalidInputError } from '../primitives/errors.ts'
import { type WaitOptions, Watchable } from '../primitives/watch.ts'

/** A validated condition with its minimum filled in. */
export interface ResolvedCondition {
  readonly min: number
  readonly tags: readonly string[]
  readonly predicate: ((peer: PeerInfo) => boolean) | undefined
}

/** Validates `condition`, with `defaultMin` when it names no minimum. */
export function resolveCondition(
  condition: ChannelCondition | undefined,
  defaultMin: number,
): ResolvedCondition {
  const min = condition?.min ?? defaultMin
  if (!Number.isSafeInteger(min) || min < 0) {
    throw new InvalidInputError(`a channel condition's min is a non-negative integer, got ${String(min)}`)
  }
  const tags = condition?.tags ?? []
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
    throw new InvalidInputError('a channel condition takes tags as an array of strings')
  }
  return { min, tags, predicate: condition?.predicate }
}

/** True when at least `condition.min` of `peers` match it. */
export function conditionHolds(condition: ResolvedCondition, peers: readonly PeerInfo[]): boolean {
  if (condition.min === 0) return true
  let matching = 0
  for (const peer of peers) {
    if (!condition.tags.every((tag) => peer.tags.includes(tag))) continue
    if (condition.predicate !== undefined && !safely(condition.predicate, peer)) continue
    if (++matching >= condition.min) return true
  }
  return false
}

function safely(predicate: (peer: PeerInfo) => boolean, peer: PeerInfo): boolean {
  try {
    return predicate(peer) === true
  } catch {
    return false
  }
}

/**
 * Tracks the online condition and answers `when` waits. The owner calls `changed()` after every
 * change of its channels or of their peers' entries.
 */
export class ChannelWatch {
  readonly #revision = new Watchable(0)
  readonly #peers: () => readonly PeerInfo[]
  readonly #online: ResolvedCondition
  #isOnline: boolean
  readonly when: StreamWhen

  /** `peers` lists the current peers of the connected channels. */
  constructor(peers: () => readonly PeerInfo[], online: ResolvedCondition) {
    this.#peers = peers
    this.#online = online
    this.#isOnline = conditionHolds(online, [])
    this.when = Object.freeze({
      online: (options?: WaitOptions) => this.#waitOnline(true, options),
      offline: (options?: WaitOptions) => this.#waitOnline(false, options),
      subscribed: (condition?: ChannelCondition, options?: WaitOptions) =>
        this.#wait(condition, true, options),
      unsubscribed: (condition?: ChannelCondition, options?: WaitOptions) =>
        this.#wait(condition, false, options),
    })
  }

  get isOnline(): boolean {
    return this.#isOnline
  }

  /** Re-evaluates the online condition and wakes the waits; returns whether it is online. */
  changed(): boolean {
    this.#isOnline = conditionHolds(this.#online, this.#peers())
    this.#revision.update((r) => r + 1)
    return this.#isOnline
  }

  /** Rejects every pending and future wait with ClosedError. */
  close(reason?: Error): void {
    this.#revision.close(reason)
  }

  async #waitOnline(wanted: boolean, options?: WaitOptions): Promise<void> {
    await this.#revision.when(() => this.#isOnline === wanted, options)
  }

  async #wait(
    condition: ChannelCondition | undefined,
    wanted: boolean,
    options?: WaitOptions,
  ): Promise<void> {
    const resolved = resolveCondition(condition, 1)
    await this.#revision.when(() => conditionHolds(resolved, this.#peers()) === wanted, options)
  }
}
