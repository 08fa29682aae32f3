/**
 * Snapshot transfer in batches.
 *
 * A snapshot is a list of `count` items in canonical order (per kind: Map `key, value` by key,
 * Set keys, Vec values by index, Cell/Once zero or one value, PriorityQueue `priority, key, value`
 * by priority then key). A batch is the msgpack array
 *
 *     [SNAPSHOT_FORMAT, kind, version, count, offset, fields]
 *
 * where `fields` lays the batch's items out flat, `width` elements per item (Map 2, PriorityQueue
 * 3, others 1: no per-item array to encode or decode), so a batch says which snapshot it belongs
 * to and where its items go. Items are stored values, already
 * canonical, so every replica holding the same state produces the same bytes for the same
 * `(offset, limit)`: a joiner may fetch disjoint ranges from several peers in parallel and feed the
 * batches to a `SnapshotAssembler` in any order.
 */
import type { Version } from '../../codegen/collections.ts'
import type { CollectionKind } from '../../codegen/descriptors.ts'
import { decode, encode } from '../../primitives/codec.ts'
import { InvalidInputError, isMosaikError, ProtocolError } from '../../primitives/errors.ts'
import { BTree } from './btree.ts'

/** Version of the batch layout; a batch with another value is refused. */
export const SNAPSHOT_FORMAT = 1

/** What a provider offers: enough for a joiner to plan its batch requests. */
export interface SnapshotInfo {
  readonly kind: CollectionKind
  readonly version: Version
  /** Number of items in the snapshot. */
  readonly count: number
}

/** A byte range request: `limit` items from `offset`. */
export interface SnapshotRange {
  readonly offset: number
  readonly limit: number
}

/**
 * The items of one state by position. Creating it is O(1) (it holds a persistent copy of the
 * state); the first `fields()` materialises the canonical order, O(n), and later calls reuse it.
 */
export interface SnapshotItems {
  readonly count: number
  /** Array elements per item. */
  readonly width: number
  /** The fields of items `[offset, end)`, flat. */
  fields(offset: number, end: number): unknown[]
}

/** A snapshot taken at one version, served in batches. */
export class SnapshotSource implements SnapshotInfo {
  readonly kind: CollectionKind
  readonly version: Version
  readonly count: number
  readonly #items: SnapshotItems

  constructor(kind: CollectionKind, version: Version, items: SnapshotItems) {
    this.kind = kind
    this.version = version
    this.count = items.count
    this.#items = items
  }

  /** Canonical bytes of the items in `[offset, offset + limit)` (clamped to the end). */
  batch(offset: number, limit: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.count) {
      throw new InvalidInputError(`snapshot offset ${offset} is outside [0, ${this.count}]`)
    }
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new InvalidInputError(`snapshot batch limit must be a positive integer, got ${limit}`)
    }
    const fields = this.#items.fields(offset, Math.min(this.count, offset + limit))
    return encode([SNAPSHOT_FORMAT, this.kind, this.version, this.count, offset, fields])
  }

  /** Every batch of at most `limit` items, in order (at least one batch, even when empty). */
  *batches(limit: number): Generator<Uint8Array> {
    let offset = 0
    do {
      yield this.batch(offset, limit)
      offset += limit
    } while (offset < this.count)
  }
}

/** Turns one batch's flat fields into a validated chunk; throws a MosaikError on bad items. */
export type ChunkParser<Chunk> = (fields: unknown[]) => Chunk

/**
 * Collects the batches of one snapshot, arriving in any order and from any peers. Each batch is
 * decoded and checked (format, kind, version, count, bounds, items) on arrival; a batch that
 * overlaps another differently is a protocol error, an exact duplicate is ignored.
 */
export class SnapshotAssembler<Chunk> {
  readonly info: SnapshotInfo
  readonly #width: number
  readonly #parse: ChunkParser<Chunk>
  /** Received chunks by offset, with their item counts. */
  readonly #chunks = new BTree<number, { readonly length: number; readonly chunk: Chunk }>()
  #received = 0

  constructor(info: SnapshotInfo, width: number, parse: ChunkParser<Chunk>) {
    if (!Number.isSafeInteger(info.count) || info.count < 0) {
      throw new InvalidInputError(`snapshot item count must be a non-negative integer, got ${info.count}`)
    }
    this.info = info
    this.#width = width
    this.#parse = parse
  }

  /** Items received so far. */
  get received(): number {
    return this.#received
  }

  /** True once every item of the snapshot arrived. */
  get complete(): boolean {
    return this.#received === this.info.count
  }

  /**
   * Adds one batch. Returns false for an exact duplicate of a range already held. Throws
   * DecodeError (unreadable bytes) or ProtocolError (a batch of another snapshot, out of bounds,
   * overlapping, or with invalid items); the assembler is unchanged after a throw.
   */
  accept(bytes: Uint8Array): boolean {
    const { offset, fields, length } = this.#readHeader(decode(bytes))
    const before = this.#chunks.getPairOrNextLower(offset)
    if (before !== undefined) {
      const [start, held] = before
      if (start === offset && held.length === length) return false
      if (start + held.length > offset) throw this.#overlap(offset, length)
    }
    const after = this.#chunks.nextHigherKey(offset)
    if (after !== undefined && offset + length > after) throw this.#overlap(offset, length)
    let chunk: Chunk
    try {
      chunk = this.#parse(fields)
    } catch (cause) {
      if (!isMosaikError(cause)) throw cause
      throw new ProtocolError(`snapshot batch at offset ${offset} has invalid items: ${cause.message}`, {
        cause,
        details: { offset, reason: cause.code },
      })
    }
    this.#chunks.set(offset, { length, chunk })
    this.#received += length
    return true
  }

  /** Ranges not received yet, each split into requests of at most `limit` items. */
  missing(limit: number): SnapshotRange[] {
    const out: SnapshotRange[] = []
    const gap = (from: number, to: number): void => {
      for (let offset = from; offset < to; offset += limit)
        out.push({ offset, limit: Math.min(limit, to - offset) })
    }
    let next = 0
    this.#chunks.forEachPair((offset, held) => {
      gap(next, offset)
      next = offset + held.length
    })
    gap(next, this.info.count)
    return out
  }

  /** The chunks in item order; throws if the snapshot is incomplete. */
  chunks(): Chunk[] {
    if (!this.complete) {
      throw new InvalidInputError(
        `snapshot incomplete: ${this.#received} of ${this.info.count} items received`,
      )
    }
    return this.#chunks.valuesArray().map((held) => held.chunk)
  }

  #readHeader(message: unknown): { offset: number; fields: unknown[]; length: number } {
    const { kind, version, count } = this.info
    if (!Array.isArray(message) || message.length !== 6)
      throw new ProtocolError('a snapshot batch is a 6-element array')
    const [format, batchKind, batchVersion, batchCount, offset, fields] = message as unknown[]
    if (format !== SNAPSHOT_FORMAT) throw new ProtocolError(`unknown snapshot batch format ${String(format)}`)
    if (batchKind !== kind || batchVersion !== version || batchCount !== count) {
      throw new ProtocolError(
        `batch of snapshot (${String(batchKind)}, version ${String(batchVersion)}, ${String(batchCount)} items) does not belong to (${kind}, version ${version}, ${count} items)`,
      )
    }
    if (
      typeof offset !== 'number' ||
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      !Array.isArray(fields) ||
      fields.length % this.#width !== 0
    ) {
      throw new ProtocolError('snapshot batch offset or fields malformed')
    }
    const length = fields.length / this.#width
    if (offset + length > count || (length === 0 && count > 0)) {
      throw new ProtocolError(`snapshot batch [${offset}, +${length}) is outside [0, ${count})`)
    }
    return { offset, fields, length }
  }

  #overlap(offset: number, length: number): ProtocolError {
    return new ProtocolError(`snapshot batch [${offset}, +${length}) overlaps a batch already received`)
  }
}
