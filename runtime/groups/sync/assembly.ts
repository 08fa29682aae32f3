/**
 * The bytes of a snapshot arriving as ranges in any order, consumed in order: as soon as the next
 * range is there it is hashed and cut into the machine's chunks (length-prefixed frames, see
 * `runtime/snapshot-blob.ts`), which go straight to the restore session. Decoding and validating
 * the state thus overlaps the transfer, and the bytes are hashed once, without being joined.
 */
import { isMosaikError, ProtocolError } from '../../primitives/errors.ts'
import { FrameDecoder } from '../../primitives/framing.ts'
import { MAX_SNAPSHOT_CHUNK, snapshotHasher } from '../runtime/snapshot-blob.ts'
import type { RestoreSession } from '../runtime/spec.ts'

/** The in-order consumer of one snapshot's ranges (see the module comment). */
export class InOrderAssembly {
  readonly #size: number
  readonly #session: RestoreSession
  readonly #hash = snapshotHasher()
  readonly #frames = new FrameDecoder(MAX_SNAPSHOT_CHUNK)
  /** Ranges that arrived ahead of `#next`, by offset. */
  readonly #ahead = new Map<number, Uint8Array>()
  /** The ranges consumed so far, in order. */
  readonly #consumed: Uint8Array[] = []
  /** Bytes consumed so far: the offset of the next range to consume. */
  #next = 0

  constructor(size: number, session: RestoreSession) {
    this.#size = size
    this.#session = session
  }

  /**
   * Takes the range at `offset` and consumes every range now contiguous with what came before.
   * Throws ProtocolError when the bytes are not a sequence of frames or the session refuses one
   * (the snapshot cannot be trusted then; the assembly must be dropped).
   */
  add(offset: number, bytes: Uint8Array): void {
    if (offset < this.#next || offset + bytes.length > this.#size || this.#ahead.has(offset)) {
      throw new ProtocolError(`snapshot range [${offset}, +${bytes.length}) was not asked for`)
    }
    this.#ahead.set(offset, bytes)
    for (let range = this.#ahead.get(this.#next); range !== undefined; range = this.#ahead.get(this.#next)) {
      this.#ahead.delete(this.#next)
      this.#consume(range)
    }
  }

  /**
   * Ends the assembly: every byte arrived, the last frame is complete and the bytes match `digest`.
   * Returns the ranges in order. Throws ProtocolError otherwise.
   */
  finish(digest: string, index: number): Uint8Array[] {
    if (this.#next !== this.#size)
      throw new ProtocolError(`snapshot ${index} incomplete: ${this.#next} of ${this.#size} bytes`)
    try {
      this.#frames.end()
    } catch (cause) {
      throw new ProtocolError(`snapshot ${index} ends inside a chunk`, { cause })
    }
    if (this.#hash.digest() !== digest)
      throw new ProtocolError(`snapshot ${index} assembled from peers does not match its digest`)
    return this.#consumed
  }

  #consume(range: Uint8Array): void {
    this.#next += range.length
    this.#consumed.push(range)
    this.#hash.update(range)
    let chunks: Uint8Array[]
    try {
      chunks = this.#frames.push(range)
      for (const chunk of chunks) this.#session.add(chunk)
    } catch (cause) {
      if (!isMosaikError(cause)) throw cause
      throw new ProtocolError(`snapshot chunk refused: ${cause.message}`, {
        cause,
        details: { reason: cause.code },
      })
    }
  }
}
