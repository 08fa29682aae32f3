/**
 * Checksummed frames, the unit of every WAL file: `magic u32 ‖ length u32 ‖ crc u32 ‖ payload`, all
 * big-endian, where crc is CRC-32 (zlib) over the four length bytes followed by the payload. The WAL
 * writes exactly one frame per flush and fsyncs it, so a crash can only ever tear the last frame of
 * the last segment; the magic lets recovery tell such a torn tail from damage in the middle (a valid
 * frame found after a bad one means the bad one is not the tail).
 */
import { crc32 } from 'node:zlib'

/** "MKW1". */
export const FRAME_MAGIC = 0x4d4b5731
export const FRAME_HEADER_BYTES = 12
/** Hard limit on a frame read from disk (the writer stays far below it). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024

const MAGIC_BYTES = Buffer.from([0x4d, 0x4b, 0x57, 0x31])

/** The 12-byte header for a frame whose payload is `parts` concatenated. */
export function frameHeader(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  header.writeUInt32BE(FRAME_MAGIC, 0)
  header.writeUInt32BE(length, 4)
  let crc = crc32(header.subarray(4, 8))
  for (const part of parts) crc = crc32(part, crc)
  header.writeUInt32BE(crc, 8)
  return header
}

/** A whole frame as one buffer (for small files). */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  return Buffer.concat([frameHeader([payload]), payload])
}

export type FrameRead =
  | { ok: true; payload: Uint8Array; payloadOffset: number; end: number }
  | { ok: false; reason: string }

/** Reads the frame starting at `offset` of `buf`, checking magic, bounds and checksum. */
export function readFrame(buf: Buffer, offset: number): FrameRead {
  if (buf.length - offset < FRAME_HEADER_BYTES) {
    return { ok: false, reason: `${buf.length - offset} bytes left, less than a frame header` }
  }
  const magic = buf.readUInt32BE(offset)
  if (magic !== FRAME_MAGIC) return { ok: false, reason: `bad magic 0x${magic.toString(16)}` }
  const length = buf.readUInt32BE(offset + 4)
  if (length > MAX_FRAME_BYTES)
    return { ok: false, reason: `frame length ${length} exceeds ${MAX_FRAME_BYTES}` }
  const payloadOffset = offset + FRAME_HEADER_BYTES
  const end = payloadOffset + length
  if (end > buf.length) return { ok: false, reason: `frame of ${length} bytes runs past the end of the file` }
  const payload = buf.subarray(payloadOffset, end)
  const crc = crc32(payload, crc32(buf.subarray(offset + 4, offset + 8)))
  if (crc !== buf.readUInt32BE(offset + 8)) return { ok: false, reason: 'checksum mismatch' }
  return { ok: true, payload, payloadOffset, end }
}

/** Offset of the first valid frame that starts after `from`, or -1: used to tell a torn tail from mid-file damage. */
export function findValidFrame(buf: Buffer, from: number): number {
  let candidate = buf.indexOf(MAGIC_BYTES, from)
  while (candidate !== -1) {
    if (readFrame(buf, candidate).ok) return candidate
    candidate = buf.indexOf(MAGIC_BYTES, candidate + 1)
  }
  return -1
}
