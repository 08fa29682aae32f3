/**
 * Reconnect delays of a consumer: exponential with ±50 % jitter, as mosaik's default (the
 * `backoff` crate's `ExponentialBackoff`: 500 ms initial, ×1.5, at most 60 s apart, giving up after
 * 300 s of failures). The first attempt after a working channel ends is immediate.
 */
import type { BackoffOptions } from '../codegen/streams.ts'
import { InvalidInputError } from '../primitives/errors.ts'

const DEFAULTS: Required<BackoffOptions> = { initial: 500, max: 60_000, factor: 1.5, maxElapsed: 300_000 }
const JITTER = 0.5

/** Validated backoff settings with defaults filled in. */
export function resolveBackoff(options: BackoffOptions = {}): Required<BackoffOptions> {
  const resolved = { ...DEFAULTS, ...options }
  for (const [key, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !(value >= 0) || (key === 'factor' && value < 1)) {
      throw new InvalidInputError(
        `backoff.${key} must be a non-negative number (factor ≥ 1), got ${String(value)}`,
      )
    }
  }
  return resolved
}

export class Backoff {
  readonly #settings: Required<BackoffOptions>
  readonly #random: () => number
  #interval: number
  #failingSince: number | undefined

  constructor(settings: Required<BackoffOptions>, random: () => number = Math.random) {
    this.#settings = settings
    this.#random = random
    this.#interval = settings.initial
  }

  /**
   * The delay before the next attempt after a failure at `now`: 0 for the first failure, then
   * growing; undefined once failures have lasted longer than `maxElapsed` (give up).
   */
  next(now = Date.now()): number | undefined {
    if (this.#failingSince === undefined) {
      this.#failingSince = now
      return 0
    }
    if (now - this.#failingSince > this.#settings.maxElapsed) return undefined
    const delay = this.#interval * (1 - JITTER + 2 * JITTER * this.#random())
    this.#interval = Math.min(this.#settings.max, this.#interval * this.#settings.factor)
    return Math.min(this.#settings.max, delay)
  }

  /** A channel worked: the next failure starts over with an immediate retry. */
  reset(): void {
    this.#interval = this.#settings.initial
    this.#failingSince = undefined
  }
}
