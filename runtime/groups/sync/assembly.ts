/**
 * The bytes of a snapshot arriving as ranges in any order, consumed in order: once the next range
 * is there it is hashed and cut into the machine's chunks (length-prefixed frames, see
 * `runtime/snapshot-blob.ts`), which go straight to the restore session. Decoding and validating
 * the state thus overlaps the transfer, and the bytes are hashed once, without being joined.
 *
 * Consuming is deferred to the check phase of the event loop, one range per turn: the link hands
 * the muxer's flow-control credit back at the end of the turn that delivered the bytes (see
 * `Link`), so deferring lets the credit reach the peers first and they keep sending while this
 * node decodes; and the socket is read between two ranges.
 */
import { isMosaikError, ProtocolError } from '../../primitives/errors.ts'
import { FrameDecoder } from '../../primitives/framing.ts'
import { MAX_SNAPSHOT_CHUNK, snapshotHasher } from '../runtime/snapshot-blob.ts'
import type { RestoreSession } from '../runtime/spec.ts'

/** The in-order consumer of one snapshot's ranges (see the module comment). */
export class InOrderAssembly {
  readonly #size: number
  readonly #session: RestoreSession
  readonly #failed: (error: Error) => void
  readonly #hash = snapshotHasher()
  readonly #frames = new FrameDecoder(MAX_SNAPSHOT_CHUNK)
  /** Ranges received and not consumed yet, by offset. */
  readonly #ahead = new Map<number, Uint8Array>()
  /** Bytes received so far (consumed or not). */
  #received = 0
  /** The ranges consumed so far, in order. */
  readonly #consumed: Uint8Array[] = []
  /** Bytes consumed so far: the offset of the next range to consume. */
  #next = 0
  #scheduled = false
  #failure: Error | undefined
  /** Resolves once every byte is consumed; rejects with the failure. */
  readonly #done = Promise.withResolvers<void>()

  /** `failed` hears of a range the session refused, at once (the fetch can stop). */
  constructor(size: number, session: RestoreSession, failed: (error: Error) => void) {
    this.#size = size
    this.#session = session
    this.#failed = failed
    this.#done.promise.catch(() => undefined)
    if (size === 0) this.#done.resolve()
  }

  /**
   * Takes the range at `offset`; it is consumed in a later turn, after the ranges before it.
   * Throws ProtocolError for a range that was not asked for (outside the snapshot, or twice).
   */
  add(offset: number, bytes: Uint8Array): void {
    if (offset < this.#next || offset + bytes.length > this.#size || this.#ahead.has(offset)) {
      throw new ProtocolError(`snapshot range [${offset}, +${bytes.length}) was not asked for`)
    }
    this.#ahead.set(offset, bytes)
    this.#received += bytes.length
    this.#schedule()
  }

  /**
   * Waits until every byte is consumed, then checks that the last frame is complete and the bytes
   * match `digest`. Returns the ranges in order. Throws ProtocolError otherwise.
   */
  async finish(digest: string, index: number): Promise<Uint8Array[]> {
    if (this.#received !== this.#size)
      throw new ProtocolError(`snapshot ${index} incomplete: ${this.#received} of ${this.#size} bytes`)
    await this.#done.promise
    try {
      this.#frames.end()
    } catch (cause) {
      throw new ProtocolError(`snapshot ${index} ends inside a chunk`, { cause })
    }
    if (this.#hash.digest() !== digest)
      throw new ProtocolError(`snapshot ${index} assembled from peers does not match its digest`)
    return this.#consumed
  }

  #schedule(): void {
    if (this.#scheduled || this.#failure !== undefined || !this.#ahead.has(this.#next)) return
    this.#scheduled = true
    setImmediate(this.#consumeNext)
  }

  readonly #consumeNext = (): void => {
    this.#scheduled = false
    const range = this.#ahead.get(this.#next)
    if (range === undefined || this.#failure !== undefined) return
    this.#ahead.delete(this.#next)
    try {
      this.#consume(range)
    } catch (error) {
      this.#failure = error as Error
      this.#ahead.clear()
      this.#done.reject(error)
      this.#failed(error as Error)
      return
    }
    if (this.#next === this.#size) this.#done.resolve()
    else this.#schedule()
  }

  #consume(range: Uint8Array): void {
    this.#next += range.length
    this.#consumed.push(range)
    this.#hash.update(range)
    try {
      for (const chunk of this.#frames.push(range)) this.#session.add(chunk)
    } catch (cause) {
      if (!isMosaikError(cause)) throw cause
      throw new ProtocolError(`snapshot chunk refused: ${cause.message}`, {
        cause,
        details: { reason: cause.code },
      })
    }
  }
}
