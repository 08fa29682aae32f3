/**
 * The bytes of a stored snapshot: the machine's chunks, each as a length-prefixed frame, one after
 * another. Peers serve byte ranges of this blob; the fetcher reassembles it, checks its digest and
 * splits it back into chunks for the machine.
 *
 * The digest is a checksum of possibly large data (it is no identifier), so it uses the native
 * SHA-256 of node:crypto, an order of magnitude faster than blake3 in JavaScript.
 */
import { createHash } from 'node:crypto'
import { DecodeError } from '../../primitives/errors.ts'
import { encodeFrame, FrameDecoder } from '../../primitives/framing.ts'

/** Largest single chunk of a snapshot. */
export const MAX_SNAPSHOT_CHUNK = 64 * 1024 * 1024

/** The chunks as one blob. */
export function joinSnapshot(chunks: readonly Uint8Array[]): Uint8Array {
  const frames = chunks.map((chunk) => encodeFrame(chunk, MAX_SNAPSHOT_CHUNK))
  return Buffer.concat(frames)
}

/** A snapshot blob in pieces (one frame each), with its digest and size. */
export interface EncodedSnapshot {
  readonly pieces: readonly Uint8Array[]
  readonly digest: string
  readonly size: number
}

/** Most time spent encoding a snapshot before the event loop gets a turn (ms). */
const SLICE_MS = 4

/**
 * `joinSnapshot` for a large state without holding the event loop: the chunks are taken one at a
 * time (a lazy iterable encodes each only when asked), framed and hashed, and the event loop gets a
 * turn every `SLICE_MS`. Resolves with null when `stopped()` is true at one of those turns.
 */
export async function encodeSnapshot(
  chunks: Iterable<Uint8Array>,
  stopped: () => boolean,
): Promise<EncodedSnapshot | null> {
  const pieces: Uint8Array[] = []
  const hash = snapshotHasher()
  let size = 0
  let slice = performance.now()
  for (const chunk of chunks) {
    const frame = encodeFrame(chunk, MAX_SNAPSHOT_CHUNK)
    pieces.push(frame)
    hash.update(frame)
    size += frame.length
    if (performance.now() - slice >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      if (stopped()) return null
      slice = performance.now()
    }
  }
  return { pieces, digest: hash.digest(), size }
}

/** The chunks of a blob; throws DecodeError for a truncated or oversized frame. */
export function splitSnapshot(blob: Uint8Array): Uint8Array[] {
  const decoder = new FrameDecoder(MAX_SNAPSHOT_CHUNK)
  try {
    const chunks = decoder.push(blob)
    decoder.end()
    return chunks
  } catch (cause) {
    throw new DecodeError('snapshot data is not a sequence of frames', { cause })
  }
}

/** The checksum of a snapshot blob, hex. */
export function snapshotDigest(blob: Uint8Array): string {
  return createHash('sha256').update(blob).digest('hex')
}

/** `snapshotDigest` of bytes that come in pieces, in order. */
export function snapshotHasher(): { update(bytes: Uint8Array): void; digest(): string } {
  const hash = createHash('sha256')
  return {
    update: (bytes) => {
      hash.update(bytes)
    },
    digest: () => hash.digest('hex'),
  }
}
