/**
 * Linearizable read barriers. Each barrier asks the core for a ReadIndex (the leader confirms with a
 * heartbeat round acknowledged by a quorum that it still leads, and answers its commit index then);
 * once this node has applied that index, a read of local state reflects every write that completed
 * before the barrier started. Reads the core drops (no leader yet, leadership moved) are asked
 * again on the next tick until their deadline.
 */
import { OfflineError } from '../../primitives/errors.ts'
import type { ReadState } from '../raft/types.ts'

interface Pending {
  readonly deadline: number
  readonly resolve: (index: number) => void
  readonly reject: (err: unknown) => void
}

export class ReadBarriers {
  #next = 0
  readonly #pending = new Map<string, Pending>()
  /** Dropped by the core; asked again on the next tick. */
  #retry: Pending[] = []

  get size(): number {
    return this.#pending.size + this.#retry.length
  }

  /** Starts a barrier; `ask` hands the request id to the core. Resolves with the confirmed read index. */
  request(deadline: number, ask: (id: string) => void): Promise<number> {
    return new Promise<number>((resolve, reject) => this.#ask({ deadline, resolve, reject }, ask))
  }

  /** The core confirmed or dropped reads. */
  settle(confirmed: readonly ReadState[], dropped: readonly string[]): void {
    for (const state of confirmed) {
      const pending = this.#pending.get(state.requestId)
      if (pending === undefined) continue
      this.#pending.delete(state.requestId)
      pending.resolve(state.index)
    }
    for (const id of dropped) {
      const pending = this.#pending.get(id)
      if (pending === undefined) continue
      this.#pending.delete(id)
      this.#retry.push(pending)
    }
  }

  /** Asks again for dropped reads whose deadline has not passed; fails the others. */
  retry(now: number, ask: (id: string) => void): void {
    const retry = this.#retry
    this.#retry = []
    for (const pending of retry) {
      if (now >= pending.deadline)
        pending.reject(new OfflineError('no leader confirmed the read before the deadline'))
      else this.#ask(pending, ask)
    }
    for (const [id, pending] of this.#pending) {
      if (now < pending.deadline) continue
      this.#pending.delete(id)
      pending.reject(new OfflineError('no leader confirmed the read before the deadline'))
    }
  }

  /** The core was replaced: reads it held are asked again (on the next tick) from the new one. */
  reissueAll(): void {
    this.#retry.push(...this.#pending.values())
    this.#pending.clear()
  }

  failAll(err: Error): void {
    for (const pending of [...this.#pending.values(), ...this.#retry]) pending.reject(err)
    this.#pending.clear()
    this.#retry = []
  }

  #ask(pending: Pending, ask: (id: string) => void): void {
    const id = (++this.#next).toString(36)
    this.#pending.set(id, pending)
    ask(id)
  }
}
