/**
 * The parts of `bittorrent-dht` 11 (Mainline DHT, BEP 5 + BEP 44) the runtime uses. The package
 * ships no types; this describes its documented API and the BEP 44 mutable-item shapes.
 */
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events'

  export interface DhtNodeAddress {
    host: string
    port: number
  }

  export interface DhtOptions {
    /** Routers to join through; `false` starts alone. Omitted means the public routers. */
    bootstrap?: readonly string[] | false
    /** BEP 44 signature check: required to store or accept mutable items. */
    verify?: (signature: Buffer, message: Buffer, publicKey: Buffer) => boolean
    /** Most stored values (default 1000). */
    maxValues?: number
  }

  /** A BEP 44 mutable item as returned by `get`. */
  export interface MutableItem {
    v: Buffer
    seq: number
    k: Buffer
    sig: Buffer
    salt?: Buffer
  }

  export interface PutOptions {
    /** ed25519 public key, 32 bytes. */
    k: Uint8Array
    /** The value, at most 999 bytes. */
    v: Uint8Array
    seq: number
    /** Compare-and-swap: stored only if the current `seq` equals this. */
    cas?: number
    salt?: Uint8Array
    /** Signs the BEP 44 signature data with the key of `k`. */
    sign: (data: Buffer) => Uint8Array
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions)
    readonly nodeId: Buffer
    listening: boolean
    destroyed: boolean
    listen(port?: number, address?: string, onListening?: () => void): void
    address(): { address: string; family: string; port: number }
    addNode(node: DhtNodeAddress): void
    /** Stores an item on the closest nodes; `err` only when every node refused. `n`: how many stored it. */
    put(options: PutOptions, callback?: (err: Error | null, hash: Buffer, n: number) => void): Buffer
    /** The item with the highest `seq` among the closest nodes (null if none). */
    get(
      key: Uint8Array,
      options: { salt?: Uint8Array; cache?: boolean },
      callback: (err: Error | null, item: MutableItem | null) => void,
    ): void
    toJSON(): { nodes: DhtNodeAddress[] }
    destroy(callback?: () => void): void
  }
}
