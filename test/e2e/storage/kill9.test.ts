/**
 * A real crash: a child process appends to a WAL from many concurrent writers, printing each write
 * only after the store said it is durable; the parent SIGKILLs it at a random moment (mid-fsync,
 * mid-rotation, mid-compaction…), reopens the WAL and checks that every acknowledged entry, term,
 * commit and snapshot is there with the right bytes. Several rounds reuse the same directory, so
 * each round also recovers what the previous crash left.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { WalLogStore } from '../../../runtime/groups/storage/index.ts'
import { scaled } from '../../../runtime/primitives/time.ts'
import { waitFor } from '../../../runtime/primitives/watch.ts'
import { seededRandom } from '../../../runtime/testing/random.ts'
import { entryData, parseAck, snapshotData } from './workload.ts'

const CHILD = join(import.meta.dirname, 'wal-writer.child.ts')
const ROUNDS = process.env.MOSAIK_LONG ? 20 : 4

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

interface Acked {
  entries: Map<number, number>
  term: number
  commit: number
  snapshot: number
}

/** Runs the child until it has acknowledged `killAfter` entries plus a random delay, then SIGKILLs it. */
async function crashRound(dir: string, killAfter: number, delayMs: number, acked: Acked): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=mosaik-source', CHILD, dir, '64'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  )
  let seen = 0
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const drained = new Promise<void>((resolve) => lines.once('close', resolve))
  const reached = waitFor<void>({ timeout: scaled(30_000) }, (resolve, reject) => {
    lines.on('line', (line) => {
      const ack = parseAck(line)
      if (ack === undefined) return
      if (ack.kind === 'entry') {
        acked.entries.set(ack.index, ack.term)
        if (++seen === killAfter) resolve()
      } else if (ack.kind === 'term') acked.term = Math.max(acked.term, ack.term)
      else if (ack.kind === 'commit') acked.commit = Math.max(acked.commit, ack.commit)
      else acked.snapshot = Math.max(acked.snapshot, ack.index)
    })
    void exited.then(() => reject(new Error(`child exited early: ${stderr}`)))
    return () => {}
  })
  try {
    await reached
    await delay(delayMs)
  } finally {
    child.kill('SIGKILL')
  }
  expect(await exited).toBe('SIGKILL')
  // Lines already in the pipe were printed before the kill, so they count as acknowledged too.
  await drained
}

async function verify(dir: string, acked: Acked): Promise<void> {
  const store = await WalLogStore.open({ dir })
  try {
    const snapshotIndex = store.snapshot?.index ?? 0
    for (const [index, term] of acked.entries) {
      if (index < store.firstIndex) {
        expect(index, `entry ${index} compacted without a snapshot`).toBeLessThanOrEqual(snapshotIndex)
        continue
      }
      expect(store.term(index), `term of entry ${index}`).toBe(term)
      const [entry] = store.entries(index, index + 1)
      expect(
        Buffer.from(entry?.data ?? []).equals(Buffer.from(entryData(index, term))),
        `data of entry ${index}`,
      ).toBe(true)
    }
    expect(store.hardState.term).toBeGreaterThanOrEqual(acked.term)
    expect(store.hardState.commit).toBeGreaterThanOrEqual(acked.commit)
    expect(snapshotIndex).toBeGreaterThanOrEqual(acked.snapshot)
    if (store.snapshot !== null) {
      expect(Buffer.from(await store.readSnapshot()).equals(Buffer.from(snapshotData(snapshotIndex)))).toBe(
        true,
      )
    }
  } finally {
    await store.close()
  }
}

describe('WAL under kill -9', () => {
  it(`loses no acknowledged write across ${ROUNDS} crashes at random moments`, async () => {
    const seed = Number(process.env.MOSAIK_KILL_SEED ?? Date.now() % 2 ** 31)
    const next = seededRandom(seed)
    const dir = await mkdtemp(join(tmpdir(), 'mosaik-kill9-'))
    made.push(dir)
    const acked: Acked = { entries: new Map(), term: 0, commit: 0, snapshot: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = 600 + Math.floor(next() * 2000)
      const delayMs = Math.floor(next() * 15)
      try {
        await crashRound(dir, killAfter, delayMs, acked)
        await verify(dir, acked)
      } catch (err) {
        throw new Error(`round ${round} (replay with MOSAIK_KILL_SEED=${seed}): ${(err as Error).message}`, {
          cause: err,
        })
      }
    }
    // The rounds did exercise terms, commits, snapshots and compaction, not only appends.
    expect(acked.term).toBeGreaterThan(1)
    expect(acked.snapshot).toBeGreaterThan(0)
  })
})
