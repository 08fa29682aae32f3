/**
 * A hash index from encoded key to value: the point-lookup path of the keyed collections.
 *
 * A B+ tree lookup at 1M string keys makes about 20 comparisons, each reading a string somewhere
 * else in memory, and those cache misses bound reads to ~0.6M/s. This index finds a key in about
 * three memory reads: open addressing with linear probing over one typed array of
 * `[hash, entry + 1]` slot pairs (kept at most half full), and one array of interleaved
 * `[key, value]` entries.
 *
 * It is never iterated, so its layout is not replicated state: replicas need not agree on anything
 * here, and the hash seed is random per process, which makes colliding keys harder to prepare (not
 * impossible: the hash is fast, not cryptographic). Keys from the network are untrusted, so a probe
 * run longer than MAX_PROBES — which only colliding keys make — makes the index give up for good:
 * `entryOf` answers UNKNOWN and its owner looks in the tree instead, which stays O(log n).
 */
import type { EncodedKey } from './keys.ts'

/** `entryOf`: the key is not in the index. */
export const ABSENT = -1 as const
/** `entryOf`: the index gave up (see the module comment); ask the tree. */
export const UNKNOWN = -2 as const

/** Slot pair states besides `entry + 1`. */
const EMPTY = 0
const TOMBSTONE = -1
/** A probe run this long only comes from colliding keys; the index then gives up. */
const MAX_PROBES = 1_024
/** Smallest number of slots (a power of two). */
const MIN_SLOTS = 16

const SEED = crypto.getRandomValues(new Uint32Array(1))[0] as number
const FLOAT = new Float64Array(1)
const WORDS = new Int32Array(FLOAT.buffer)

/** Final avalanche (murmur3's fmix32). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** A seeded 32-bit hash of an encoded key (numbers by value, strings by UTF-16 code units). */
export function hashKey(key: EncodedKey): number {
  if (typeof key === 'number') {
    if ((key | 0) === key) return mix(key ^ SEED)
    FLOAT[0] = key
    return mix((WORDS[0] as number) ^ mix((WORDS[1] as number) ^ SEED))
  }
  let h = SEED ^ key.length
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x5bd1e995)
    h ^= h >>> 15
  }
  return mix(h)
}

/** What `place` did: took an EMPTY slot, reused a TOMBSTONE, or met a run of MAX_PROBES entries. */
const TOOK_EMPTY = 1
const TOOK_TOMBSTONE = 0
const RUN_TOO_LONG = -1

/** Puts `entry` in the first slot of its probe run that holds no entry (see the constants above). */
function place(slots: Int32Array, mask: number, hash: number, entry: number): number {
  let slot = hash & mask
  for (let probes = 0; (slots[2 * slot + 1] as number) > 0; probes++) {
    if (probes === MAX_PROBES) return RUN_TOO_LONG
    slot = (slot + 1) & mask
  }
  const took = slots[2 * slot + 1] === EMPTY ? TOOK_EMPTY : TOOK_TOMBSTONE
  slots[2 * slot] = hash
  slots[2 * slot + 1] = entry + 1
  return took
}

/** Slots for `count` keys: a power of two at least twice as many (at most half full). */
function slotsFor(count: number): number {
  let slots = MIN_SLOTS
  while (slots < 2 * count) slots *= 2
  return slots
}

/**
 * Point lookups by encoded key (see the module comment). `entryOf` + `valueAt` rather than `get`,
 * so a present key with an undefined value (a Set element) differs from an absent one.
 */
export class PointIndex<V> {
  /** `[hash, entry + 1 | EMPTY | TOMBSTONE]` per slot; the slot count is a power of two. */
  #slots: Int32Array
  #mask: number
  /** `[key, value]` per entry number; a removed entry's key is undefined and its number reused. */
  readonly #entries: unknown[]
  readonly #free: number[] = []
  #size = 0
  /** Slots that are not EMPTY (entries and tombstones): at most half of them. */
  #used = 0
  #gaveUp = false
  readonly #hash: (key: EncodedKey) => number

  /**
   * An index of `keys[i] → values[i]` (keys distinct, as from a tree). `hash` is `hashKey` except
   * in tests, which pass one that collides.
   */
  constructor(keys: readonly EncodedKey[] = [], values: readonly V[] = [], hash = hashKey) {
    this.#hash = hash
    const count = keys.length
    this.#slots = new Int32Array(2 * slotsFor(count))
    this.#mask = this.#slots.length / 2 - 1
    this.#entries = new Array<unknown>(2 * count)
    // Hash everything first: a loop of nothing but slot writes keeps several cache misses in
    // flight, which makes the build about 2.5 times faster than hashing and placing in turn.
    const hashes = new Int32Array(count)
    for (let i = 0; i < count; i++) {
      const key = keys[i] as EncodedKey
      hashes[i] = hash(key)
      this.#entries[2 * i] = key
      this.#entries[2 * i + 1] = values[i]
    }
    const slots = this.#slots
    const mask = this.#mask
    for (let i = 0; i < count; i++) {
      if (place(slots, mask, hashes[i] as number, i) === RUN_TOO_LONG) {
        this.#giveUp()
        return
      }
    }
    this.#size = count
    this.#used = count
  }

  /** Number of keys. */
  get size(): number {
    return this.#size
  }

  /** The entry number of `key`, ABSENT, or UNKNOWN when the index gave up. */
  entryOf(key: EncodedKey): number {
    if (this.#gaveUp) return UNKNOWN
    const slot = this.#find(key, this.#hash(key))
    return slot < 0 ? slot : (this.#slots[2 * slot + 1] as number) - 1
  }

  /** The value of an entry number from `entryOf`. */
  valueAt(entry: number): V {
    return this.#entries[2 * entry + 1] as V
  }

  /** Sets the value of `key`, adding it if new. */
  set(key: EncodedKey, value: V): void {
    if (this.#gaveUp) return
    const hash = this.#hash(key)
    const slot = this.#find(key, hash)
    if (slot >= 0) {
      this.#entries[2 * ((this.#slots[2 * slot + 1] as number) - 1) + 1] = value
      return
    }
    if (slot === UNKNOWN) return
    const entry = this.#free.pop() ?? this.#entries.length / 2
    this.#entries[2 * entry] = key
    this.#entries[2 * entry + 1] = value
    this.#size++
    const took = place(this.#slots, this.#mask, hash, entry)
    if (took === RUN_TOO_LONG) return void this.#giveUp()
    this.#used += took
    if (this.#used > (this.#mask + 1) / 2) this.#rehash()
  }

  /** Removes `key`; true if it was there. */
  delete(key: EncodedKey): boolean {
    if (this.#gaveUp) return false
    const slot = this.#find(key, this.#hash(key))
    if (slot < 0) return false
    const entry = (this.#slots[2 * slot + 1] as number) - 1
    this.#slots[2 * slot + 1] = TOMBSTONE
    this.#entries[2 * entry] = undefined
    this.#entries[2 * entry + 1] = undefined
    this.#free.push(entry)
    this.#size--
    return true
  }

  /** The slot holding `key`, ABSENT, or UNKNOWN (after giving up on a long probe run). */
  #find(key: EncodedKey, hash: number): number {
    const slots = this.#slots
    const mask = this.#mask
    let slot = hash & mask
    for (let probes = 0; probes < MAX_PROBES; probes++) {
      const ref = slots[2 * slot + 1] as number
      if (ref === EMPTY) return ABSENT
      if (ref > 0 && slots[2 * slot] === hash && this.#entries[2 * (ref - 1)] === key) return slot
      slot = (slot + 1) & mask
    }
    return this.#giveUp()
  }

  /**
   * Moves every entry to a fresh table at most a third full (drops the tombstones), so at least
   * `size / 2` more inserts or removals come before the next rehash.
   */
  #rehash(): void {
    const old = this.#slots
    const slots = new Int32Array(2 * slotsFor(1.5 * this.#size))
    const mask = slots.length / 2 - 1
    for (let i = 0; i < old.length; i += 2) {
      const ref = old[i + 1] as number
      if (ref > 0 && place(slots, mask, old[i] as number, ref - 1) === RUN_TOO_LONG) {
        this.#giveUp()
        return
      }
    }
    this.#slots = slots
    this.#mask = mask
    this.#used = this.#size
  }

  /** Stops answering for good and frees the memory; returns UNKNOWN. */
  #giveUp(): typeof UNKNOWN {
    this.#gaveUp = true
    this.#slots = new Int32Array(0)
    this.#entries.length = 0
    this.#free.length = 0
    return UNKNOWN
  }
}
