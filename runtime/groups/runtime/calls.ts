/**
 * Request/response over bonds: each request carries a number, the answer carries it back. A call
 * fails with TimeoutError after its deadline and with ClosedError when the bond ends first.
 */
import { ClosedError, TimeoutError } from '../../primitives/errors.ts'
import type { Bond } from '../bonds/bond.ts'
import type { BondMessage } from '../wire/bond.ts'

interface Pending {
  readonly peer: string
  readonly resolve: (message: BondMessage) => void
  readonly reject: (err: unknown) => void
  readonly timer: NodeJS.Timeout
}

/** A bond message that carries a request id. */
type WithId = Extract<BondMessage, { id: number }>

export class Calls {
  #next = 1
  readonly #pending = new Map<number, Pending>()

  /** A fresh request id. */
  id(): number {
    const id = this.#next
    this.#next = this.#next >= Number.MAX_SAFE_INTEGER ? 1 : this.#next + 1
    return id
  }

  /** Sends `request` (built with a fresh id) on `bond`; resolves with the answer carrying that id. */
  call(bond: Bond, build: (id: number) => WithId, timeoutMs: number): Promise<BondMessage> {
    const id = this.id()
    return new Promise<BondMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new TimeoutError(`request to ${bond.peer} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, { peer: bond.peer, resolve, reject, timer })
      if (!bond.send(build(id))) this.#fail(id, new ClosedError(`bond to ${bond.peer} is closed`))
    })
  }

  /** Delivers an answer; false if no call waits for it (late, or from the wrong peer). */
  settle(from: string, answer: WithId): boolean {
    const pending = this.#pending.get(answer.id)
    if (pending === undefined || pending.peer !== from) return false
    this.#pending.delete(answer.id)
    clearTimeout(pending.timer)
    pending.resolve(answer)
    return true
  }

  /** Fails every call waiting on `peer` (its bond ended). */
  peerGone(peer: string): void {
    for (const [id, pending] of this.#pending) {
      if (pending.peer === peer) this.#fail(id, new ClosedError(`bond to ${peer} ended`))
    }
  }

  /** Fails every call. */
  close(err: Error): void {
    for (const id of [...this.#pending.keys()]) this.#fail(id, err)
  }

  #fail(id: number, err: unknown): void {
    const pending = this.#pending.get(id)
    if (pending === undefined) return
    this.#pending.delete(id)
    clearTimeout(pending.timer)
    pending.reject(err)
  }
}

/** `promise`, or its rejection with the signal's reason once `signal` aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
