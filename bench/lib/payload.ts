/**
 * The benchmark datum shared by every pub/sub benchmark (peers and mosaik alike): a msgpack map
 * `{ seq, ts, kind, src, data }` of exactly 100 bytes once seq ≥ 65536 (96–98 below), as in
 * shared/reference/peer-baselines.md. `ts` is the sender's `wallNow()` for one-way latency.
 */
import { decode, encode } from '../../runtime/primitives/codec.ts'
import { DecodeError } from '../../runtime/primitives/errors.ts'
import { wallNow } from './clock.ts'

export interface BenchDatum {
  seq: number
  ts: number
  kind: string
  src: string
  data: Uint8Array
}

/** Filler size that makes the encoded datum 100 bytes for 65536 ≤ seq < 2^32. */
const FILLER_BYTES = 49
const filler = new Uint8Array(FILLER_BYTES).fill(0x2a)

/** A datum stamped with the current wall clock. */
export function makeDatum(seq: number, src = 'pub-0'): BenchDatum {
  return { seq, ts: wallNow(), kind: 'tick', src, data: filler }
}

/** Encodes a fresh datum for `seq`, stamped now. */
export function encodeDatum(seq: number, src?: string): Uint8Array {
  return encode(makeDatum(seq, src))
}

/** Decodes and checks a datum; anything else is a DecodeError. */
export function decodeDatum(bytes: Uint8Array): BenchDatum {
  const value = decode(bytes) as Partial<BenchDatum> | null
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.seq !== 'number' ||
    typeof value.ts !== 'number' ||
    typeof value.kind !== 'string' ||
    typeof value.src !== 'string' ||
    !(value.data instanceof Uint8Array)
  ) {
    throw new DecodeError('not a benchmark datum')
  }
  return value as BenchDatum
}
