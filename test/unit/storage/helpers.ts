/** Helpers shared by the storage tests: temporary directories and a comparable view of a store. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LogStore } from '../../../runtime/groups/storage/index.ts'

/** A fresh temporary directory; `cleanup()` removes every one made. */
export function tempDirs(): { make(): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = []
  return {
    async make() {
      const dir = await mkdtemp(join(tmpdir(), 'mosaik-wal-'))
      made.push(dir)
      return dir
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
    },
  }
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** Deterministic entry data for (index, term), `size` bytes. */
export function payload(index: number, term: number, size = 16): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (index * 31 + term * 7 + i) & 0xff
  return out
}

/** Everything a caller can observe of a store, in a form `toEqual` compares. */
export async function visible(store: LogStore): Promise<unknown> {
  const first = store.firstIndex
  const last = store.lastIndex
  const snapshot = store.snapshot
  return {
    first,
    last,
    baseTerm: store.term(first - 1),
    entries: store.entries(first, last + 1).map((e) => `${e.index}/${e.term}/${hex(e.data)}`),
    hardState: { ...store.hardState },
    snapshot: snapshot && {
      index: snapshot.index,
      term: snapshot.term,
      config: hex(snapshot.config),
      size: snapshot.size,
    },
    snapshotData: hex(await store.readSnapshot()),
  }
}
