/**
 * Length-prefixed framing: each frame is a 4-byte big-endian length followed by that many bytes.
 * The decoder enforces a hard maximum frame size before buffering anything, so a peer cannot make
 * us allocate more than `maxFrameSize` plus one chunk.
 */
import { FrameTooLargeError, FrameTruncatedError, InvalidInputError } from './errors.ts'

export const FRAME_HEADER_BYTES = 4
/** Default hard limit on one frame: 4 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024

/** Prefixes `payload` with its length. */
export function encodeFrame(payload: Uint8Array, maxFrameSize = DEFAULT_MAX_FRAME_SIZE): Uint8Array {
  if (payload.length > maxFrameSize) throw new FrameTooLargeError(payload.length, maxFrameSize)
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length)
  new DataView(out.buffer).setUint32(0, payload.length, false)
  out.set(payload, FRAME_HEADER_BYTES)
  return out
}

/**
 * Incremental frame decoder. Feed chunks with `push()`, which returns the complete frames found so
 * far; call `end()` when the stream finishes to detect a truncated trailing frame. After an error the
 * decoder is poisoned: the byte stream has lost its framing and must be dropped.
 */
export class FrameDecoder {
  readonly maxFrameSize: number
  #chunks: Uint8Array[] = []
  #buffered = 0
  #failed: Error | undefined

  constructor(maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {
    if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0 || maxFrameSize > 0xffffffff) {
      throw new InvalidInputError(`maxFrameSize must be an integer in [0, 2^32), got ${maxFrameSize}`)
    }
    this.maxFrameSize = maxFrameSize
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.#buffered
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw this.#failed
    if (chunk.length > 0) {
      this.#chunks.push(chunk)
      this.#buffered += chunk.length
    }
    const frames: Uint8Array[] = []
    while (this.#buffered >= FRAME_HEADER_BYTES) {
      const header = this.#peek(FRAME_HEADER_BYTES)
      const size = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES).getUint32(0, false)
      if (size > this.maxFrameSize) {
        this.#failed = new FrameTooLargeError(size, this.maxFrameSize)
        this.#chunks = []
        this.#buffered = 0
        throw this.#failed
      }
      if (this.#buffered < FRAME_HEADER_BYTES + size) break
      this.#take(FRAME_HEADER_BYTES)
      frames.push(this.#take(size))
    }
    return frames
  }

  /** Signals end of stream; throws FrameTruncatedError if a partial frame is buffered. */
  end(): void {
    if (this.#failed) throw this.#failed
    if (this.#buffered > 0) {
      this.#failed = new FrameTruncatedError(this.#buffered)
      throw this.#failed
    }
  }

  #peek(n: number): Uint8Array {
    const first = this.#chunks[0] as Uint8Array
    if (first.length >= n) return first.subarray(0, n)
    return this.#gather(n, false)
  }

  #take(n: number): Uint8Array {
    const first = this.#chunks[0]
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n)
      if (first.length === n) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(n)
      this.#buffered -= n
      return out
    }
    return this.#gather(n, true)
  }

  /** Copies `n` bytes spanning several chunks, consuming them when `consume` is set. */
  #gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n)
    let offset = 0
    let index = 0
    while (offset < n) {
      const chunk = this.#chunks[index] as Uint8Array
      const count = Math.min(chunk.length, n - offset)
      out.set(chunk.subarray(0, count), offset)
      offset += count
      if (consume) {
        if (count === chunk.length) this.#chunks.shift()
        else this.#chunks[0] = chunk.subarray(count)
      } else {
        index++
      }
    }
    if (consume) this.#buffered -= n
    return out
  }
}
