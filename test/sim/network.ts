/**
 * The simulated network between servers: per-message delay (random, so messages reorder), loss,
 * duplication, and partitions that can be one-way. A blocked link drops messages both when they
 * are sent and when they would arrive.
 */
import type { Message, PeerId } from '../../runtime/groups/raft/types.ts'
import type { EventQueue } from './events.ts'
import type { Rng } from './rng.ts'

export interface LinkFaults {
  dropRate: number
  duplicateRate: number
  minDelay: number
  maxDelay: number
}

export const CALM: LinkFaults = { dropRate: 0, duplicateRate: 0, minDelay: 0.2, maxDelay: 1 }

export class SimNetwork {
  readonly #queue: EventQueue
  readonly #rng: Rng
  readonly #deliver: (m: Message) => void
  readonly #blocked = new Set<string>()
  /** Extra delay on one directed link (a slow path). */
  readonly #slow = new Map<string, number>()
  faults: LinkFaults = CALM
  /** The chance that an append carrying entries of the sender's own term is lost (adversarial loss). */
  ownTermLoss = 0
  delivered = 0
  dropped = 0
  duplicated = 0

  constructor(queue: EventQueue, rng: Rng, deliver: (m: Message) => void) {
    this.#queue = queue
    this.#rng = rng
    this.#deliver = deliver
  }

  reachable(from: PeerId, to: PeerId): boolean {
    return !this.#blocked.has(`${from}>${to}`)
  }

  block(from: PeerId, to: PeerId): void {
    this.#blocked.add(`${from}>${to}`)
  }

  /** Cuts every link between the two sides, both ways. */
  partition(a: readonly PeerId[], b: readonly PeerId[]): void {
    for (const x of a) {
      for (const y of b) {
        this.block(x, y)
        this.block(y, x)
      }
    }
  }

  slowDown(from: PeerId, to: PeerId, extra: number): void {
    this.#slow.set(`${from}>${to}`, extra)
  }

  heal(): void {
    this.ownTermLoss = 0
    this.#blocked.clear()
    this.#slow.clear()
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) {
      const lost =
        this.ownTermLoss > 0 &&
        m.type === 'append' &&
        m.entries.some((e) => e.term === m.term) &&
        this.#rng.chance(this.ownTermLoss)
      if (lost || !this.reachable(m.from, m.to) || this.#rng.chance(this.faults.dropRate)) {
        this.dropped++
        continue
      }
      this.#schedule(m)
      if (this.#rng.chance(this.faults.duplicateRate)) {
        this.duplicated++
        this.#schedule(m)
      }
    }
  }

  #schedule(m: Message): void {
    const { minDelay, maxDelay } = this.faults
    const delay =
      minDelay + this.#rng.float() * (maxDelay - minDelay) + (this.#slow.get(`${m.from}>${m.to}`) ?? 0)
    // Each delivery gets its own copy, as a real wire would: no aliasing between sender and receiver.
    const copy = structuredClone(m)
    this.#queue.after(delay, () => {
      if (!this.reachable(copy.from, copy.to)) {
        this.dropped++
        return
      }
      this.delivered++
      this.#deliver(copy)
    })
  }
}
