/**
 * What a leader knows about one follower, and the flow control of replication to it:
 * - `probe`: the leader does not know where the follower's log matches; one append at a time;
 * - `replicate`: the follower is in sync; appends are pipelined, bounded by in-flight messages
 *   and bytes;
 * - `snapshot`: the follower is installing a snapshot; nothing is sent but heartbeats.
 */
import type { PeerId, PeerProgress } from './types.ts'

/** A bounded window of append messages in flight, freed by acknowledgements. */
class Inflights {
  #lastIndex: number[] = []
  #bytes: number[] = []
  #head = 0
  #totalBytes = 0

  get count(): number {
    return this.#lastIndex.length - this.#head
  }

  get bytes(): number {
    return this.#totalBytes
  }

  add(lastIndex: number, bytes: number): void {
    this.#lastIndex.push(lastIndex)
    this.#bytes.push(bytes)
    this.#totalBytes += bytes
  }

  /** Frees every message whose last entry is at or below `index`. */
  freeTo(index: number): void {
    while (this.#head < this.#lastIndex.length && (this.#lastIndex[this.#head] as number) <= index) {
      this.#totalBytes -= this.#bytes[this.#head] as number
      this.#head++
    }
    if (this.#head > 64 && this.#head * 2 > this.#lastIndex.length) {
      this.#lastIndex = this.#lastIndex.slice(this.#head)
      this.#bytes = this.#bytes.slice(this.#head)
      this.#head = 0
    }
  }

  reset(): void {
    this.#lastIndex = []
    this.#bytes = []
    this.#head = 0
    this.#totalBytes = 0
  }
}

export class Progress {
  readonly id: PeerId
  match = 0
  next: number
  state: PeerProgress['state'] = 'probe'
  /** In probe state: an append is outstanding; wait for its answer or a heartbeat answer. */
  probeSent = false
  /** In snapshot state: the snapshot index the follower was asked to install. */
  pendingSnapshot = 0
  /** Tick at which the snapshot request was sent (to retry if it never completes). */
  snapshotSentAt = 0
  recentActive = false
  /** The highest heartbeat round this follower echoed (ReadIndex and lease confirmation). */
  ackedRound = 0
  /** Tick of the last acknowledgement that moved replication forward. */
  lastAckAt = 0
  /** The highest commit index sent to this follower. */
  sentCommit = 0
  readonly inflight = new Inflights()

  constructor(id: PeerId, next: number) {
    this.id = id
    this.next = next
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1)
      this.pendingSnapshot = 0
    } else {
      this.next = this.match + 1
    }
    this.state = 'probe'
    this.probeSent = false
    this.inflight.reset()
  }

  becomeReplicate(): void {
    this.state = 'replicate'
    this.next = this.match + 1
    this.inflight.reset()
  }

  becomeSnapshot(index: number, now: number): void {
    this.state = 'snapshot'
    this.pendingSnapshot = index
    this.snapshotSentAt = now
    this.inflight.reset()
  }

  /** An acknowledgement up to `index`; returns whether it moved the match index. */
  maybeUpdate(index: number): boolean {
    this.probeSent = false
    if (index <= this.match) return false
    this.match = index
    this.next = Math.max(this.next, index + 1)
    this.inflight.freeTo(index)
    return true
  }

  /**
   * A rejection of the append after `rejected`; `probeFrom` is where the leader wants to probe
   * next. Returns false for a stale rejection that must be ignored.
   */
  maybeDecrTo(rejected: number, probeFrom: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, probeFrom + 1), this.match + 1, 1)
    this.probeSent = false
    return true
  }

  /** No more appends now: waiting for a probe answer, a full window, or a snapshot install. */
  isPaused(maxInflightMsgs: number, maxInflightBytes: number): boolean {
    if (this.state === 'probe') return this.probeSent
    if (this.state === 'snapshot') return true
    return (
      this.inflight.count >= maxInflightMsgs ||
      (maxInflightBytes > 0 && this.inflight.bytes >= maxInflightBytes)
    )
  }

  /** Records an append carrying entries up to `lastIndex` (`bytes` of them). */
  sent(lastIndex: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (bytes > 0) {
        this.next = lastIndex + 1
        this.inflight.add(lastIndex, bytes)
      }
    } else {
      this.probeSent = true
    }
  }

  snapshotOf(voter: boolean): PeerProgress {
    return {
      id: this.id,
      voter,
      match: this.match,
      next: this.next,
      state: this.state,
      recentActive: this.recentActive,
    }
  }
}
