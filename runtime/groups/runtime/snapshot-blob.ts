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
