/**
 * Watchable values and `when`-style conditions: the building block of `when.online()`,
 * `when.committed().reaches(i)` and friends. A condition resolves as soon as the predicate holds
 * (immediately if it already does), and rejects on timeout or abort with typed errors.
 */
import { AbortedError, ClosedError, TimeoutError } from './errors.ts'

export interface WaitOptions {
  /** Abort waiting; the promise rejects with the signal's reason or an AbortedError. */
  signal?: AbortSignal
  /** Reject with TimeoutError after this many milliseconds. */
  timeout?: number
}

type Listener<T> = (value: T) => void

/** A value that can change over time and be waited on. */
export class Watchable<T> {
  #value: T
  readonly #listeners = new Set<Listener<T>>()
  readonly #closeListeners = new Set<Listener<T>>()
  readonly #equals: (a: T, b: T) => boolean
  #closed: Error | undefined

  constructor(initial: T, equals: (a: T, b: T) => boolean = Object.is) {
    this.#value = initial
    this.#equals = equals
  }

  get value(): T {
    return this.#value
  }

  /** Sets the value and notifies watchers if it changed. */
  set(value: T): void {
    if (this.#closed || this.#equals(this.#value, value)) return
    this.#value = value
    for (const listener of [...this.#listeners]) listener(value)
  }

  /** Sets the value computed from the current one. */
  update(fn: (current: T) => T): void {
    this.set(fn(this.#value))
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: Listener<T>): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Resolves with the first value (current or future) for which `predicate` holds. */
  when(predicate: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
    if (predicate(this.#value)) return Promise.resolve(this.#value)
    if (this.#closed) return Promise.reject(this.#closed)
    return waitFor<T>(options, (resolve, reject) => {
      const unsubscribe = this.subscribe((value) => {
        if (predicate(value)) resolve(value)
      })
      const onClose: Listener<T> = () => reject(this.#closed ?? new ClosedError())
      this.#closeListeners.add(onClose)
      return () => {
        unsubscribe()
        this.#closeListeners.delete(onClose)
      }
    })
  }

  /** Resolves on the next change after this call. */
  changed(options: WaitOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed)
    return waitFor<T>(options, (resolve, reject) => {
      const unsubscribe = this.subscribe(resolve)
      const onClose: Listener<T> = () => reject(this.#closed ?? new ClosedError())
      this.#closeListeners.add(onClose)
      return () => {
        unsubscribe()
        this.#closeListeners.delete(onClose)
      }
    })
  }

  /** Rejects every pending and future wait with `reason`; the value is frozen. */
  close(reason: Error = new ClosedError()): void {
    if (this.#closed) return
    this.#closed = reason
    for (const listener of [...this.#closeListeners]) listener(this.#value)
    this.#closeListeners.clear()
    this.#listeners.clear()
  }
}

/**
 * Builds a promise from a subscription with timeout and abort handling. `subscribe` receives
 * resolve/reject and returns its teardown, which runs exactly once whichever way the wait ends.
 */
export function waitFor<T>(
  options: WaitOptions,
  subscribe: (resolve: (value: T) => void, reject: (err: unknown) => void) => () => void,
): Promise<T> {
  const { signal, timeout } = options
  if (signal?.aborted) return Promise.reject(abortReason(signal))
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    let teardown: (() => void) | undefined
    let settled = false
    const finish = (): void => {
      settled = true
      if (timer) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      teardown?.()
    }
    const onAbort = (): void => {
      if (settled) return
      finish()
      reject(abortReason(signal as AbortSignal))
    }
    teardown = subscribe(
      (value) => {
        if (settled) return
        finish()
        resolve(value)
      },
      (err) => {
        if (settled) return
        finish()
        reject(err)
      },
    )
    if (settled) {
      teardown()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        if (settled) return
        finish()
        reject(new TimeoutError(`condition not met within ${timeout} ms`))
      }, timeout)
    }
  })
}

/** The caller's own abort reason if it is an Error of theirs; the platform's default becomes AbortedError. */
function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason
  if (reason instanceof Error && !(reason instanceof DOMException)) return reason
  return new AbortedError('operation aborted', { cause: reason })
}
