/**
 * Wall-clock readings comparable across processes on one machine, and a pacer for fixed-rate
 * load. A latency sample is `wallNow()` at the receiver minus the sender's `wallNow()` carried in
 * the payload: `performance.timeOrigin + performance.now()` is monotonic within a process and
 * shares the system clock's epoch across processes, with sub-millisecond resolution.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { InvalidInputError } from '../../runtime/primitives/errors.ts'

/** Milliseconds since the Unix epoch with sub-millisecond resolution. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now()
}

/** How many of `total` events at `ratePerSec` are due `elapsedMs` after the start. */
export function dueCount(elapsedMs: number, ratePerSec: number, total: number): number {
  if (elapsedMs <= 0) return 0
  return Math.min(total, Math.floor((elapsedMs * ratePerSec) / 1000))
}

export interface PaceOptions {
  /** Events per second. */
  rate: number
  /** Events in all; the run lasts about `count / rate` seconds. */
  count: number
  /** Called with the number of events due since the previous call; send them all at once. */
  send: (count: number) => void | Promise<void>
  signal?: AbortSignal
}

/**
 * Sends `count` events at a fixed rate: on each ~1 ms tick it hands `send` every event that has
 * come due, so at 5k/s each call carries about 5. Resolves with the wall-clock start and end.
 */
export async function pace(options: PaceOptions): Promise<{ startedAt: number; endedAt: number }> {
  const { rate, count, send, signal } = options
  if (!(rate > 0) || !Number.isSafeInteger(count) || count < 0) {
    throw new InvalidInputError(`pace needs a positive rate and a count ≥ 0, got ${rate}/s × ${count}`)
  }
  const startedAt = wallNow()
  let sent = 0
  while (sent < count) {
    signal?.throwIfAborted()
    const due = dueCount(wallNow() - startedAt, rate, count)
    if (due > sent) {
      await send(due - sent)
      sent = due
    }
    if (sent < count) await delay(1)
  }
  return { startedAt, endedAt: wallNow() }
}
