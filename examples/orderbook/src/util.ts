/**
 * Small helpers for the orderbook's long-running loops: waiting that an AbortSignal cuts short, and
 * retrying an operation through elections and reconnects until the node closes.
 */
import { isMosaikError } from 'mosaik'

/** Pause between attempts of an operation that failed for a passing reason (no leader yet, …). */
const RETRY_MS = 100

const CLOSING_CODES = ['ERR_ABORTED', 'ERR_CLOSED', 'ERR_GROUP_CLOSED'] as const

/** True when `err` only says the node is shutting down. */
export function isClosing(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || CLOSING_CODES.some((code) => isMosaikError(err, code))
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Runs `operation` until it succeeds or the node closes; failures in between (offline, no leader,
 * timeouts) are waited out. Returns undefined if the node closed first.
 */
export async function retryUntilClosed<T>(
  operation: () => Promise<T>,
  signal: AbortSignal,
): Promise<T | undefined> {
  while (!signal.aborted) {
    try {
      return await operation()
    } catch (err) {
      if (isClosing(err, signal)) return undefined
      await pause(RETRY_MS, signal)
    }
  }
  return undefined
}
