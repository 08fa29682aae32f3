/**
 * The simulator's linearizability checker, on hand-written histories with a known answer and on
 * generated ones: histories built from a sequential run are always linearizable; the same
 * histories with one impossible read never are.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkKvHistory,
  checkOperations,
  type KvOperation,
  type RegisterInput,
  type RegisterOutput,
  registerModel,
} from '../../sim/linearizability.ts'

type Op = {
  client: number
  input: RegisterInput
  output: RegisterOutput | undefined
  call: number
  ret: number
}

const put = (value: string, call: number, ret: number, client = 0): Op => ({
  client,
  input: { op: 'put', value },
  output: ret === Infinity ? undefined : true,
  call,
  ret,
})
const get = (value: string | null, call: number, ret: number, client = 1): Op => ({
  client,
  input: { op: 'get' },
  output: value,
  call,
  ret,
})
const cas = (
  expect: string | null,
  value: string,
  swapped: boolean | undefined,
  call: number,
  ret: number,
): Op => ({
  client: 2,
  input: { op: 'cas', expect, value },
  output: swapped,
  call,
  ret,
})

const check = (ops: Op[]) => checkOperations(registerModel, ops)

describe('linearizability checker: known-good histories', () => {
  it('accepts the empty history and a read of the initial value', () => {
    expect(check([])).toBe('ok')
    expect(check([get(null, 0, 1)])).toBe('ok')
  })

  it('accepts a write followed by a read of it', () => {
    expect(check([put('a', 0, 1), get('a', 2, 3)])).toBe('ok')
  })

  it('accepts either order for overlapping writes', () => {
    expect(check([put('a', 0, 10), put('b', 1, 9, 3), get('a', 11, 12)])).toBe('ok')
    expect(check([put('a', 0, 10), put('b', 1, 9, 3), get('b', 11, 12)])).toBe('ok')
  })

  it('accepts a read overlapping a write seeing the old or the new value', () => {
    expect(check([put('a', 0, 1), put('b', 5, 10), get('a', 6, 7)])).toBe('ok')
    expect(check([put('a', 0, 1), put('b', 5, 10), get('b', 6, 7)])).toBe('ok')
  })

  it('accepts a write of unknown outcome whether or not it took effect', () => {
    expect(check([put('a', 0, 1), put('x', 2, Infinity), get('x', 5, 6)])).toBe('ok')
    expect(check([put('a', 0, 1), put('x', 2, Infinity), get('a', 5, 6)])).toBe('ok')
    expect(check([put('x', 2, Infinity), get('x', 5, 6), get('x', 7, 8)])).toBe('ok')
  })

  it('accepts compare-and-swap chains, including one of unknown outcome', () => {
    expect(
      check([put('a', 0, 1), cas('a', 'b', true, 2, 3), cas('a', 'c', false, 4, 5), get('b', 6, 7)]),
    ).toBe('ok')
    expect(check([put('a', 0, 1), cas('a', 'b', undefined, 2, Infinity), get('b', 6, 7)])).toBe('ok')
  })

  it('checks keys independently', () => {
    const history: KvOperation[] = [
      { ...put('a', 0, 1), key: 'x' },
      { ...put('b', 0, 1), key: 'y' },
      { ...get('a', 2, 3), key: 'x' },
      { ...get('b', 2, 3), key: 'y' },
    ]
    expect(checkKvHistory(history).outcome).toBe('ok')
  })
})

describe('linearizability checker: known-bad histories', () => {
  it('rejects a stale read after a completed write', () => {
    expect(check([put('a', 0, 1), get(null, 2, 3)])).toBe('violation')
  })

  it('rejects a read of a value nobody wrote', () => {
    expect(check([put('a', 0, 1), get('zzz', 2, 3)])).toBe('violation')
  })

  it('rejects a lost update', () => {
    expect(check([put('a', 0, 1), put('b', 2, 3), get('a', 4, 5)])).toBe('violation')
  })

  it('rejects reads that go back in time', () => {
    expect(check([put('a', 0, 1), put('b', 2, 20, 3), get('b', 3, 4), get('a', 5, 6)])).toBe('violation')
  })

  it('rejects a compare-and-swap that lies about the value', () => {
    expect(check([put('a', 0, 1), cas(null, 'b', true, 2, 3)])).toBe('violation')
    expect(check([put('a', 0, 1), cas('a', 'b', true, 2, 3), cas('a', 'c', true, 4, 5)])).toBe('violation')
  })

  it('rejects a read of a write that had not been called yet', () => {
    expect(check([get('x', 0, 1), put('x', 2, Infinity)])).toBe('violation')
  })

  it('names the key whose history fails', () => {
    const history: KvOperation[] = [
      { ...put('a', 0, 1), key: 'good' },
      { ...get('a', 2, 3), key: 'good' },
      { ...put('a', 0, 1), key: 'bad' },
      { ...get(null, 2, 3), key: 'bad' },
    ]
    expect(checkKvHistory(history)).toEqual({ outcome: 'violation', failedKeys: ['bad'], unknownKeys: [] })
  })
})

/** A random sequential run on one register, stretched into overlapping intervals around each step. */
const sequentialRun = fc
  .array(
    fc.record({
      kind: fc.constantFrom('put', 'cas', 'get'),
      pick: fc.nat(),
      before: fc.integer({ min: 0, max: 30 }),
      after: fc.integer({ min: 0, max: 30 }),
      unknown: fc.boolean(),
    }),
    { maxLength: 40 },
  )
  .map((steps) => {
    let state: string | null = null
    const written: string[] = []
    return steps.map((step, i): Op => {
      const at = i * 10 + 5
      const call = at - step.before
      const ret = at + step.after
      if (step.kind === 'get') return get(state, call, ret)
      const value = `v${i}`
      const expectValue = written.length === 0 ? null : (written[step.pick % written.length] as string)
      const swapped = step.kind === 'put' || state === expectValue
      if (swapped) state = value
      written.push(value)
      const op = step.kind === 'put' ? put(value, call, ret) : cas(expectValue, value, swapped, call, ret)
      // An unknown outcome is only honest for writes that took effect (or it could hide a read).
      return step.unknown && swapped ? { ...op, output: undefined, ret: Infinity } : op
    })
  })

/** Linearizable iff some order of all operations (unknown ones may be left out) fits the model. */
function bruteForce(ops: Op[]): boolean {
  const optional = ops.map((op) => op.ret === Infinity)
  const search = (done: boolean[], state: string | null): boolean => {
    if (done.every((d, i) => d || optional[i])) return true
    for (let i = 0; i < ops.length; i++) {
      if (done[i]) continue
      const op = ops[i] as Op
      // i may go next only if no other pending operation returned before i was called.
      if (ops.some((other, j) => !done[j] && j !== i && other.ret < op.call)) continue
      const { ok, next } = registerModel.step(state, op.input, op.output)
      if (!ok) continue
      const after = [...done]
      after[i] = true
      if (search(after, next)) return true
    }
    return false
  }
  return search(
    ops.map(() => false),
    null,
  )
}

describe('linearizability checker: generated histories', () => {
  it('accepts every history produced by a sequential run', () => {
    fc.assert(
      fc.property(sequentialRun, (ops) => check(ops) === 'ok'),
      { numRuns: 300 },
    )
  })

  it('rejects every such history once a completed read returns a value never written', () => {
    const withRead = sequentialRun.filter((ops) => ops.some((op) => op.input.op === 'get'))
    fc.assert(
      fc.property(withRead, fc.nat(), (ops, n) => {
        const reads = ops.flatMap((op, i) => (op.input.op === 'get' ? [i] : []))
        const victim = reads[n % reads.length] as number
        const broken = ops.map((op, i) => (i === victim ? { ...op, output: 'never-written' } : op))
        return check(broken) === 'violation'
      }),
      { numRuns: 300 },
    )
  })

  it('agrees with a brute-force search on small random histories, good and bad', () => {
    const value = fc.constantFrom('a', 'b', 'c')
    const arbitraryOp = fc
      .record({
        kind: fc.constantFrom('put', 'cas', 'get'),
        value,
        expect: fc.option(value, { nil: null }),
        read: fc.option(value, { nil: null }),
        swapped: fc.option(fc.boolean(), { nil: undefined }),
        call: fc.integer({ min: 0, max: 20 }),
        length: fc.integer({ min: 0, max: 10 }),
        unknown: fc.boolean(),
      })
      .map((r): Op => {
        const ret = r.unknown && r.kind !== 'get' ? Infinity : r.call + r.length
        if (r.kind === 'get') return get(r.read, r.call, ret)
        if (r.kind === 'put') return put(r.value, r.call, ret)
        return cas(r.expect, r.value, ret === Infinity ? undefined : (r.swapped ?? false), r.call, ret)
      })
    fc.assert(
      fc.property(fc.array(arbitraryOp, { maxLength: 6 }), (ops) => {
        expect(check(ops)).toBe(bruteForce(ops) ? 'ok' : 'violation')
      }),
      { numRuns: 2000 },
    )
  })

  it('accepts heavily overlapping histories from a sequential run', () => {
    const wide = fc
      .array(fc.record({ write: fc.boolean(), before: fc.nat(200), after: fc.nat(200) }), { maxLength: 30 })
      .map((steps) => {
        let state: string | null = null
        return steps.map((step, i): Op => {
          const at = i * 10 + 5
          if (!step.write) return get(state, at - step.before, at + step.after)
          state = `v${i}`
          return put(state, at - step.before, at + step.after)
        })
      })
    fc.assert(
      fc.property(wide, (ops) => check(ops) === 'ok'),
      { numRuns: 200 },
    )
  })

  it('decides a 600-operation history of 6 concurrent clients', () => {
    const ops: Op[] = []
    let state: string | null = null
    for (let i = 0; i < 600; i++) {
      const at = i * 3
      const window = { call: at - (i % 6), ret: at + ((i * 7) % 6) }
      if (i % 3 === 0) ops.push(get(state, window.call, window.ret, i % 6))
      else {
        state = `v${i}`
        ops.push(put(state, window.call, window.ret, i % 6))
      }
    }
    expect(check(ops)).toBe('ok')
  })
})
