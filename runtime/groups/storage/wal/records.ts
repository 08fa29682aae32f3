/**
 * The records inside a WAL frame, concatenated. Every integer is big-endian; 64-bit fields hold safe
 * integers (below 2^53). Replaying the records of all segments in order rebuilds the log:
 *
 * | type | name    | fields                                              | effect on replay                          |
 * |------|---------|-----------------------------------------------------|-------------------------------------------|
 * | 1    | header  | version u8, seq u64, lastIndex u64, lastTerm u64, commit u64 | starts a segment; states the log end at that point |
 * | 2    | entry   | index u64, term u64, crc u32 (of data), length u32, data | appends, replacing any suffix from index |
 * | 3    | compact | through u64                                          | drops entries up to through                |
 * | 4    | reset   | index u64, term u64                                  | discards the log; (index, term) is the base |
 * | 5    | commit  | commit u64                                           | sets the commit index                      |
 *
 * Entries carry their own checksum so that reads from disk long after recovery are verified too.
 */
import { crc32 } from 'node:zlib'

export const WAL_VERSION = 1
export const ENTRY_HEADER_BYTES = 25

const TYPE_HEADER = 1
const TYPE_ENTRY = 2
const TYPE_COMPACT = 3
const TYPE_RESET = 4
const TYPE_COMMIT = 5

/** Where the log ends after some prefix of the records: what a segment header states. */
export interface Frontier {
  readonly lastIndex: number
  readonly lastTerm: number
  readonly commit: number
}

export type WalRecord =
  | { type: 'header'; seq: number; frontier: Frontier }
  | { type: 'entry'; index: number; term: number; data: Uint8Array }
  | { type: 'compact'; through: number }
  | { type: 'reset'; index: number; term: number }
  | { type: 'commit'; commit: number }

/** A record read back, with its position in the payload and its encoded length. */
export type DecodedRecord = WalRecord & { offset: number; length: number }

/** A record that does not parse; the caller names the file and offset. */
export class RecordError extends Error {
  readonly offset: number
  constructor(message: string, offset: number) {
    super(message)
    this.offset = offset
  }
}

function writeU64(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / 2 ** 32), offset)
  buf.writeUInt32BE(value >>> 0, offset + 4)
}

function readU64(buf: Buffer, offset: number): number {
  const high = buf.readUInt32BE(offset)
  if (high >= 2 ** 21) throw new RecordError(`64-bit field beyond the safe integer range`, offset)
  return high * 2 ** 32 + buf.readUInt32BE(offset + 4)
}

function fixed(type: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size)
  buf.writeUInt8(type, 0)
  return buf
}

export function encodeHeader(seq: number, frontier: Frontier): Buffer {
  const buf = fixed(TYPE_HEADER, 34)
  buf.writeUInt8(WAL_VERSION, 1)
  writeU64(buf, 2, seq)
  writeU64(buf, 10, frontier.lastIndex)
  writeU64(buf, 18, frontier.lastTerm)
  writeU64(buf, 26, frontier.commit)
  return buf
}

/** An entry record; the data is copied in, so `record.subarray(ENTRY_HEADER_BYTES)` can stand for it. */
export function encodeEntry(index: number, term: number, data: Uint8Array): Buffer {
  const buf = fixed(TYPE_ENTRY, ENTRY_HEADER_BYTES + data.length)
  writeU64(buf, 1, index)
  writeU64(buf, 9, term)
  buf.writeUInt32BE(crc32(data), 17)
  buf.writeUInt32BE(data.length, 21)
  buf.set(data, ENTRY_HEADER_BYTES)
  return buf
}

export function encodeCompact(through: number): Buffer {
  const buf = fixed(TYPE_COMPACT, 9)
  writeU64(buf, 1, through)
  return buf
}

export function encodeReset(index: number, term: number): Buffer {
  const buf = fixed(TYPE_RESET, 17)
  writeU64(buf, 1, index)
  writeU64(buf, 9, term)
  return buf
}

export function encodeCommit(commit: number): Buffer {
  const buf = fixed(TYPE_COMMIT, 9)
  writeU64(buf, 1, commit)
  return buf
}

function need(buf: Buffer, offset: number, size: number): void {
  if (buf.length - offset < size)
    throw new RecordError(`record needs ${size} bytes, ${buf.length - offset} left`, offset)
}

/** Decodes the entry record at `offset`, checking its data checksum. */
export function decodeEntry(
  buf: Buffer,
  offset: number,
): { index: number; term: number; data: Uint8Array; length: number } {
  need(buf, offset, ENTRY_HEADER_BYTES)
  if (buf.readUInt8(offset) !== TYPE_ENTRY) throw new RecordError(`not an entry record`, offset)
  const size = buf.readUInt32BE(offset + 21)
  need(buf, offset, ENTRY_HEADER_BYTES + size)
  const data = buf.subarray(offset + ENTRY_HEADER_BYTES, offset + ENTRY_HEADER_BYTES + size)
  if (crc32(data) !== buf.readUInt32BE(offset + 17)) throw new RecordError('entry checksum mismatch', offset)
  return {
    index: readU64(buf, offset + 1),
    term: readU64(buf, offset + 9),
    data,
    length: ENTRY_HEADER_BYTES + size,
  }
}

function decodeOne(buf: Buffer, offset: number): WalRecord & { length: number } {
  need(buf, offset, 1)
  const type = buf.readUInt8(offset)
  switch (type) {
    case TYPE_HEADER: {
      need(buf, offset, 34)
      const version = buf.readUInt8(offset + 1)
      if (version !== WAL_VERSION) throw new RecordError(`unsupported WAL version ${version}`, offset)
      const frontier = {
        lastIndex: readU64(buf, offset + 10),
        lastTerm: readU64(buf, offset + 18),
        commit: readU64(buf, offset + 26),
      }
      return { type: 'header', seq: readU64(buf, offset + 2), frontier, length: 34 }
    }
    case TYPE_ENTRY: {
      const { index, term, data, length } = decodeEntry(buf, offset)
      return { type: 'entry', index, term, data, length }
    }
    case TYPE_COMPACT:
      need(buf, offset, 9)
      return { type: 'compact', through: readU64(buf, offset + 1), length: 9 }
    case TYPE_RESET:
      need(buf, offset, 17)
      return { type: 'reset', index: readU64(buf, offset + 1), term: readU64(buf, offset + 9), length: 17 }
    case TYPE_COMMIT:
      need(buf, offset, 9)
      return { type: 'commit', commit: readU64(buf, offset + 1), length: 9 }
    default:
      throw new RecordError(`unknown record type ${type}`, offset)
  }
}

/** Decodes every record of a frame payload; throws RecordError (offset within the payload) on malformed bytes. */
export function* decodeRecords(payload: Uint8Array): Generator<DecodedRecord> {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  let offset = 0
  while (offset < buf.length) {
    const record = decodeOne(buf, offset)
    yield { ...record, offset }
    offset += record.length
  }
}
