/**
 * The `snapshot` file: `frame(msgpack { index, term, config }) ‖ data ‖ frame(size u64 ‖ crc u32)`.
 * The data streams in (no size known up front), hence the trailer; the whole file is replaced
 * atomically, and its data checksum is verified when the WAL opens.
 */
import { readSync } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { decode, encode } from '../../../primitives/codec.ts'
import { StorageError } from '../../../primitives/errors.ts'
import { isCount, MAX_CONFIG_BYTES } from '../rules.ts'
import { chunksOf } from '../snapshot-data.ts'
import type { SnapshotData, SnapshotInfo, SnapshotMeta } from '../types.ts'
import { replaceFile } from './durable-file.ts'
import { encodeFrame, FRAME_HEADER_BYTES, readFrame } from './frame.ts'

export const SNAPSHOT_FILE = 'snapshot'
const TRAILER_PAYLOAD_BYTES = 12
const TRAILER_BYTES = FRAME_HEADER_BYTES + TRAILER_PAYLOAD_BYTES
/** Room for the msgpack around the config blob in the metadata frame. */
const MAX_META_BYTES = MAX_CONFIG_BYTES + 256
const VERIFY_CHUNK_BYTES = 1024 * 1024

/** The file's chunks; `totals.size` holds the data size once the generator is done. */
async function* fileChunks(
  metaFrame: Uint8Array,
  data: SnapshotData,
  totals: { size: number },
): AsyncGenerator<Uint8Array> {
  yield metaFrame
  let size = 0
  let crc = 0
  for await (const chunk of chunksOf(data)) {
    size += chunk.length
    crc = crc32(chunk, crc)
    yield chunk
  }
  totals.size = size
  const trailer = Buffer.alloc(TRAILER_PAYLOAD_BYTES)
  trailer.writeUInt32BE(Math.floor(size / 2 ** 32), 0)
  trailer.writeUInt32BE(size >>> 0, 4)
  trailer.writeUInt32BE(crc, 8)
  yield encodeFrame(trailer)
}

/** Writes the snapshot file atomically and returns it opened for reading. */
export async function writeSnapshotFile(
  dir: string,
  meta: SnapshotMeta,
  data: SnapshotData,
  durable: boolean,
): Promise<SnapshotFile> {
  const path = join(dir, SNAPSHOT_FILE)
  const totals = { size: 0 }
  const metaFrame = encodeFrame(encode({ index: meta.index, term: meta.term, config: meta.config }))
  await replaceFile(path, fileChunks(metaFrame, data, totals), durable)
  const handle = await open(path, 'r')
  const info = { index: meta.index, term: meta.term, config: meta.config, size: totals.size }
  return new SnapshotFile(info, handle, metaFrame.length)
}

/** An open, verified snapshot file; reads are synchronous so closing can never race a read. */
export class SnapshotFile {
  readonly info: SnapshotInfo
  readonly #handle: FileHandle
  readonly #dataOffset: number

  constructor(info: SnapshotInfo, handle: FileHandle, dataOffset: number) {
    this.info = info
    this.#handle = handle
    this.#dataOffset = dataOffset
  }

  /** Bytes `offset..offset+length` of the data (the caller checked the range). */
  read(offset: number, length: number): Uint8Array {
    const out = Buffer.allocUnsafe(length)
    let done = 0
    while (done < length) {
      const n = readSync(this.#handle.fd, out, done, length - done, this.#dataOffset + offset + done)
      if (n === 0) throw new StorageError(`snapshot file ended early at ${offset + done}`)
      done += n
    }
    return out
  }

  close(): Promise<void> {
    return this.#handle.close()
  }
}

/** Opens and fully verifies the snapshot file of `dir`; null when there is none. */
export async function openSnapshotFile(dir: string): Promise<SnapshotFile | null> {
  const path = join(dir, SNAPSHOT_FILE)
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new StorageError(`cannot open ${path}`, { cause: err, details: { file: path } })
  }
  try {
    return await verify(path, handle)
  } catch (err) {
    await handle.close()
    throw err
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buf, 0, length, position)
  return buf.subarray(0, bytesRead)
}

async function verify(path: string, handle: FileHandle): Promise<SnapshotFile> {
  const fail = (reason: string, offset: number): StorageError =>
    new StorageError(`corrupt snapshot file ${path} at offset ${offset}: ${reason}`, {
      details: { file: path, offset },
    })
  const fileSize = (await handle.stat()).size
  const head = await readAt(handle, 0, Math.min(fileSize, FRAME_HEADER_BYTES + MAX_META_BYTES))
  const metaFrame = readFrame(head, 0)
  if (!metaFrame.ok) throw fail(metaFrame.reason, 0)
  const meta = decodeMeta(metaFrame.payload)
  if (typeof meta === 'string') throw fail(meta, FRAME_HEADER_BYTES)
  const trailerOffset = fileSize - TRAILER_BYTES
  const trailer = await readAt(handle, trailerOffset, TRAILER_BYTES)
  const trailerFrame = trailerOffset >= metaFrame.end ? readFrame(trailer, 0) : undefined
  if (
    trailerFrame === undefined ||
    !trailerFrame.ok ||
    trailerFrame.payload.length !== TRAILER_PAYLOAD_BYTES
  ) {
    throw fail(trailerFrame?.ok === false ? trailerFrame.reason : 'no trailer', Math.max(0, trailerOffset))
  }
  const payload = Buffer.from(trailerFrame.payload)
  const size = payload.readUInt32BE(0) * 2 ** 32 + payload.readUInt32BE(4)
  if (metaFrame.end + size !== trailerOffset)
    throw fail(`data size ${size} does not match the file size`, trailerOffset)
  let crc = 0
  for (let offset = 0; offset < size; offset += VERIFY_CHUNK_BYTES) {
    crc = crc32(
      await readAt(handle, metaFrame.end + offset, Math.min(VERIFY_CHUNK_BYTES, size - offset)),
      crc,
    )
  }
  if (crc !== payload.readUInt32BE(8)) throw fail('data checksum mismatch', metaFrame.end)
  return new SnapshotFile({ ...meta, size }, handle, metaFrame.end)
}

function decodeMeta(payload: Uint8Array): SnapshotMeta | string {
  let value: unknown
  try {
    value = decode(payload)
  } catch (err) {
    return (err as Error).message
  }
  const { index, term, config } = (value ?? {}) as Record<string, unknown>
  if (!isCount(index) || !isCount(term)) return 'index and term must be non-negative integers'
  if (!(config instanceof Uint8Array) || config.length > MAX_CONFIG_BYTES) return 'config must be bytes'
  return { index, term, config }
}
