/**
 * A lifecycle tree for `close()`. Each long-lived object owns a `Lifecycle`; it registers the
 * resources it starts (timers, sockets, listeners, child lifecycles) and `close()` releases all of
 * them in reverse order of registration, exactly once. The `signal` aborts when closing starts so
 * pending operations can stop waiting.
 */
import { ClosedError } from './errors.ts'

type Cleanup = () => void | Promise<void>

export class Lifecycle {
  readonly #controller = new AbortController()
  #cleanups: Cleanup[] = []
  #closing: Promise<void> | undefined

  /** Aborts (with a ClosedError reason) as soon as `close()` is called. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  /** Throws ClosedError if `close()` has started; guard for public methods. */
  assertOpen(what = 'object'): void {
    if (this.#closing) throw new ClosedError(`${what} is closed`)
  }

  /** Registers a cleanup to run on close. If already closing, it runs right away. */
  defer(cleanup: Cleanup): void {
    if (this.#closing) {
      void Promise.resolve().then(cleanup)
      return
    }
    this.#cleanups.push(cleanup)
  }

  /** A child that closes when this one does (and may close earlier on its own). */
  child(): Lifecycle {
    const child = new Lifecycle()
    this.defer(() => child.close())
    return child
  }

  /** setTimeout that is cleared on close. */
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(fn, ms)
    this.defer(() => clearTimeout(timer))
    return timer
  }

  /** setInterval that is cleared on close. */
  setInterval(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setInterval(fn, ms)
    this.defer(() => clearInterval(timer))
    return timer
  }

  /** Adds an event listener that is removed on close. */
  listen(target: EventTarget, type: string, listener: (event: Event) => void): void {
    target.addEventListener(type, listener)
    this.defer(() => target.removeEventListener(type, listener))
  }

  /**
   * Runs every cleanup in reverse order. Errors are collected and re-thrown together after all
   * cleanups ran, so one failing resource never leaks the others. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#runCleanups()
    return this.#closing
  }

  async #runCleanups(): Promise<void> {
    this.#controller.abort(new ClosedError())
    const cleanups = this.#cleanups.reverse()
    this.#cleanups = []
    const errors: unknown[] = []
    for (const cleanup of cleanups) {
      try {
        await cleanup()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, 'several resources failed to close')
  }
}
