/**
 * Discovery events and a minimal synchronous emitter for them.
 */
import type { PeerId } from '../network/identity.ts'
import type { PeerEntry } from './entry.ts'

export type DiscoveryEvent =
  /** A peer entered the catalog. */
  | { type: 'discovered'; entry: PeerEntry }
  /** A known peer published a newer entry. */
  | { type: 'updated'; entry: PeerEntry; previous: PeerEntry }
  /** A peer left the catalog: it said goodbye (`departed`) or went silent for `purgeAfter` (`purged`). */
  | { type: 'departed'; peerId: PeerId; entry: PeerEntry; reason: 'departed' | 'purged' }

export type Listener<T> = (event: T) => void

/** Calls listeners synchronously, in subscription order; a throwing listener does not stop the others. */
export class Emitter<T> {
  readonly #listeners = new Set<Listener<T>>()
  readonly #onError: (err: unknown) => void

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: Listener<T>): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(event: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event)
      } catch (err) {
        this.#onError(err)
      }
    }
  }

  clear(): void {
    this.#listeners.clear()
  }
}
