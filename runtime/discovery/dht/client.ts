/**
 * A promise-based Mainline DHT node (bittorrent-dht) that reads and writes slot records.
 *
 * Traps handled here: bittorrent-dht is IPv4-only; omitting `bootstrap` joins the public routers,
 * so it is passed explicitly unless the public DHT is wanted; `get` bypasses the local cache (a
 * node that stores a slot itself would otherwise read its own stale copy).
 */
import { createHash } from 'node:crypto'
import DHT from 'bittorrent-dht'
import { ConfigError } from '../../primitives/errors.ts'
import { decodeSlotRecord, encodeSlotRecord, type SlotKey, type SlotRecord, verifyBep44 } from './slots.ts'

/** One slot as read: its record (if any well-formed one) and its BEP 44 sequence number. */
export interface SlotState {
  readonly index: number
  readonly record: SlotRecord | undefined
  /** The stored `seq`, or undefined for an empty slot. */
  readonly seq: number | undefined
}

export interface DhtClientOptions {
  /** `'public'` (the Mainline routers) or `host:port` routers of a private DHT. */
  bootstrap: 'public' | readonly string[]
  /** IPv4 address to bind (default 0.0.0.0). */
  host?: string
  /** How long to wait for the DHT to be ready before polling anyway (ms). */
  readyTimeout?: number
}

export class DhtClient {
  readonly #dht: DHT
  #closed = false

  private constructor(dht: DHT) {
    this.#dht = dht
  }

  /** Starts a DHT node and resolves when it has joined (or after `readyTimeout`). */
  static async start(options: DhtClientOptions): Promise<DhtClient> {
    const host = options.host ?? '0.0.0.0'
    if (host.includes(':')) throw new ConfigError('the Mainline DHT is IPv4-only; bind it to an IPv4 address')
    const dht = new DHT(
      options.bootstrap === 'public'
        ? { verify: verifyBep44 }
        : { verify: verifyBep44, bootstrap: [...options.bootstrap] },
    )
    // A DHT error (e.g. a port in use) must not crash the process; it is reported by polls failing.
    dht.on('error', () => {})
    dht.on('warning', () => {})
    const client = new DhtClient(dht)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.readyTimeout ?? 5_000)
      dht.once('ready', () => {
        clearTimeout(timer)
        resolve()
      })
      dht.listen(0, host)
    })
    return client
  }

  /** `host:port` this DHT node listens on. */
  get address(): string {
    const { address, port } = this.#dht.address()
    return `${address}:${port}`
  }

  /** Reads one slot from the closest DHT nodes. */
  read(slot: SlotKey): Promise<SlotState> {
    return new Promise((resolve) => {
      if (this.#closed) {
        resolve({ index: slot.index, record: undefined, seq: undefined })
        return
      }
      this.#dht.get(slotTarget(slot), { cache: false }, (err, item) => {
        if (err || !item) resolve({ index: slot.index, record: undefined, seq: undefined })
        else resolve({ index: slot.index, record: decodeSlotRecord(item.v), seq: item.seq })
      })
    })
  }

  /**
   * Writes `record` into `slot` if it still holds sequence `expected` (compare-and-swap; undefined
   * for an empty slot). Resolves true when at least one DHT node stored it.
   */
  write(slot: SlotKey, record: SlotRecord, expected: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#closed) {
        resolve(false)
        return
      }
      const options = {
        k: slot.publicKey,
        v: encodeSlotRecord(record),
        seq: (expected ?? 0) + 1,
        sign: (data: Buffer) => Buffer.from(slot.sign(data)),
      }
      this.#dht.put(
        expected === undefined ? options : { ...options, cas: expected },
        (err, _hash, stored) => {
          resolve(!err && stored > 0)
        },
      )
    })
  }

  /** Leaves the DHT and releases its socket and timers. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    return new Promise((resolve) => this.#dht.destroy(() => resolve()))
  }
}

/** The BEP 44 target of a slot: sha1 of its public key (no salt). */
function slotTarget(slot: SlotKey): Buffer {
  return createHash('sha1').update(slot.publicKey).digest()
}
