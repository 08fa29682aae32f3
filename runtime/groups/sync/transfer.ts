/**
 * The chunk schedule of one snapshot fetch: the snapshot's bytes in ranges of `chunkBytes`,
 * requested lowest first from the peers that hold it, at most `depth` requests in flight per peer
 * (a pipeline, so a peer is never idle waiting for the next request), each new request going to the
 * least busy peer. A peer that fails, times out, no longer holds the snapshot or answers with a
 * chunk of the wrong size is dropped; its ranges go back to the front of the queue for the others.
 * A chunk the consumer refuses ends the whole transfer (the bytes cannot be trusted).
 */
import { OfflineError } from '../../primitives/errors.ts'
import type { BondMessage } from '../wire/bond.ts'
import type { SnapshotProvider, SyncProblem } from './snapshot-sync.ts'

/** What one transfer fetches, from whom, and where the bytes go. */
export interface TransferPlan {
  /** Bytes of the snapshot. */
  readonly size: number
  readonly chunkBytes: number
  /** Requests in flight per peer. */
  readonly depth: number
  readonly providers: readonly SnapshotProvider[]
  /** Asks `provider` for `length` bytes at `offset`. */
  request(provider: SnapshotProvider, offset: number, length: number): Promise<BondMessage>
  /** Takes the bytes at `offset` (any order); throws to end the transfer. */
  accept(offset: number, bytes: Uint8Array): void
  /** A peer was dropped. */
  dropped?(peer: string, why: SyncProblem): void
}

/** One run of the schedule described in the module comment. */
export class ChunkTransfer {
  readonly #plan: TransferPlan
  /** Chunks not requested yet (or given back by a dropped peer), ascending. */
  readonly #queue: number[]
  readonly #healthy: Set<SnapshotProvider>
  readonly #inFlight = new Map<SnapshotProvider, number>()
  readonly #served = new Set<string>()
  #running = 0
  #fatal: { readonly error: unknown } | undefined
  #wake: (() => void) | undefined
  #done = false

  constructor(plan: TransferPlan) {
    this.#plan = plan
    this.#queue = Array.from({ length: Math.ceil(plan.size / plan.chunkBytes) }, (_, i) => i)
    this.#healthy = new Set(plan.providers)
  }

  /**
   * Fetches every chunk; resolves with the number of peers that served some. Rejects with
   * OfflineError when every peer was dropped first, or with what `accept` threw.
   */
  async run(): Promise<number> {
    try {
      for (;;) {
        if (this.#fatal !== undefined) throw this.#fatal.error
        this.#dispatch()
        if (this.#running === 0) break
        await new Promise<void>((resolve) => {
          this.#wake = resolve
        })
      }
    } finally {
      this.#done = true
    }
    if (this.#queue.length > 0)
      throw new OfflineError('every peer serving the snapshot failed before it was complete')
    return this.#served.size
  }

  /** Ends the transfer with `error` (the bytes cannot be used): `run` rejects with it. */
  abort(error: Error): void {
    if (this.#done || this.#fatal !== undefined) return
    this.#fatal = { error }
    this.#wake?.()
  }

  /** A peer that holds the snapshot too (it bonded during the transfer): it takes ranges from now on. */
  add(provider: SnapshotProvider): void {
    if (this.#done) return
    for (const known of this.#healthy) if (known.peer === provider.peer) return
    this.#healthy.add(provider)
    this.#wake?.()
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const provider = this.#leastBusy()
      if (provider === undefined) return
      this.#start(provider, this.#queue.shift() as number)
    }
  }

  /** The healthy provider with the fewest requests in flight, if one has room. */
  #leastBusy(): SnapshotProvider | undefined {
    let best: SnapshotProvider | undefined
    let load = this.#plan.depth
    for (const provider of this.#healthy) {
      const busy = this.#inFlight.get(provider) ?? 0
      if (busy < load) {
        best = provider
        load = busy
      }
    }
    return best
  }

  #start(provider: SnapshotProvider, chunk: number): void {
    const { chunkBytes, size } = this.#plan
    const offset = chunk * chunkBytes
    const length = Math.min(chunkBytes, size - offset)
    this.#running++
    this.#inFlight.set(provider, (this.#inFlight.get(provider) ?? 0) + 1)
    this.#plan
      .request(provider, offset, length)
      .then(
        (answer) => this.#answered(provider, chunk, offset, length, answer),
        () => this.#drop(provider, chunk, 'snapshot-peer-lost'),
      )
      .finally(() => {
        this.#running--
        this.#inFlight.set(provider, (this.#inFlight.get(provider) ?? 1) - 1)
        this.#wake?.()
      })
  }

  #answered(
    provider: SnapshotProvider,
    chunk: number,
    offset: number,
    length: number,
    answer: BondMessage,
  ): void {
    if (this.#fatal !== undefined) return
    if (answer.t !== 'sC' || answer.data.length !== length) {
      this.#drop(provider, chunk, answer.t === 'sC' ? 'snapshot-malformed' : 'snapshot-peer-lost')
      return
    }
    try {
      this.#plan.accept(offset, answer.data)
    } catch (error) {
      this.#fatal = { error }
      return
    }
    this.#served.add(provider.peer)
  }

  /** Drops `provider` (once) and gives `chunk` back to the queue, in order. */
  #drop(provider: SnapshotProvider, chunk: number, why: SyncProblem): void {
    if (this.#healthy.delete(provider)) this.#plan.dropped?.(provider.peer, why)
    if (this.#fatal !== undefined) return
    let at = 0
    while (at < this.#queue.length && (this.#queue[at] as number) < chunk) at++
    this.#queue.splice(at, 0, chunk)
  }
}
