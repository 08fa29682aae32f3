/**
 * Atomic, durable file replacement: write a temporary file, fdatasync it, rename it over the target
 * and fsync the directory so the rename itself survives a power cut. A reader sees either the old or
 * the new file, never a mix. (write-file-atomic neither streams its input nor fsyncs the directory,
 * and snapshots need both.)
 */
import { open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Suffix of the temporary files; leftovers from a crash are removed when a WAL opens. */
export const TEMP_SUFFIX = '.tmp'

/** fsyncs a directory, making the creation, rename or removal of its entries durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Replaces `path` with the bytes of `chunks`, atomically; with `durable`, also crash-safe against
 * power loss (data and directory synced before returning). Returns the number of bytes written.
 */
export async function replaceFile(
  path: string,
  chunks: AsyncIterable<Uint8Array>,
  durable: boolean,
): Promise<number> {
  const temp = path + TEMP_SUFFIX
  const handle = await open(temp, 'w')
  let size = 0
  try {
    for await (const chunk of chunks) {
      let written = 0
      while (written < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, written, chunk.length - written, size + written)
        written += bytesWritten
      }
      size += chunk.length
    }
    if (durable) await handle.datasync()
  } finally {
    await handle.close()
  }
  await rename(temp, path)
  if (durable) await fsyncDir(dirname(path))
  return size
}
