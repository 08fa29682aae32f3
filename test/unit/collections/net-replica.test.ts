/**
 * The replica adapter between a collection state and the Groups runtime: commands applied at their
 * log index (rejections thrown to the proposer), snapshots cut in fixed batches that are
 * byte-identical across replicas, restore with validation, and a restore to an older state (after
 * a merge) that keeps change listeners working.
 */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import type { CollectionDescriptor, MapDescriptor } from '../../../runtime/codegen-v1.ts'
import { typeSignatureOfDescriptor } from '../../../runtime/codegen-v1.ts'
import { type AnyState, Replica } from '../../../runtime/collections/runtime/replica.ts'
import { stateFactory, validatorsOf } from '../../../runtime/collections/runtime/states.ts'
import { decode, encode } from '../../../runtime/primitives/codec.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { canonicalSchema, signature } from '../../../schemas/index.ts'

const schema = (s: Parameters<typeof canonicalSchema>[0]) => ({
  schema: canonicalSchema(s),
  signature: signature(s).hex,
})

function descriptor(): MapDescriptor {
  const d = { kind: 'map', name: 'net-replica', key: schema(Type.String()), value: schema(Type.Integer()) }
  return {
    ...d,
    typeSignature: typeSignatureOfDescriptor({ ...d, typeSignature: '' } as CollectionDescriptor).hex,
  } as MapDescriptor
}

function replica(batch = 3) {
  const d = descriptor()
  return new Replica(stateFactory(d, validatorsOf(d)), batch)
}

const context = (index: number) => ({
  index,
  term: 1,
  groupId: undefined as never,
  networkId: undefined as never,
})

/** Applies `command` as the runtime does: decoded from the log bytes, at `index`. */
function apply(r: Replica<AnyState>, command: object, index: number): unknown {
  return r.apply(decode(encode(command)), context(index))
}

const hex = (chunks: readonly Uint8Array[]) => chunks.map((c) => Buffer.from(c).toString('hex'))

describe('collection replica', () => {
  it('applies commands at their log index and throws rejections for the proposer', () => {
    const r = replica()
    expect(apply(r, { op: 'insert', key: 'a', value: 1 }, 2)).toBeUndefined()
    expect(apply(r, { op: 'insert', key: 'a', value: 2 }, 5)).toBe(1)
    expect(r.version).toBe(5)
    let error: unknown
    try {
      apply(r, { op: 'insert', key: 'b', value: 'x' }, 6)
    } catch (e) {
      error = e
    }
    expect(isMosaikError(error, 'ERR_COMMAND_REJECTED')).toBe(true)
    expect(r.version).toBe(6)
    expect(r.state.view().get('b')).toBeUndefined()
  })

  it('keeps the outcome of recent commands by index, for their proposers', () => {
    const r = replica()
    apply(r, { op: 'insert', key: 'a', value: 1 }, 1)
    apply(r, { op: 'compareAndSwap', key: 'a', expected: 1, next: 2 }, 2)
    expect(() => apply(r, { op: 'insert', key: 'b', value: 'x' }, 3)).toThrow()
    expect(r.outcomeAt(1)).toEqual({ ok: true, result: undefined })
    expect(r.outcomeAt(2)).toEqual({ ok: true, result: true })
    expect(r.outcomeAt(3)).toMatchObject({ ok: false, error: { code: 'ERR_COMMAND_REJECTED' } })
    expect(r.outcomeAt(4)).toBeUndefined()
    for (let i = 4; i < 5_000; i++) apply(r, { op: 'insert', key: 'c', value: i }, i)
    expect(r.outcomeAt(1)).toBeUndefined()
    expect(r.outcomeAt(4_999)).toEqual({ ok: true, result: 4_998 })
  })

  it('snapshots are byte-identical across replicas, in batches, and restore anywhere', () => {
    const [a, b] = [replica(), replica()]
    for (const [i, key] of ['d', 'b', 'a', 'e', 'c', 'f', 'g'].entries()) {
      for (const r of [a, b]) apply(r, { op: 'insert', key, value: i }, i + 1)
    }
    const chunks = [...a.snapshot()]
    expect(chunks.length).toBe(3)
    expect(hex([...b.snapshot()])).toEqual(hex(chunks))
    const joiner = replica()
    const events: unknown[] = []
    joiner.subscribe((event) => events.push(event.type))
    joiner.restore(chunks, 9)
    expect([...joiner.state.view().keys()]).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'])
    expect(hex([...joiner.snapshot()])).toEqual(hex(chunks))
    expect(events).toEqual(['restored'])
  })

  it('refuses snapshots with invalid items or from the future', () => {
    const source = replica()
    apply(source, { op: 'insert', key: 'a', value: 1 }, 1)
    const [batch] = source.snapshot()
    const header = decode(batch as Uint8Array) as unknown[]
    const bad = encode([...header.slice(0, 5), ['a', 'not an integer']])
    expect(() => replica().restore([bad], 1)).toThrow(/invalid items/)
    expect(() => replica().restore([...source.snapshot()], 0)).toThrow(/cannot be the state/)
    expect(() => replica().restore([], 1)).toThrow(/at least one batch/)
  })

  it('a restore to an older state (a merge) replaces the state and keeps listeners', () => {
    const r = replica()
    const empty = [...r.snapshot()]
    apply(r, { op: 'insert', key: 'a', value: 1 }, 4)
    const events: string[] = []
    r.subscribe((event) => events.push(event.type))
    r.restore(empty, 0)
    expect(r.version).toBe(0)
    expect(r.state.view().size).toBe(0)
    apply(r, { op: 'insert', key: 'z', value: 2 }, 1)
    expect(events).toEqual(['restored', 'applied'])
    r.close()
    apply(r, { op: 'insert', key: 'y', value: 2 }, 2)
    expect(events.length).toBe(2)
  })
})
