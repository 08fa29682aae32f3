/**
 * Leader-side confirmation of linearizable reads. Each heartbeat broadcast is a numbered round;
 * followers echo the round. A read that arrives while round r is the latest is served at the
 * commit index of its arrival once a quorum echoed a round > r (ReadIndex, Raft thesis §6.4):
 * that proves no other leader had been elected when the read arrived. Reads that arrive between
 * two broadcasts share one round (batching). The send time of the latest quorum-echoed round also
 * starts the leader's lease (openraft's rule: from when it was sent, not when the answer came).
 */
import type { PeerId } from './types.ts'

/** A batch of reads waiting for confirmation. `from` is the follower that forwarded them, or null. */
export interface PendingRead {
  requestIds: string[]
  from: PeerId | null
  index: number
  round: number
}

export class ReadQueue {
  /** Reads that arrived before the leader committed an entry of its term (commit not yet known). */
  #awaitingCommit: Omit<PendingRead, 'index' | 'round'>[] = []
  #pending: PendingRead[] = []
  /** Tick at which each unconfirmed round was broadcast. */
  #sentAt = new Map<number, number>()
  #round = 0
  #confirmed = 0
  #leaseStart: number | null = null
  /** A read is waiting for the next round; the leader should broadcast at once. */
  roundWanted = false

  get round(): number {
    return this.#round
  }

  /** The send tick of the latest round a quorum echoed, or null before any. */
  get leaseStart(): number | null {
    return this.#leaseStart
  }

  wait(requestIds: string[], from: PeerId | null): void {
    this.#awaitingCommit.push({ requestIds, from })
  }

  /** Queues reads at `index`, confirmed by the next round. */
  enqueue(requestIds: string[], from: PeerId | null, index: number): void {
    this.#pending.push({ requestIds, from, index, round: this.#round + 1 })
    this.roundWanted = true
  }

  /** The leader just committed its first entry of the term: waiting reads can be queued. */
  commitKnown(index: number): void {
    for (const read of this.#awaitingCommit) this.enqueue(read.requestIds, read.from, index)
    this.#awaitingCommit = []
  }

  /** Starts a broadcast round at tick `now`; returns its number. */
  startRound(now: number): number {
    this.#round++
    this.#sentAt.set(this.#round, now)
    this.roundWanted = false
    return this.#round
  }

  /** A quorum has echoed `round`: returns the reads it confirms and moves the lease forward. */
  confirm(round: number): PendingRead[] {
    if (round <= this.#confirmed) return []
    this.#confirmed = round
    const sent = this.#sentAt.get(round)
    if (sent !== undefined) this.#leaseStart = Math.max(this.#leaseStart ?? sent, sent)
    for (const r of [...this.#sentAt.keys()]) if (r <= round) this.#sentAt.delete(r)
    let n = 0
    while (n < this.#pending.length && (this.#pending[n] as PendingRead).round <= round) n++
    return this.#pending.splice(0, n)
  }

  /** Every read still waiting (the leader is stepping down). */
  drain(): Omit<PendingRead, 'index' | 'round'>[] {
    const out = [...this.#awaitingCommit, ...this.#pending]
    this.#awaitingCommit = []
    this.#pending = []
    return out
  }
}
