/**
 * Waiting on a condition that has no event to subscribe to (a counter in another object, a file
 * appearing): polls it until it holds, failing with a TimeoutError that says what was awaited.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { TimeoutError } from '../../../runtime/primitives/errors.ts'
import { scaled } from '../../../runtime/primitives/time.ts'

export interface UntilOptions {
  /** Give up after this many ms (default 10 s, scaled by MOSAIK_TIME_FACTOR). */
  timeout?: number
  /** Poll interval in ms (default 10). */
  interval?: number
  /** What is awaited, for the error message. */
  what?: string
}

/** Resolves once `check()` returns true; rejects with TimeoutError if it does not in time. */
export async function until(
  check: () => boolean | Promise<boolean>,
  options: UntilOptions = {},
): Promise<void> {
  const timeout = options.timeout ?? scaled(10_000)
  const interval = options.interval ?? 10
  const deadline = performance.now() + timeout
  for (;;) {
    if (await check()) return
    if (performance.now() >= deadline) {
      throw new TimeoutError(`${options.what ?? 'condition'} not met within ${timeout} ms`)
    }
    await delay(interval)
  }
}
