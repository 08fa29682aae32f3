/**
 * Snapshot transfer in batches.
 *
 * A snapshot is a list of `count` items in canonical order (per kind: Map `[key, value]` by key,
 * Set keys, Vec values by index, Cell/Once zero or one value, PriorityQueue `[priority, key, value]`
 * by priority then key). A batch is the msgpack array
 *
 *     [SNAPSHOT_FORMAT, kind, version, count, offset, items]
 *
 * so it says which snapshot it belongs to and where its items go. Items are stored values, already
 * canonical, so every replica holding the same state produces the same bytes for the same
 * `(offset, limit)`: a joiner may fetch disjoint ranges from several peers in parallel and feed the
 * batches to a `SnapshotAssembler` in any order.
 */
import type { Version } from '../../codegen/collections.ts'
import { decode, encode } from '../../primitives/codec.ts'
import { InvalidInputError, isMosaikError, ProtocolError } from '../../primitives/errors.ts'
import { BTree } from './btree.ts'
import type { CollectionKind } from './kinds.ts'

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
 * state); the first `slice()` materialises the canonical order, O(n), and later slices reuse it.
 */
export interface SnapshotItems {
  readonly count: number
  slice(offset: number, end: number): unknown[]
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
    const items = this.#items.slice(offset, Math.min(this.count, offset + limit))
    return encode([SNAPSHOT_FORMAT, this.kind, this.version, this.count, offset, items])
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

/** Turns one batch's raw items into a validated chunk; throws a MosaikError on bad items. */
export type ChunkParser<Chunk> = (items: unknown[]) => Chunk

/**
 * Collects the batches of one snapshot, arriving in any order and from any peers. Each batch is
 * decoded and checked (format, kind, version, count, bounds, items) on arrival; a batch that
 * overlaps another differently is a protocol error, an exact duplicate is ignored.
 */
export class SnapshotAssembler<Chunk> {
  readonly info: SnapshotInfo
  readonly #parse: ChunkParser<Chunk>
  /** Received chunks by offset, with their item counts. */
  readonly #chunks = new BTree<number, { readonly length: number; readonly chunk: Chunk }>()
  #received = 0

  constructor(info: SnapshotInfo, parse: ChunkParser<Chunk>) {
    if (!Number.isSafeInteger(info.count) || info.count < 0) {
      throw new InvalidInputError(`snapshot item count must be a non-negative integer, got ${info.count}`)
    }
    this.info = info
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
    const { offset, items } = this.#readHeader(decode(bytes))
    const before = this.#chunks.getPairOrNextLower(offset)
    if (before !== undefined) {
      const [start, held] = before
      if (start === offset && held.length === items.length) return false
      if (start + held.length > offset) throw this.#overlap(offset, items.length)
    }
    const after = this.#chunks.nextHigherKey(offset)
    if (after !== undefined && offset + items.length > after) throw this.#overlap(offset, items.length)
    let chunk: Chunk
    try {
      chunk = this.#parse(items)
    } catch (cause) {
      if (!isMosaikError(cause)) throw cause
      throw new ProtocolError(`snapshot batch at offset ${offset} has invalid items: ${cause.message}`, {
        cause,
        details: { offset, reason: cause.code },
      })
    }
    this.#chunks.set(offset, { length: items.length, chunk })
    this.#received += items.length
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

  #readHeader(message: unknown): { offset: number; items: unknown[] } {
    const { kind, version, count } = this.info
    if (!Array.isArray(message) || message.length !== 6)
      throw new ProtocolError('a snapshot batch is a 6-element array')
    const [format, batchKind, batchVersion, batchCount, offset, items] = message as unknown[]
    if (format !== SNAPSHOT_FORMAT) throw new ProtocolError(`unknown snapshot batch format ${String(format)}`)
    if (batchKind !== kind || batchVersion !== version || batchCount !== count) {
      throw new ProtocolError(
        `batch of snapshot (${String(batchKind)}, version ${String(batchVersion)}, ${String(batchCount)} items) does not belong to (${kind}, version ${version}, ${count} items)`,
      )
    }
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || !Array.isArray(items)) {
      throw new ProtocolError('snapshot batch offset or items malformed')
    }
    if (offset + items.length > count || (items.length === 0 && count > 0)) {
      throw new ProtocolError(`snapshot batch [${offset}, +${items.length}) is outside [0, ${count})`)
    }
    return { offset, items }
  }

  #overlap(offset: number, length: number): ProtocolError {
    return new ProtocolError(`snapshot batch [${offset}, +${length}) overlaps a batch already received`)
  }
}
