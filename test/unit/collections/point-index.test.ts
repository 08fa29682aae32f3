// The hash index behind point reads of Map, Set and PriorityQueue views: it must answer exactly
// like a plain Map of the same entries, and a view must answer for its own version whether the
// index is built before, after or never, and however the state moved on since.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareKeys, type EncodedKey, encodeKey } from '../../../runtime/collections/state/keys.ts'
import { MapState, type MapStateView } from '../../../runtime/collections/state/map.ts'
import { ABSENT, PointIndex, UNKNOWN } from '../../../runtime/collections/state/point-index.ts'
import { PriorityQueueState } from '../../../runtime/collections/state/priority-queue.ts'
import { SetState } from '../../../runtime/collections/state/set.ts'

const RUNS = process.env.MOSAIK_LONG ? 2_000 : 150

/** What an index says about `key`: its value, 'absent', or 'unknown'. */
function answer<V>(index: PointIndex<V>, key: EncodedKey): V | 'absent' | 'unknown' {
  const entry = index.entryOf(key)
  if (entry === ABSENT) return 'absent'
  if (entry === UNKNOWN) return 'unknown'
  return index.valueAt(entry)
}

const encodedKey: fc.Arbitrary<EncodedKey> = fc.oneof(
  fc.integer({ min: -40, max: 40 }),
  fc.constantFrom(0.5, -1e300, 2 ** 40, Number.MAX_SAFE_INTEGER),
  fc.string({ maxLength: 3 }),
)

type IndexOp =
  | { readonly op: 'set'; readonly key: EncodedKey; readonly value: number }
  | { readonly op: 'delete'; readonly key: EncodedKey }

const indexOp: fc.Arbitrary<IndexOp> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key: encodedKey, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key: encodedKey }),
)

describe('PointIndex', () => {
  it('answers like a Map after a bulk build and any sets and deletes (through rehashes)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(encodedKey, { maxLength: 60 }),
        fc.array(indexOp, { maxLength: 400 }),
        (initial, ops) => {
          const model = new Map<EncodedKey, number>(initial.map((key, i) => [key, i]))
          const index = new PointIndex<number>(
            initial,
            initial.map((_, i) => i),
          )
          for (const op of ops) {
            if (op.op === 'set') {
              index.set(op.key, op.value)
              model.set(op.key, op.value)
            } else {
              expect(index.delete(op.key)).toBe(model.delete(op.key))
            }
            expect(index.size).toBe(model.size)
          }
          for (const key of [...initial, ...ops.map((op) => op.key), 'never', 1e9]) {
            expect(answer(index, key)).toBe(model.has(key) ? model.get(key) : 'absent')
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('holds many colliding keys, and gives up for good on a probe run longer than 1024', () => {
    const collide = () => 7
    const index = new PointIndex<number>([], [], collide)
    for (let i = 0; i < 1_000; i++) index.set(i, i)
    for (let i = 0; i < 1_000; i += 97) expect(answer(index, i)).toBe(i)
    expect(answer(index, 5_000)).toBe('absent')
    for (let i = 1_000; i < 1_100; i++) index.set(i, i)
    expect(answer(index, 3)).toBe('unknown')
    expect(answer(index, 5_000)).toBe('unknown')
    expect(index.delete(3)).toBe(false)

    const keys = Array.from({ length: 2_000 }, (_, i) => i)
    expect(answer(new PointIndex(keys, keys, collide), 1)).toBe('unknown')
  })

  it('reuses removed entries and tombstoned slots without losing keys', () => {
    const index = new PointIndex<string>()
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) index.set(`k${round}-${i}`, `v${i}`)
      for (let i = 0; i < 100; i++) if (i % 10 !== 0) expect(index.delete(`k${round}-${i}`)).toBe(true)
    }
    expect(index.size).toBe(500)
    expect(answer(index, 'k49-90')).toBe('v90')
    expect(answer(index, 'k49-91')).toBe('absent')
    expect(answer(index, 'k0-0')).toBe('v0')
  })
})

type MapOp =
  | { readonly op: 'insert'; readonly key: number | string; readonly value: number }
  | { readonly op: 'delete'; readonly key: number | string }
  | { readonly op: 'clear' }
  | { readonly op: 'read' }
  | { readonly op: 'restore' }

const mapKey = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom('a', 'b', 'c', '\u0000'))
const mapOp: fc.Arbitrary<MapOp> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('insert' as const), key: mapKey, value: fc.integer() }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), key: mapKey }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 3, arbitrary: fc.constant({ op: 'read' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restore' as const }) },
)

/** A copy of `state` through a snapshot, as a late joiner gets it. */
function restored(state: MapState<number | string, number>): MapState<number | string, number> {
  const joiner = new MapState<number | string, number>()
  const source = state.snapshot()
  const assembler = joiner.assembler(source)
  for (const batch of source.batches(3)) assembler.accept(batch)
  joiner.restore(assembler)
  return joiner
}

describe('views read through the index', () => {
  it('every view answers for its own version, whenever the index was built', () => {
    const keys = [...Array.from({ length: 13 }, (_, i) => i), 'a', 'b', 'c', '\u0000', 'zz']
    fc.assert(
      fc.property(fc.array(mapOp, { maxLength: 60 }), (ops) => {
        let state = new MapState<number | string, number>()
        const model = new Map<number | string, number>()
        const held: [MapStateView<number | string, number>, Map<number | string, number>][] = []
        for (const op of ops) {
          if (op.op === 'read') {
            // A read builds the index (once) and pins this version's view.
            const view = state.view()
            view.get(keys[held.length % keys.length] as number | string)
            held.push([view, new Map(model)])
          } else if (op.op === 'restore') {
            state = restored(state)
          } else {
            expect(state.apply(op, state.version + 1).ok).toBe(true)
            if (op.op === 'insert') model.set(op.key, op.value)
            else if (op.op === 'delete') model.delete(op.key)
            else model.clear()
          }
        }
        held.push([state.view(), model])
        for (const [view, expected] of held) {
          expect(view.size).toBe(expected.size)
          for (const key of keys) {
            expect(view.get(key)).toBe(expected.get(key))
            expect(view.has(key)).toBe(expected.has(key))
          }
          const order = [...expected.keys()].sort((a, b) => compareKeys(encodeKey(a), encodeKey(b)))
          expect([...view.keys()]).toEqual(order)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('a Set and a PriorityQueue view keep their version after later writes', () => {
    const set = new SetState<string>()
    set.apply({ op: 'extend', values: ['a', 'b', 'c'] }, 1)
    const before = set.view()
    expect(before.has('a')).toBe(true)
    set.apply({ op: 'delete', value: 'a' }, 2)
    set.apply({ op: 'add', value: 'd' }, 3)
    expect([before.has('a'), before.has('d')]).toEqual([true, false])
    expect([set.view().has('a'), set.view().has('d')]).toEqual([false, true])
    expect(set.apply({ op: 'add', value: 'd' }, 4).ok && set.view().size).toBe(3)

    const queue = new PriorityQueueState<number, string, number>()
    queue.apply({ op: 'upsert', priority: 1, key: 'x', value: 10 }, 1)
    const old = queue.view()
    expect(old.get('x')).toBe(10)
    queue.apply({ op: 'updatePriority', key: 'x', priority: 5 }, 2)
    queue.apply({ op: 'upsert', priority: 2, key: 'y', value: 20 }, 3)
    expect([old.priorityOf('x'), old.has('y')]).toEqual([1, false])
    expect([queue.view().priorityOf('x'), queue.view().get('y')]).toEqual([5, 20])
  })
})
