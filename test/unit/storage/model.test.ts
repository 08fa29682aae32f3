/**
 * Model test: random sequences of appends (with overwrites), hard-state changes, snapshots,
 * compactions, syncs, reopens and crashes (a copy of the files right after sync()) applied to the WAL and to MemoryLogStore (the model) must leave the
 * same visible log, and both must refuse the same requests. Small segments and caches make rotation,
 * segment deletion and reads from disk happen all the time.
 */
import { cp } from 'node:fs/promises'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type LogStore,
  MemoryLogStore,
  WalLogStore,
  type WalOptions,
} from '../../../runtime/groups/storage/index.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { payload, tempDirs, visible } from './helpers.ts'

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

type Command =
  | { kind: 'append'; at: number; bumps: number[]; size: number; salt: number }
  | { kind: 'hard'; termBump: number; vote: string | null; advance: number }
  | { kind: 'snapshot'; held: boolean; pick: number; size: number; chunks: number }
  | { kind: 'compact'; pick: number }
  | { kind: 'sync' }
  | { kind: 'reopen' }
  | { kind: 'crash' }

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      at: fc.nat(),
      bumps: fc.array(fc.constantFrom(0, 0, 0, 1), { minLength: 1, maxLength: 6 }),
      size: fc.nat({ max: 40 }),
      salt: fc.nat({ max: 1000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('hard' as const),
      termBump: fc.constantFrom(0, 0, 1),
      vote: fc.constantFrom(null, 'peer-a', 'peer-b'),
      advance: fc.nat({ max: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('snapshot' as const),
      held: fc.boolean(),
      pick: fc.nat(),
      size: fc.nat({ max: 300 }),
      chunks: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'sync' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
)

/** Turns a command into a concrete operation, using the model's current state to aim mostly at valid requests. */
function operation(model: MemoryLogStore, cmd: Command): ((store: LogStore) => unknown) | 'reopen' | 'crash' {
  const first = model.firstIndex
  const last = model.lastIndex
  const snapshotIndex = model.snapshot?.index ?? 0
  switch (cmd.kind) {
    case 'append': {
      const start = first + (cmd.at % (last - first + 3))
      let term = Math.max(model.term(start - 1) ?? 0, model.hardState.term)
      const entries = cmd.bumps.map((bump, i) => {
        term += bump
        return { index: start + i, term, data: payload(start + i + cmd.salt, term, cmd.size) }
      })
      return (store) => store.append(entries)
    }
    case 'hard': {
      const { term, commit } = model.hardState
      const state = {
        term: term + cmd.termBump,
        vote: cmd.vote,
        commit: Math.min(commit + cmd.advance, last),
      }
      return (store) => store.setHardState(state)
    }
    case 'snapshot': {
      const low = Math.max(snapshotIndex, first - 1)
      const index = cmd.held
        ? low + (cmd.pick % (last - low + 1))
        : Math.max(snapshotIndex, model.hardState.commit) + 1 + (cmd.pick % 4)
      const term = cmd.held
        ? (model.term(index) as number)
        : Math.max(model.term(index) ?? 0, model.hardState.term) + 1
      const data = payload(index, term, cmd.size)
      const step = Math.ceil(cmd.size / cmd.chunks) || 1
      const chunks = Array.from({ length: cmd.chunks }, (_, i) => data.subarray(i * step, (i + 1) * step))
      const meta = { index, term, config: payload(term, index, 8) }
      return (store) => store.saveSnapshot(meta, chunks)
    }
    case 'compact': {
      const through = first - 1 + (cmd.pick % (Math.max(0, snapshotIndex - first + 1) + 2))
      return (store) => store.compact(through)
    }
    case 'sync':
      return (store) => store.sync()
    case 'reopen':
    case 'crash':
      return cmd.kind
  }
}

/** Runs `op`, returning the error code it failed with (undefined on success). */
async function outcome(op: (store: LogStore) => unknown, store: LogStore): Promise<string | undefined> {
  try {
    await op(store)
    return undefined
  } catch (err) {
    if (!isMosaikError(err)) throw err
    return err.code
  }
}

describe('WalLogStore against the in-memory model', () => {
  it('shows the same log after random appends, overwrites, snapshots, compactions and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          segmentBytes: fc.constantFrom(128, 512, 4096),
          cacheBytes: fc.constantFrom(0, 100, 1 << 20),
        }),
        fc.array(command, { minLength: 1, maxLength: 60 }),
        async (sizes, commands) => {
          let options: WalOptions = { dir: await dirs.make(), ...sizes, fsync: false }
          const model = new MemoryLogStore()
          let wal = await WalLogStore.open(options)
          try {
            for (const cmd of commands) {
              const op = operation(model, cmd)
              if (op === 'reopen') {
                await wal.close()
                wal = await WalLogStore.open(options)
              } else if (op === 'crash') {
                // What is on disk once sync() resolved, without the flush close() does: a copy of it.
                await wal.sync()
                const copy = await dirs.make()
                await cp(options.dir, copy, { recursive: true })
                await wal.close()
                options = { ...options, dir: copy }
                wal = await WalLogStore.open(options)
              } else {
                expect(await outcome(op, wal), `${cmd.kind}`).toBe(await outcome(op, model))
              }
              expect(await visible(wal)).toEqual(await visible(model))
            }
            await wal.close()
            wal = await WalLogStore.open(options)
            expect(await visible(wal)).toEqual(await visible(model))
          } finally {
            await wal.close()
            await model.close()
          }
        },
      ),
      { numRuns: process.env.MOSAIK_LONG ? 3000 : 150 },
    )
  })
})
