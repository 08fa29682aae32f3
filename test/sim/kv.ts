/**
 * The simulator's state machine: a tiny key-value register store with put and compare-and-swap.
 * Deterministic: the same commands in the same order give the same state on every replica.
 */

export type KvCommand =
  | { op: 'put'; key: string; value: string }
  | { op: 'cas'; key: string; expect: string | null; value: string }

/** A frozen copy of the store's contents at one log index. */
export type KvSnapshot = ReadonlyMap<string, string>

const utf8 = new TextEncoder()
const text = new TextDecoder()

export function encodeCommand(cmd: KvCommand): Uint8Array {
  return utf8.encode(JSON.stringify(cmd))
}

export function decodeCommand(bytes: Uint8Array): KvCommand {
  return JSON.parse(text.decode(bytes)) as KvCommand
}

export class KvStore {
  #data: Map<string, string>

  constructor(from: KvSnapshot = new Map()) {
    this.#data = new Map(from)
  }

  /** Applies a command; returns whether it took effect (a put always does, a cas if it matched). */
  apply(cmd: KvCommand): boolean {
    if (cmd.op === 'cas' && (this.#data.get(cmd.key) ?? null) !== cmd.expect) return false
    this.#data.set(cmd.key, cmd.value)
    return true
  }

  get(key: string): string | null {
    return this.#data.get(key) ?? null
  }

  snapshot(): KvSnapshot {
    return new Map(this.#data)
  }

  /** A canonical text of the contents, equal on replicas in the same state. */
  digest(): string {
    return JSON.stringify([...this.#data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  }
}
