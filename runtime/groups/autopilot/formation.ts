/**
 * First formation of a group, before any leader exists. An empty node waits `formationDelayMs` for
 * an existing group to adopt it; if none shows up and at least `minVoters` empty, non-observer nodes
 * (itself included) are bonded and free, the one with the smallest peer id coordinates:
 *
 * 1. it sends the founding entry (its choice of up to `maxVoters` founders, itself included) to the
 *    other founders, which lock themselves to the offer and answer yes, or no if they are taken;
 * 2. once every founder said yes, it persists the founding entry itself and tells them to commit;
 *    any no, or a missing answer, aborts the offer everywhere and it tries again later.
 *
 * A founder that never hears the commit unlocks after a while; since it is listed as a voter of
 * the new group, that group's leader replicates the log to it like to any lagging member. With
 * `minVoters` 1 a lone node founds alone after the delay — the case the merge rule exists for.
 */
import { type FoundingEntry, foundingEntry, readFoundingEntry } from '../formation.ts'
import type { BondMessage, BondStatus } from '../wire/bond.ts'

/** A bonded peer as formation sees it. */
export interface FormationPeer {
  readonly peer: string
  readonly status: BondStatus
}

export interface FormationSettings {
  readonly self: string
  readonly observer: boolean
  readonly minVoters: number
  readonly maxVoters: number
  readonly formationDelayMs: number
  readonly handshakeMs: number
}

export interface FormationEffects {
  send(peer: string, message: BondMessage): boolean
  /** Persists `entry` as this node's founding state; false if the node is no longer empty. */
  found(entry: FoundingEntry): Promise<boolean>
  /** The lock state changed (the group re-announces its status). */
  lockChanged(): void
}

interface Offer {
  readonly id: number
  readonly entry: FoundingEntry
  readonly founders: readonly string[]
  readonly waiting: Set<string>
  readonly accepted: Set<string>
  readonly deadline: number
}

interface Lock {
  readonly id: number
  readonly from: string
  readonly entry: FoundingEntry
  readonly until: number
}

export class FormationAgent {
  readonly #settings: FormationSettings
  readonly #effects: FormationEffects
  #waitingSince: number
  #offer: Offer | null = null
  #lock: Lock | null = null
  #founding = false
  #nextOffer = 1

  constructor(settings: FormationSettings, effects: FormationEffects, now: number) {
    this.#settings = settings
    this.#effects = effects
    this.#waitingSince = now
  }

  /** Reserved by an offer (as founder or coordinator): takes no other offer and adopts no group. */
  get locked(): boolean {
    return this.#offer !== null || this.#lock !== null || this.#founding
  }

  /** Starts waiting again (after the node was emptied by a merge). */
  restart(now: number): void {
    this.#abortOffer()
    this.#setLock(null)
    this.#waitingSince = now
  }

  /**
   * Runs on every tick while the node is empty and adopts no group: expires locks and offers, and
   * coordinates a formation when this node should.
   */
  evaluate(now: number, peers: readonly FormationPeer[]): void {
    if (this.#lock !== null && now >= this.#lock.until) this.#setLock(null)
    if (this.#offer !== null) {
      if (now >= this.#offer.deadline) this.#abortOffer()
      return
    }
    if (this.locked || this.#settings.observer) return
    if (peers.some((p) => p.status.formation !== null)) return
    if (now - this.#waitingSince < this.#settings.formationDelayMs) return
    const free = peers.filter((p) => !p.status.observer && !p.status.locked).map((p) => p.peer)
    const candidates = [this.#settings.self, ...free].sort()
    if (candidates.length < this.#settings.minVoters || candidates[0] !== this.#settings.self) return
    const founders = candidates.slice(0, Math.max(1, this.#settings.maxVoters))
    const entry = foundingEntry(founders, this.#settings.self, now)
    const others = founders.filter((p) => p !== this.#settings.self)
    if (others.length === 0) {
      void this.#found(entry)
      return
    }
    const offer: Offer = {
      id: this.#nextOffer++,
      entry,
      founders: others,
      waiting: new Set(others),
      accepted: new Set(),
      deadline: now + this.#settings.handshakeMs,
    }
    this.#offer = offer
    this.#effects.lockChanged()
    for (const peer of others) {
      if (!this.#effects.send(peer, { t: 'fo', id: offer.id, entry: entry.data })) {
        this.#abortOffer()
        return
      }
    }
  }

  /** A founder's answer to our offer. */
  onReply(from: string, id: number, ok: boolean): void {
    const offer = this.#offer
    if (offer === null || offer.id !== id || !offer.waiting.delete(from)) return
    if (!ok) {
      this.#abortOffer()
      this.#waitingSince = Date.now() - this.#settings.formationDelayMs / 2
      return
    }
    offer.accepted.add(from)
    if (offer.waiting.size > 0) return
    this.#offer = null
    void this.#found(offer.entry).then((founded) => {
      for (const peer of offer.accepted) this.#effects.send(peer, { t: founded ? 'fc' : 'fx', id: offer.id })
    })
  }

  /**
   * A coordinator's offer. `empty` says whether this node may take it (no group, none adopted).
   * Accepts when free and the entry names both of us as founders.
   */
  onOffer(from: string, id: number, data: Uint8Array, empty: boolean, now: number): void {
    let entry: FoundingEntry | undefined
    try {
      entry = readFoundingEntry(data)
    } catch {
      entry = undefined
    }
    const voters = entry?.membership.voters ?? []
    const ok =
      entry !== undefined &&
      empty &&
      !this.locked &&
      !this.#settings.observer &&
      voters.includes(this.#settings.self) &&
      voters.includes(from)
    if (ok)
      this.#setLock({ id, from, entry: entry as FoundingEntry, until: now + 3 * this.#settings.handshakeMs })
    this.#effects.send(from, { t: 'fr', id, ok })
  }

  /** The coordinator founded the group: found it here too. */
  onCommit(from: string, id: number): void {
    const lock = this.#lock
    if (lock === null || lock.from !== from || lock.id !== id) return
    this.#lock = null
    void this.#found(lock.entry)
  }

  onAbort(from: string, id: number): void {
    const lock = this.#lock
    if (lock !== null && lock.from === from && lock.id === id) this.#setLock(null)
  }

  /** A bond ended: an offer waiting on that peer is aborted. */
  peerGone(peer: string): void {
    if (this.#offer?.waiting.has(peer)) this.#abortOffer()
  }

  async #found(entry: FoundingEntry): Promise<boolean> {
    this.#founding = true
    try {
      return await this.#effects.found(entry)
    } finally {
      this.#founding = false
      this.#effects.lockChanged()
    }
  }

  #abortOffer(): void {
    const offer = this.#offer
    if (offer === null) return
    this.#offer = null
    for (const peer of offer.founders) this.#effects.send(peer, { t: 'fx', id: offer.id })
    this.#effects.lockChanged()
  }

  #setLock(lock: Lock | null): void {
    this.#lock = lock
    this.#effects.lockChanged()
  }
}
