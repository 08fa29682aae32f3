/**
 * Property over real nodes: random command sequences, issued one at a time by two writers in turn,
 * leave the two writers and a reader with identical contents and versions, equal to a simple
 * in-memory model — including commands the state machine rejects (out-of-range Vec operations),
 * which fail on the caller and change nothing anywhere. (The byte-level version of this property,
 * with many more runs, is the state machines' `test/unit/collections/determinism.test.ts`.)
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { MapWriter, VecWriter } from '../../../runtime/codegen-v1.ts'
import { encodeCanonical } from '../../../runtime/primitives/codec.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { mapOf, nodes, opts, T, vecOf } from './helpers.ts'

const RUNS = process.env.MOSAIK_LONG ? 20 : 3
const hex = (value: unknown) => Buffer.from(encodeCanonical(value)).toString('hex')

type MapOp =
  | { op: 'insert'; key: number; value: number }
  | { op: 'delete'; key: number }
  | { op: 'cas'; key: number; expected: number | undefined; next: number | undefined }
  | { op: 'extend'; entries: [number, number][] }
  | { op: 'clear' }

const key = fc.integer({ min: 0, max: 9 })
const value = fc.integer({ min: 0, max: 3 })
const mapOp: fc.Arbitrary<MapOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), key, value }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('cas' as const),
      key,
      expected: fc.option(value, { nil: undefined }),
      next: fc.option(value, { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('extend' as const),
      entries: fc.array(fc.tuple(key, value), { maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
)

async function runMap(w: MapWriter<number, number>, op: MapOp, model: Map<number, number>): Promise<void> {
  switch (op.op) {
    case 'insert':
      model.set(op.key, op.value)
      await w.insert(op.key, op.value)
      return
    case 'delete':
      model.delete(op.key)
      await w.delete(op.key)
      return
    case 'cas': {
      const matches = model.get(op.key) === op.expected
      if (matches && op.next === undefined) model.delete(op.key)
      else if (matches) model.set(op.key, op.next as number)
      expect((await w.compareAndSwap(op.key, op.expected, op.next)).applied).toBe(matches)
      return
    }
    case 'extend':
      for (const [k, v] of op.entries) model.set(k, v)
      await w.extend(op.entries)
      return
    case 'clear':
      model.clear()
      await w.clear()
  }
}

type VecOp = { op: 'push'; value: number } | { op: 'insert' | 'remove' | 'pop'; index: number; value: number }

const vecOp: fc.Arbitrary<VecOp> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), value }),
  fc.record({
    op: fc.constantFrom('insert' as const, 'remove' as const, 'pop' as const),
    index: fc.integer({ min: 0, max: 6 }),
    value,
  }),
)

async function runVec(w: VecWriter<number>, op: VecOp, model: number[]): Promise<void> {
  if (op.op === 'push') {
    model.push(op.value)
    await w.pushBack(op.value)
    return
  }
  if (op.op === 'pop') {
    model.shift()
    await w.popFront()
    return
  }
  const valid = op.op === 'insert' ? op.index <= model.length : op.index < model.length
  const done = op.op === 'insert' ? w.insert(op.index, op.value) : w.remove(op.index)
  if (!valid) {
    const error = await done.catch((e: unknown) => e)
    expect(isMosaikError(error, 'ERR_COMMAND_REJECTED')).toBe(true)
    return
  }
  if (op.op === 'insert') model.splice(op.index, 0, op.value)
  else model.splice(op.index, 1)
  await done
}

describe('random command sequences over real nodes', () => {
  it('two writers in turn and a reader agree with each other and with a model', async () => {
    const [n0, n1, n2] = await nodes(3)
    let run = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(mapOp, { minLength: 5, maxLength: 25 }),
        fc.array(vecOp, { minLength: 5, maxLength: 25 }),
        async (mapOps, vecOps) => {
          run++
          const maps = mapOf<number, number>(`prop-map-${run}`)
          const vecs = vecOf<number>(`prop-vec-${run}`)
          const mw = [maps.writer(n0 as never, opts()), maps.writer(n1 as never, opts())]
          const vw = [vecs.writer(n0 as never, opts()), vecs.writer(n1 as never, opts())]
          const mr = maps.reader(n2 as never, opts())
          const vr = vecs.reader(n2 as never, opts())
          try {
            await Promise.all([...mw, ...vw].map((h) => h.when.online(T())))
            const mapModel = new Map<number, number>()
            const vecModel: number[] = []
            for (const [i, op] of mapOps.entries())
              await runMap(mw[i % 2] as MapWriter<number, number>, op, mapModel)
            for (const [i, op] of vecOps.entries()) await runVec(vw[i % 2] as VecWriter<number>, op, vecModel)
            const mapVersion = Math.max(...mw.map((h) => h.version))
            const vecVersion = Math.max(...vw.map((h) => h.version))
            await Promise.all([...mw, mr].map((h) => h.when.reaches(mapVersion, T())))
            await Promise.all([...vw, vr].map((h) => h.when.reaches(vecVersion, T())))
            const expectedMap = hex([...mapModel].sort(([a], [b]) => a - b))
            for (const h of [...mw, mr]) expect(hex([...h])).toBe(expectedMap)
            for (const h of [...vw, vr]) expect(hex([...h])).toBe(hex(vecModel))
            // the views are at the same version: the last command's index
            const views = await Promise.all([...mw, mr].map((h) => h.read({ consistency: 'local' })))
            expect(new Set(views.map((v) => v.version)).size).toBe(1)
          } finally {
            await Promise.all([...mw, ...vw, mr, vr].map((h) => h.close()))
          }
        },
      ),
      { numRuns: RUNS },
    )
  }, 120_000)
})
