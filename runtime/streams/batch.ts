/**
 * Data frames: many small datums in one link frame, so the receiver pays the per-frame costs
 * (framing, a wake-up) once per batch instead of once per datum.
 *
 * ```
 * 0xC1 | seq: u64 BE | count: u32 BE | count × (length: u32 BE | datum msgpack bytes)
 * ```
 *
 * 0xC1 is the one byte msgpack never uses, so a data frame can never be mistaken for a control
 * message (control messages are msgpack maps). `seq` numbers the first datum of the batch among
 * all datums the producer offered this subscription, so the consumer sees exactly how many were
 * dropped on the way (a gap) even though it never received them. Datums stay individually encoded:
 * one malformed datum is rejected on its own, and every datum's size is known for byte credits and
 * stats.
 */
import { ProtocolError } from '../primitives/errors.ts'

export const BATCH_MARKER = 0xc1
const HEADER_BYTES = 13
const LENGTH_BYTES = 4
const U32 = 2 ** 32

/** True when `frame` is a data frame (and not a control message). */
export function isBatch(frame: Uint8Array): boolean {
  return frame[0] === BATCH_MARKER
}

/** Frame size of `count` datums totalling `payloadBytes`. */
export function batchSize(count: number, payloadBytes: number): number {
  return HEADER_BYTES + count * LENGTH_BYTES + payloadBytes
}

/**
 * Encodes `datums` (already msgpack) as one data frame whose first datum has number `seq`. The
 * frame comes from Node's buffer pool when small and is not zero-filled: every byte is written.
 */
export function encodeBatch(seq: number, datums: readonly Uint8Array[], payloadBytes: number): Uint8Array {
  const frame = Buffer.allocUnsafe(batchSize(datums.length, payloadBytes))
  frame[0] = BATCH_MARKER
  frame.writeUInt32BE(Math.floor(seq / U32), 1)
  frame.writeUInt32BE(seq >>> 0, 5)
  frame.writeUInt32BE(datums.length, 9)
  let offset = HEADER_BYTES
  for (const datum of datums) {
    frame.writeUInt32BE(datum.length, offset)
    frame.set(datum, offset + LENGTH_BYTES)
    offset += LENGTH_BYTES + datum.length
  }
  return frame
}

/**
 * A decoded data frame. Datum `i` is `frame[starts[i], ends[i])`; no per-datum views are made, so a
 * compiled decoder can read the datums straight out of the frame.
 */
export interface Batch {
  readonly seq: number
  readonly frame: Uint8Array
  readonly starts: number[]
  readonly ends: number[]
  /** Sum of the datums' sizes. */
  readonly payloadBytes: number
}

/** Decodes an untrusted data frame; any inconsistency is a `ProtocolError`. */
export function decodeBatch(frame: Uint8Array, maxDatums: number): Batch {
  if (frame.length < HEADER_BYTES || frame[0] !== BATCH_MARKER) {
    throw new ProtocolError(`data frame of ${frame.length} bytes is too short`)
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const seq = view.getUint32(1, false) * U32 + view.getUint32(5, false)
  const count = view.getUint32(9, false)
  if (!Number.isSafeInteger(seq + count)) throw new ProtocolError('data frame sequence number out of range')
  if (count === 0 || count > maxDatums) {
    throw new ProtocolError(`data frame holds ${count} datums (1–${maxDatums} allowed)`)
  }
  const starts: number[] = new Array(count)
  const ends: number[] = new Array(count)
  let offset = HEADER_BYTES
  for (let i = 0; i < count; i++) {
    if (offset + LENGTH_BYTES > frame.length) throw new ProtocolError('data frame truncated in a length')
    const length = view.getUint32(offset, false)
    offset += LENGTH_BYTES
    if (length === 0 || offset + length > frame.length) {
      throw new ProtocolError(`data frame datum ${i} has a bad length ${length}`)
    }
    starts[i] = offset
    offset += length
    ends[i] = offset
  }
  if (offset !== frame.length)
    throw new ProtocolError(`data frame has ${frame.length - offset} trailing bytes`)
  return { seq, frame, starts, ends, payloadBytes: offset - HEADER_BYTES - count * LENGTH_BYTES }
}
