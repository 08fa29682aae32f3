/**
 * An established bond: the link to one peer of the same group, after both proved the group secret.
 * It reads messages in batches and hands each (validated) to the group, keeps liveness stamps for
 * the group's heartbeat and autopilot, and closes exactly once.
 */
import type { Link } from '../../network/link.ts'
import { isMosaikError } from '../../primitives/errors.ts'
import { type BondMessage, type BondStatus, decodeBondMessage, encodeBondMessage } from '../wire/bond.ts'

/** Why a bond ended (for logs and metrics). */
export type BondEnd = 'closed' | 'failed' | 'timeout' | 'duplicate' | 'left' | 'not-allowed' | 'malformed'

/** What a bond reports to its group. */
export interface BondHandlers {
  message(bond: Bond, message: BondMessage): void
  /** A message could not be decoded (it was dropped). */
  malformed(bond: Bond, error: unknown): void
  ended(bond: Bond, why: BondEnd): void
}

/** Messages taken from the link per wake-up. */
const READ_BATCH = 512
/** Malformed messages tolerated before the bond is dropped. */
const MAX_MALFORMED = 16

export class Bond {
  readonly peer: string
  readonly link: Link
  /** Peer id of the side that opened the link (decides which of two duplicate bonds survives). */
  readonly initiator: string
  /** When the bond was established (ms). */
  readonly since: number
  /** The peer's latest status. */
  status: BondStatus
  lastReceived: number
  lastSent: number
  readonly #handlers: BondHandlers
  #malformed = 0
  #ended: BondEnd | null = null

  constructor(link: Link, initiator: string, status: BondStatus, handlers: BondHandlers) {
    this.peer = link.peer
    this.link = link
    this.initiator = initiator
    this.status = status
    this.#handlers = handlers
    this.since = Date.now()
    this.lastReceived = this.since
    this.lastSent = this.since
  }

  /** True until the bond ended. */
  get open(): boolean {
    return this.#ended === null
  }

  /** Starts reading; the bond reports its end through `handlers.ended`. */
  start(): void {
    void this.#read()
  }

  /** Queues a message; false if the bond has ended. */
  send(message: BondMessage): boolean {
    if (this.#ended !== null) return false
    this.lastSent = Date.now()
    this.link.send(encodeBondMessage(message)).catch(() => this.end('failed'))
    return true
  }

  /** Ends the bond: graceful (flushes queued messages) unless it already failed. Idempotent. */
  end(why: BondEnd): void {
    if (this.#ended !== null) return
    this.#ended = why
    if (why === 'failed' || why === 'timeout' || why === 'malformed') this.link.abort()
    else void this.link.close().catch(() => {})
    this.#handlers.ended(this, why)
  }

  async #read(): Promise<void> {
    try {
      while (this.#ended === null) {
        const batch = await this.link.receiveMany(READ_BATCH)
        if (batch.length === 0) break
        this.lastReceived = Date.now()
        for (const raw of batch) {
          if (this.#ended !== null) return
          this.#dispatch(raw)
        }
      }
      this.end('closed')
    } catch (err) {
      this.end(isMosaikError(err, 'ERR_CLOSED') ? 'closed' : 'failed')
    }
  }

  #dispatch(raw: unknown): void {
    let message: BondMessage
    try {
      message = decodeBondMessage(raw)
    } catch (err) {
      this.#handlers.malformed(this, err)
      if (++this.#malformed > MAX_MALFORMED) this.end('malformed')
      return
    }
    this.#handlers.message(this, message)
  }
}
