/**
 * One-shot timers that forget themselves when they fire, all cleared at once on close. (A
 * `Lifecycle.setTimeout` keeps a cleanup per call until close, which grows without bound for a
 * node that reschedules every few seconds for weeks.)
 */
export class Timers {
  readonly #pending = new Set<NodeJS.Timeout>()
  #closed = false

  /** Runs `fn` after `ms` unless `clear()` comes first. */
  after(ms: number, fn: () => void): void {
    if (this.#closed) return
    const timer = setTimeout(() => {
      this.#pending.delete(timer)
      fn()
    }, ms)
    this.#pending.add(timer)
  }

  /** Cancels every pending timer; later `after` calls do nothing. */
  clear(): void {
    this.#closed = true
    for (const timer of this.#pending) clearTimeout(timer)
    this.#pending.clear()
  }
}
