/** Normalises the accepted snapshot data shapes into one async stream of chunks. */
import { InvalidInputError } from '../../primitives/errors.ts'
import type { SnapshotData } from './types.ts'

/** Yields the chunks of `data` (a single Uint8Array is one chunk); rejects anything that is not bytes. */
export async function* chunksOf(data: SnapshotData): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) {
    yield data
    return
  }
  for await (const chunk of data) {
    if (!(chunk instanceof Uint8Array))
      throw new InvalidInputError('snapshot data chunks must be Uint8Arrays')
    yield chunk
  }
}

/** Collects all chunks into one array. */
export async function collectSnapshot(data: SnapshotData): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data
  const chunks: Uint8Array[] = []
  for await (const chunk of chunksOf(data)) chunks.push(chunk)
  return Buffer.concat(chunks)
}
