// Snapshot transfer: canonical batches, parallel out-of-order reassembly from several peers, and
// refusal of every kind of bad batch.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileValidator } from '../../../runtime/codegen/validator.ts'
import { CellState } from '../../../runtime/collections/state/cell.ts'
import { MapState } from '../../../runtime/collections/state/map.ts'
import { OnceState } from '../../../runtime/collections/state/once.ts'
import { PriorityQueueState } from '../../../runtime/collections/state/priority-queue.ts'
import { SetState } from '../../../runtime/collections/state/set.ts'
import { SNAPSHOT_FORMAT } from '../../../runtime/collections/state/snapshot.ts'
import { VecState } from '../../../runtime/collections/state/vec.ts'
import { encode } from '../../../runtime/primitives/codec.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { type AnyState, Log, snapshotHex } from './harness.ts'

/** One populated log per kind: [name, fresh state factory, commands]. */
const kinds: [string, () => AnyState, object[]][] = [
  [
    'map',
    () => new MapState(),
    [
      ...Array.from({ length: 40 }, (_, i) => ({
        op: 'insert',
        key: i % 3 ? i : `k${i}`,
        value: { n: i, tags: ['x'] },
      })),
      { op: 'insert', key: { composite: [1, 2] }, value: null },
      { op: 'delete', key: 3 },
    ],
  ],
  [
    'vec',
    () => new VecState(),
    Array.from({ length: 37 }, (_, i) => ({ op: i % 4 ? 'pushBack' : 'pushFront', value: i })),
  ],
  [
    'set',
    () => new SetState(),
    Array.from({ length: 33 }, (_, i) => ({ op: 'add', value: i % 2 ? i : `s${i}` })),
  ],
  ['cell', () => new CellState(), [{ op: 'set', value: { deep: [1, 2n, new Uint8Array([7])] } }]],
  ['once', () => new OnceState(), [{ op: 'set', value: 'first' }]],
  [
    'priorityQueue',
    () => new PriorityQueueState(),
    Array.from({ length: 45 }, (_, i) => ({ op: 'upsert', priority: i % 6, key: `key-${i}`, value: i })),
  ],
]

/** What a state holds, through its view: the iteration, or the single value. */
function contents(state: AnyState): unknown {
  const view = state.view()
  return Symbol.iterator in view ? [...view] : view.get()
}

function populated(make: () => AnyState, commands: object[], replicas: number): AnyState[] {
  const log = new Log(Array.from({ length: replicas }, make))
  for (const command of commands) log.ok(command)
  return log.replicas
}

describe.each(kinds)('%s snapshot', (_name, make, commands) => {
  it('round-trips byte-identically, batches fetched in parallel from three peers, any order', () => {
    const peers = populated(make, commands, 3)
    const limit = 4
    const [first] = peers as [AnyState]
    const joiner = make()
    const assembler = joiner.assembler(first.snapshot())
    const plan = assembler.missing(limit)
    expect(plan.reduce((n, range) => n + range.limit, 0)).toBe(first.size)
    const sources = peers.map((peer) => peer.snapshot())
    const batches = plan.map((range, i) =>
      (sources[i % sources.length] as (typeof sources)[0]).batch(range.offset, range.limit),
    )
    for (const batch of batches.reverse()) expect(assembler.accept(batch)).toBe(true)
    expect(assembler.complete).toBe(true)
    expect(assembler.missing(limit)).toEqual([])
    joiner.restore(assembler)
    expect(joiner.version).toBe(first.version)
    expect(snapshotHex(joiner.snapshot(), 3)).toEqual(snapshotHex(first.snapshot(), 3))
    expect(contents(joiner)).toEqual(contents(first))
  })

  it('is taken in O(1) at one version: later writes do not leak into its batches', () => {
    const [state] = populated(make, commands, 1) as [AnyState]
    const before = snapshotHex(state.snapshot(), 1000)
    const source = state.snapshot()
    for (const command of commands) state.apply(command, state.version + 1)
    state.apply({ op: 'clear' }, state.version + 1)
    expect(snapshotHex(source, 1000)).toEqual(before)
  })

  it('ignores exact duplicates and refuses batches of another snapshot or overlapping ones', () => {
    const [state] = populated(make, commands, 1) as [AnyState]
    const source = state.snapshot()
    const assembler = make().assembler(source)
    const batch = source.batch(0, 2)
    expect(assembler.accept(batch)).toBe(true)
    expect(assembler.accept(batch)).toBe(false)
    if (source.count > 2) {
      expect(() => assembler.accept(source.batch(1, 2))).toThrow(
        expect.objectContaining({ code: 'ERR_PROTOCOL' }),
      )
    }
    const other = make().assembler({ kind: source.kind, version: source.version + 1, count: source.count })
    expect(() => other.accept(batch)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
    expect(() => assembler.accept(new Uint8Array([0x96, 0x01]))).toThrow(
      expect.objectContaining({ code: 'ERR_DECODE' }),
    )
  })

  it('survives arbitrary corruption of batches: only typed errors, never a partial restore', () => {
    const [state] = populated(make, commands, 1) as [AnyState]
    const source = state.snapshot()
    const valid = [...source.batches(5)]
    fc.assert(
      fc.property(
        fc.nat(valid.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        (which, flips) => {
          const bytes = Uint8Array.from(valid[which] as Uint8Array)
          for (const [at, value] of flips) bytes[at % bytes.length] = value
          const assembler = make().assembler(source)
          try {
            assembler.accept(bytes)
          } catch (error) {
            if (!isMosaikError(error)) throw error
            expect(assembler.received).toBe(0)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('snapshot validation', () => {
  const batch = (kind: string, version: number, count: number, offset: number, items: unknown[]) =>
    encode([SNAPSHOT_FORMAT, kind, version, count, offset, items])

  it('refuses out-of-order or duplicate keys, within a batch and across batches', () => {
    const within = new MapState().assembler({ kind: 'map', version: 1, count: 2 })
    expect(() => within.accept(batch('map', 1, 2, 0, ['b', 1, 'a', 2]))).toThrow(
      expect.objectContaining({ code: 'ERR_PROTOCOL' }),
    )
    expect(() => within.accept(batch('map', 1, 2, 0, ['a', 1, 'b']))).toThrow(
      expect.objectContaining({ code: 'ERR_PROTOCOL' }),
    )
    const state = new SetState<string>()
    const across = state.assembler({ kind: 'set', version: 1, count: 2 })
    across.accept(batch('set', 1, 2, 0, ['b']))
    across.accept(batch('set', 1, 2, 1, ['a']))
    expect(() => state.restore(across)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
    expect(state.version).toBe(0)
  })

  it('refuses items that fail validation, and restores that are incomplete, of another kind or older', () => {
    const strict = new MapState<string, number>({
      validateValue: compileValidator('balances', { type: 'number' }),
    })
    const a = strict.assembler({ kind: 'map', version: 5, count: 1 })
    expect(() => a.accept(batch('map', 5, 1, 0, ['k', 'text']))).toThrow(
      expect.objectContaining({ code: 'ERR_PROTOCOL' }),
    )
    expect(() => strict.restore(a)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() => strict.assembler({ kind: 'set', version: 5, count: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
    strict.apply({ op: 'insert', key: 'x', value: 1 }, 9)
    const old = strict.assembler({ kind: 'map', version: 5, count: 0 })
    expect(() => strict.restore(old)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
  })

  it('refuses a Cell snapshot with two values and a PriorityQueue over capacity or with duplicate keys', () => {
    const cell = new CellState<number>()
    const two = cell.assembler({ kind: 'cell', version: 1, count: 2 })
    two.accept(batch('cell', 1, 2, 0, [1, 2]))
    expect(() => cell.restore(two)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))

    const bounded = new PriorityQueueState<number, string, number>({ capacity: 1 })
    const over = bounded.assembler({ kind: 'priorityQueue', version: 1, count: 2 })
    over.accept(batch('priorityQueue', 1, 2, 0, [1, 'a', 1, 2, 'b', 2]))
    expect(() => bounded.restore(over)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))

    const queue = new PriorityQueueState<number, string, number>()
    const duplicate = queue.assembler({ kind: 'priorityQueue', version: 1, count: 2 })
    duplicate.accept(batch('priorityQueue', 1, 2, 0, [1, 'a', 1, 2, 'a', 2]))
    expect(() => queue.restore(duplicate)).toThrow(expect.objectContaining({ code: 'ERR_PROTOCOL' }))
    expect(queue.view().size).toBe(0)
  })

  it('transfers an empty state as one empty batch', () => {
    const source = new MapState().snapshot()
    const batches = [...source.batches(10)]
    expect(batches).toHaveLength(1)
    const joiner = new MapState()
    const assembler = joiner.assembler(source)
    expect(assembler.complete).toBe(true)
    expect(assembler.accept(batches[0] as Uint8Array)).toBe(true)
    joiner.restore(assembler)
    expect(joiner.view().size).toBe(0)
  })
})
