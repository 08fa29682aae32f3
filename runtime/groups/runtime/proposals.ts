/**
 * Commands between proposal and apply.
 *
 * `Proposals` holds the callers waiting for the command they proposed at (index, term) to be
 * applied on this node. When the entry applied at that index has another term, the proposal was
 * overwritten by a new leader and never took effect; when a snapshot replaces the state past that
 * index, its outcome cannot be known any more. Both fail with a typed error instead of hanging.
 *
 * `Forwarder` sends commands proposed on a follower to the leader in batches (one message per turn
 * of the event loop) and resolves each with the (index, term) the leader assigned.
 */
import { ClosedError, NotLeaderError, OfflineError, TimeoutError } from '../../primitives/errors.ts'
import type { Bond } from '../bonds/bond.ts'
import { MAX_FORWARD_BATCH } from '../wire/bond.ts'
import type { Calls } from './calls.ts'
import type { ApplyOutcome } from './driver.ts'

interface Waiter {
  readonly term: number
  readonly deadline: number
  readonly resolve: (outcome: ApplyOutcome) => void
  readonly reject: (err: unknown) => void
}

/**
 * How many outcomes of commands applied before their proposer waited are kept. A follower learns
 * the index of a forwarded command only from the leader's answer, and by then the entry may have
 * been applied here already; the outcome (a result, or the machine's rejection) must still reach
 * the caller.
 */
const RECENT_OUTCOMES = 4096

export class Proposals {
  readonly #waiting = new Map<number, Waiter>()
  /** Outcomes applied with nobody waiting, oldest first (entries apply in index order). */
  readonly #recent = new Map<number, { readonly term: number; readonly outcome: ApplyOutcome }>()

  /** Callers waiting. */
  get size(): number {
    return this.#waiting.size
  }

  /**
   * Resolves with the outcome once (index, term) is applied here. The deadline is enforced by
   * `expire` (called on every tick), so the hot path arms no timer per command.
   */
  wait(index: number, term: number, deadline: number, signal?: AbortSignal): Promise<ApplyOutcome> {
    const { promise, resolve, reject } = Promise.withResolvers<ApplyOutcome>()
    this.#waiting.get(index)?.reject(new OfflineError(`another proposal took index ${index}`))
    if (signal === undefined) {
      this.#waiting.set(index, { term, deadline, resolve, reject })
      return promise
    }
    if (signal.aborted) return Promise.reject(signal.reason)
    const onAbort = () => {
      if (this.#waiting.get(index)?.reject !== settle.reject) return
      this.#waiting.delete(index)
      reject(signal.reason)
    }
    const settle = {
      resolve: (outcome: ApplyOutcome) => {
        signal.removeEventListener('abort', onAbort)
        resolve(outcome)
      },
      reject: (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    }
    signal.addEventListener('abort', onAbort, { once: true })
    this.#waiting.set(index, { term, deadline, ...settle })
    return promise
  }

  /** Fails the callers whose deadline passed (the command may still commit later). */
  expire(now: number): void {
    for (const [index, waiter] of this.#waiting) {
      if (now < waiter.deadline) continue
      this.#waiting.delete(index)
      waiter.reject(
        new TimeoutError(
          `the command at index ${index} was not applied before the deadline; it may still commit`,
          {
            details: { index, outcome: 'unknown' },
          },
        ),
      )
    }
  }

  /** The outcome of the command applied at (index, term) with nobody waiting yet, if still kept. */
  recent(index: number, term: number): ApplyOutcome | undefined {
    const kept = this.#recent.get(index)
    return kept?.term === term ? kept.outcome : undefined
  }

  /** An entry was applied: settles the proposal waiting at its index, or keeps its outcome for a while. */
  applied(index: number, term: number, outcome: ApplyOutcome | null): void {
    const waiter = this.#waiting.get(index)
    if (waiter === undefined) {
      if (outcome !== null) this.#remember(index, term, outcome)
      return
    }
    this.#waiting.delete(index)
    if (waiter.term === term && outcome !== null) waiter.resolve(outcome)
    else {
      waiter.reject(
        new OfflineError(
          `the command proposed at index ${index} was replaced after a leader change; it was not applied`,
          {
            details: { index, outcome: 'not-applied' },
          },
        ),
      )
    }
  }

  /** The state was replaced by a snapshot at `index`: proposals at or below it have an unknown outcome. */
  restored(index: number): void {
    for (const [at, waiter] of this.#waiting) {
      if (at > index) continue
      this.#waiting.delete(at)
      waiter.reject(
        new OfflineError(
          `the state was replaced by a snapshot at ${index}; the outcome of index ${at} is unknown`,
          {
            details: { index: at, outcome: 'unknown' },
          },
        ),
      )
    }
  }

  #remember(index: number, term: number, outcome: ApplyOutcome): void {
    this.#recent.set(index, { term, outcome })
    if (this.#recent.size > RECENT_OUTCOMES) {
      const oldest = this.#recent.keys().next()
      if (!oldest.done) this.#recent.delete(oldest.value)
    }
  }

  failAll(err: Error): void {
    this.#recent.clear()
    for (const waiter of this.#waiting.values()) waiter.reject(err)
    this.#waiting.clear()
  }
}

interface Queued {
  readonly payload: Uint8Array
  readonly deadline: number
  readonly resolve: (assigned: readonly [number, number]) => void
  readonly reject: (err: unknown) => void
  settled: boolean
  /** The peer that last answered it is not the leader (so the deadline error is NotLeader). */
  refusedBy: string | null
}

/** What the forwarder needs from its group. */
export interface ForwarderHost {
  /** The bond to the current leader, if a leader other than this node is known and bonded. */
  leaderBond(): Bond | undefined
  readonly calls: Calls
  readonly forwardTimeoutMs: number
}

export class Forwarder {
  readonly #host: ForwarderHost
  #queue: Queued[] = []
  /** Batches sent and not yet answered, by the leader they went to. */
  readonly #inflight = new Set<{ readonly peer: string; readonly cancel: (err: unknown) => void }>()
  #scheduled = false
  #closed: Error | null = null

  constructor(host: ForwarderHost) {
    this.#host = host
  }

  /** Commands queued or in flight. */
  get size(): number {
    return this.#queue.length
  }

  /** Forwards one encoded command; resolves with the (index, term) the leader gave it. */
  submit(payload: Uint8Array, deadline: number): Promise<readonly [number, number]> {
    if (this.#closed) return Promise.reject(this.#closed)
    return new Promise((resolve, reject) => {
      this.#queue.push({ payload, deadline, resolve, reject, settled: false, refusedBy: null })
      this.flush()
    })
  }

  /** Sends what is queued once this turn's proposals are in (call on leader changes too). */
  flush(): void {
    if (this.#scheduled || this.#queue.length === 0) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#send()
    })
  }

  /** Fails queued commands whose deadline passed while no leader was reachable (call on every tick). */
  expire(now: number): void {
    const kept: Queued[] = []
    for (const item of this.#queue) {
      if (now < item.deadline) kept.push(item)
      else if (item.refusedBy !== null) {
        const message = `${item.refusedBy} is not the leader and no other leader was reachable before the deadline`
        this.#settle(item, new NotLeaderError(message, { details: { peer: item.refusedBy } }))
      } else {
        this.#settle(
          item,
          new OfflineError('no leader was reachable before the deadline; the command was not sent'),
        )
      }
    }
    this.#queue = kept
  }

  close(err: Error): void {
    this.#closed = err
    for (const item of this.#queue) this.#settle(item, err)
    this.#queue = []
  }

  #send(): void {
    const bond = this.#host.leaderBond()
    if (bond === undefined || this.#closed) return
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_FORWARD_BATCH)
      void this.#forward(bond, batch)
    }
  }

  /** The leader changed: batches still waiting on `peer` (no longer the leader) fail at once. */
  leaderChanged(previous: string): void {
    for (const inflight of this.#inflight) {
      if (inflight.peer === previous) inflight.cancel(new ClosedError(`${previous} is no longer the leader`))
    }
  }

  async #forward(bond: Bond, batch: Queued[]): Promise<void> {
    const cancelled = Promise.withResolvers<never>()
    const inflight = { peer: bond.peer, cancel: cancelled.reject }
    this.#inflight.add(inflight)
    try {
      const call = this.#host.calls.call(
        bond,
        (id) => ({ t: 'f', id, commands: batch.map((item) => item.payload) }),
        this.#host.forwardTimeoutMs,
      )
      call.catch(() => {})
      const answer = await Promise.race([call, cancelled.promise])
      if (answer.t === 'fe') {
        // The peer is no longer the leader: queue again, they go to the next leader.
        const waiting = batch.filter((item) => !item.settled)
        for (const item of waiting) item.refusedBy = bond.peer
        this.#queue.unshift(...waiting)
        return
      }
      if (answer.t !== 'fa' || answer.assigned.length !== batch.length) throw new Error('malformed answer')
      batch.forEach((item, i) => {
        const assigned = answer.assigned[i] as readonly [number, number]
        if (assigned[0] > 0) this.#settle(item, null, assigned)
        else
          this.#settle(
            item,
            new OfflineError('the leader refused the command (it is overloaded or stepping down)'),
          )
      })
    } catch (err) {
      // The leader may have appended the batch before the bond failed: the outcome is unknown, so
      // the commands are not sent again (that could apply them twice).
      const error =
        err instanceof TimeoutError
          ? new TimeoutError(
              'the leader did not acknowledge the forwarded command in time; it may still commit',
              {
                details: { outcome: 'unknown' },
              },
            )
          : new OfflineError('the connection to the leader failed; the command may still commit', {
              cause: err,
              details: { outcome: 'unknown' },
            })
      for (const item of batch) this.#settle(item, error)
    } finally {
      this.#inflight.delete(inflight)
    }
  }

  #settle(item: Queued, err: unknown, assigned?: readonly [number, number]): void {
    if (item.settled) return
    item.settled = true
    if (assigned !== undefined) item.resolve(assigned)
    else item.reject(err)
  }
}
