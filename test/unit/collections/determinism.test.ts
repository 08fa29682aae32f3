// Property: random command sequences (valid and invalid) applied to three replicas — plus one that
// joins from a snapshot at a random point — give byte-identical snapshots, and match a simple model.
// A second check replays fixed sequences in a separate process and compares the snapshot bytes.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CellState } from '../../../runtime/collections/state/cell.ts'
import { compareKeys, encodeKey } from '../../../runtime/collections/state/keys.ts'
import { MapState } from '../../../runtime/collections/state/map.ts'
import { OnceState } from '../../../runtime/collections/state/once.ts'
import { PriorityQueueState } from '../../../runtime/collections/state/priority-queue.ts'
import { SetState } from '../../../runtime/collections/state/set.ts'
import { VecState } from '../../../runtime/collections/state/vec.ts'
import { decode, encode, encodeCanonical } from '../../../runtime/primitives/codec.ts'
import { type AnyState, expectConverged, Log, snapshotHex } from './harness.ts'

const RUNS = process.env.MOSAIK_LONG ? 2_000 : 200
const canonical = (value: unknown) => Buffer.from(encodeCanonical(value)).toString('hex')
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b)

// biome-ignore lint/suspicious/noExplicitAny: commands are random plain data.
type Command = any

interface Kind<M> {
  readonly make: () => AnyState
  readonly command: fc.Arbitrary<Command>
  readonly model: () => M
  /** Applies `command` to the model; returns whether the state machine must accept it. */
  readonly step: (model: M, command: Command) => boolean
  readonly check: (state: AnyState, model: M) => void
}

const key = fc.oneof(
  fc.integer({ min: 0, max: 6 }),
  fc.constantFrom('a', 'b', '\u0000z'),
  fc.record({ id: fc.integer({ min: 0, max: 2 }) }),
)
const value = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom('x', null),
  fc.record({ v: fc.integer({ min: 0, max: 2 }) }),
)
// Commands every kind must reject (unknown op, a value without canonical form, a mistyped field).
const malformed = fc.constantFrom<Command>(
  { op: 'bogus', malformed: true },
  { op: 'insert', key: 1, value: Number.NaN, malformed: true },
  { op: 'deleteMany', keys: 3, values: 3, malformed: true },
)
const optional = <T>(name: string, arbitrary: fc.Arbitrary<T>) =>
  fc.option(arbitrary, { nil: undefined }).map((v) => (v === undefined ? {} : { [name]: v }))
const isBad = (command: Command) => command.malformed === true

/** Keys of a keyed view must iterate in strictly ascending canonical order. */
function expectCanonicalOrder(keys: Iterable<unknown>): void {
  const encoded = [...keys].map(encodeKey)
  for (let i = 1; i < encoded.length; i++)
    expect(compareKeys(encoded[i - 1] as string, encoded[i] as string)).toBeLessThan(0)
}

type Keyed = Map<string, { key: unknown; value: unknown }>

const mapKind: Kind<Keyed> = {
  make: () => new MapState(),
  command: fc.oneof(
    fc.record({ op: fc.constant('insert'), key, value }),
    fc.record({ op: fc.constant('delete'), key }),
    fc.record({ op: fc.constant('deleteMany'), keys: fc.array(key, { maxLength: 3 }) }),
    fc.record({ op: fc.constant('extend'), entries: fc.array(fc.tuple(key, value), { maxLength: 4 }) }),
    fc.constant({ op: 'clear' }),
    fc
      .tuple(key, optional('expected', value), optional('next', value))
      .map(([k, expected, next]) => ({ op: 'compareAndSwap', key: k, ...expected, ...next })),
    malformed,
  ),
  model: () => new Map(),
  step(model, command) {
    if (isBad(command)) return false
    const set = (k: unknown, v: unknown) => model.set(canonical(k), { key: k, value: v })
    switch (command.op) {
      case 'insert':
        set(command.key, command.value)
        break
      case 'delete':
        model.delete(canonical(command.key))
        break
      case 'deleteMany':
        for (const k of command.keys) model.delete(canonical(k))
        break
      case 'extend':
        for (const [k, v] of command.entries) set(k, v)
        break
      case 'clear':
        model.clear()
        break
      case 'compareAndSwap': {
        const current = model.get(canonical(command.key))?.value
        const matches =
          command.expected === undefined
            ? current === undefined
            : current !== undefined && same(current, command.expected)
        if (matches && command.next === undefined) model.delete(canonical(command.key))
        else if (matches) set(command.key, command.next)
      }
    }
    return true
  },
  check(state, model) {
    const view = (state as MapState<unknown, unknown>).view()
    expect(view.size).toBe(model.size)
    for (const { key: k, value: v } of model.values()) expect(same(view.get(k), v)).toBe(true)
    expectCanonicalOrder(view.keys())
  },
}

const setKind: Kind<Keyed> = {
  make: () => new SetState(),
  command: fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'delete'), value: key }),
    fc.record({ op: fc.constantFrom('extend', 'deleteMany'), values: fc.array(key, { maxLength: 4 }) }),
    fc.constant({ op: 'clear' }),
    malformed,
  ),
  model: () => new Map(),
  step(model, command) {
    if (isBad(command)) return false
    const add = (v: unknown) => model.set(canonical(v), { key: v, value: v })
    if (command.op === 'add') add(command.value)
    if (command.op === 'delete') model.delete(canonical(command.value))
    if (command.op === 'extend') command.values.forEach(add)
    if (command.op === 'deleteMany') for (const v of command.values) model.delete(canonical(v))
    if (command.op === 'clear') model.clear()
    return true
  },
  check(state, model) {
    const view = (state as SetState<unknown>).view()
    expect(view.size).toBe(model.size)
    for (const { key: k } of model.values()) expect(view.has(k)).toBe(true)
    expectCanonicalOrder(view)
  },
}

const index = fc.integer({ min: -1, max: 9 })
const vecKind: Kind<unknown[]> = {
  make: () => new VecState(),
  command: fc.oneof(
    fc.record({ op: fc.constantFrom('pushBack', 'pushFront'), value }),
    fc.record({ op: fc.constant('extend'), values: fc.array(value, { maxLength: 3 }) }),
    fc.constantFrom({ op: 'popBack' }, { op: 'popFront' }, { op: 'clear' }),
    fc.record({ op: fc.constant('insert'), index, value }),
    fc.record({ op: fc.constant('remove'), index }),
    fc.record({ op: fc.constant('swap'), i: index, j: index }),
    fc.record({ op: fc.constant('truncate'), length: index }),
    malformed,
  ),
  model: () => [],
  step(model, command) {
    if (isBad(command)) return false
    const inRange = (i: number, end: number) => i >= 0 && i < end
    switch (command.op) {
      case 'pushBack':
        model.push(command.value)
        return true
      case 'pushFront':
        model.unshift(command.value)
        return true
      case 'extend':
        model.push(...command.values)
        return true
      case 'popBack':
        model.pop()
        return true
      case 'popFront':
        model.shift()
        return true
      case 'clear':
        model.length = 0
        return true
      case 'insert':
        if (!inRange(command.index, model.length + 1)) return false
        model.splice(command.index, 0, command.value)
        return true
      case 'remove':
        if (!inRange(command.index, model.length)) return false
        model.splice(command.index, 1)
        return true
      case 'swap': {
        if (!inRange(command.i, model.length) || !inRange(command.j, model.length)) return false
        const a = model[command.i]
        model[command.i] = model[command.j]
        model[command.j] = a
        return true
      }
      default:
        if (command.length < 0) return false
        model.length = Math.min(model.length, command.length)
        return true
    }
  },
  check(state, model) {
    expect(canonical([...(state as VecState<unknown>).view()])).toBe(canonical(model))
  },
}

const cellKind: Kind<{ value?: unknown }> = {
  make: () => new CellState(),
  command: fc.oneof(
    fc.record({ op: fc.constant('set'), value }),
    fc.constant({ op: 'clear' }),
    fc
      .tuple(optional('expected', value), optional('next', value))
      .map(([e, n]) => ({ op: 'compareAndSwap', ...e, ...n })),
    malformed,
  ),
  model: () => ({}),
  step(model, command) {
    if (isBad(command)) return false
    if (command.op === 'set') model.value = command.value
    if (command.op === 'clear') model.value = undefined
    if (command.op === 'compareAndSwap') {
      const matches =
        command.expected === undefined
          ? model.value === undefined
          : model.value !== undefined && same(model.value, command.expected)
      if (matches) model.value = command.next
    }
    return true
  },
  check(state, model) {
    const view = (state as CellState<unknown>).view()
    expect(view.isSet).toBe(model.value !== undefined)
    if (model.value !== undefined) expect(same(view.get(), model.value)).toBe(true)
  },
}

const onceKind: Kind<{ value?: unknown }> = {
  ...cellKind,
  make: () => new OnceState(),
  command: fc.oneof(fc.record({ op: fc.constant('set'), value }), malformed),
  step(model, command) {
    if (isBad(command)) return false
    if (!('value' in model)) model.value = command.value
    return true
  },
}

type Queue = Map<number, { priority: number; value: unknown }>
const priority = fc.integer({ min: 0, max: 5 })
const pqKey = fc.integer({ min: 0, max: 7 })
function pqKind(capacity?: number): Kind<Queue> {
  const ordered = (model: Queue) =>
    [...model].map(([k, e]) => ({ key: k, ...e })).sort((a, b) => a.priority - b.priority || a.key - b.key)
  const upsert = (model: Queue, k: number, p: number, v: unknown) => {
    model.set(k, { priority: p, value: v })
    while (capacity !== undefined && model.size > capacity)
      model.delete((ordered(model)[0] as { key: number }).key)
  }
  return {
    make: () => new PriorityQueueState(capacity === undefined ? {} : { capacity }),
    command: fc.oneof(
      fc.record({ op: fc.constant('upsert'), priority, key: pqKey, value }),
      fc.record({
        op: fc.constant('extend'),
        entries: fc.array(fc.record({ priority, key: pqKey, value }), { maxLength: 3 }),
      }),
      fc.record({ op: fc.constant('updatePriority'), key: pqKey, priority }),
      fc.record({ op: fc.constant('updateValue'), key: pqKey, value }),
      fc
        .tuple(pqKey, value, optional('next', value))
        .map(([k, expected, next]) => ({ op: 'compareAndSwap', key: k, expected, ...next })),
      fc.record({ op: fc.constant('remove'), key: pqKey }),
      fc.record({ op: fc.constant('removeMany'), keys: fc.array(pqKey, { maxLength: 3 }) }),
      fc.record({
        op: fc.constant('removeRange'),
        range: fc.record({ gte: priority, lt: priority }, { requiredKeys: [] }),
      }),
      fc.constant({ op: 'clear' }),
      malformed,
    ),
    model: () => new Map(),
    step(model, command) {
      if (isBad(command)) return false
      const current = model.get(command.key)
      switch (command.op) {
        case 'upsert':
          upsert(model, command.key, command.priority, command.value)
          break
        case 'extend':
          for (const e of command.entries) upsert(model, e.key, e.priority, e.value)
          break
        case 'updatePriority':
          if (current) current.priority = command.priority
          break
        case 'updateValue':
          if (current) current.value = command.value
          break
        case 'compareAndSwap':
          if (current && same(current.value, command.expected)) {
            if (command.next === undefined) model.delete(command.key)
            else current.value = command.next
          }
          break
        case 'remove':
          model.delete(command.key)
          break
        case 'removeMany':
          for (const k of command.keys) model.delete(k)
          break
        case 'removeRange': {
          const { gte = Number.NEGATIVE_INFINITY, lt = Number.POSITIVE_INFINITY } = command.range
          for (const [k, e] of model) if (e.priority >= gte && e.priority < lt) model.delete(k)
          break
        }
        case 'clear':
          model.clear()
      }
      return true
    },
    check(state, model) {
      const entries = [...(state as PriorityQueueState<number, number, unknown>).view()]
      expect(canonical(entries)).toBe(canonical(ordered(model)))
    },
  }
}

const kinds: [string, Kind<never>][] = (
  [
    ['map', mapKind],
    ['set', setKind],
    ['vec', vecKind],
    ['cell', cellKind],
    ['once', onceKind],
    ['priorityQueue', pqKind()],
    ['priorityQueue (capacity 3)', pqKind(3)],
  ] as [string, Kind<unknown>][]
).map(([name, kind]) => [name, kind as unknown as Kind<never>])

describe.each(kinds)('%s replicas', (_name, kind) => {
  it('agree byte for byte with each other and with the model, including a late joiner', () => {
    fc.assert(
      fc.property(fc.array(kind.command, { maxLength: 40 }), fc.nat(), (commands, joinAt) => {
        const log = new Log([kind.make(), kind.make(), kind.make()])
        const model = kind.model()
        commands.forEach((command, i) => {
          if (i === joinAt % (commands.length + 1)) log.join(kind.make(), 1 + (joinAt % 4))
          expect(log.append(command).ok).toBe(kind.step(model, command))
        })
        expectConverged(log.replicas)
        for (const replica of log.replicas) kind.check(replica, model)
      }),
      { numRuns: RUNS },
    )
  })
})

it('another process replaying the same entries produces the same snapshot bytes', () => {
  const logs = kinds.map(([name, kind]) => [
    name,
    fc.sample(fc.array(kind.command, { maxLength: 200 }), { numRuns: 1, seed: 42 })[0],
  ])
  const input = encode(logs)
  const here = Object.fromEntries(
    (decode(input) as [string, Command[]][]).map(([name, commands]) => {
      const kind = new Map(kinds).get(name) as Kind<never>
      const state = kind.make()
      for (const [i, command] of commands.entries()) state.apply(command, i + 1)
      return [name, snapshotHex(state.snapshot(), 16)]
    }),
  )
  const script = fileURLToPath(new URL('./fixtures/replay.ts', import.meta.url))
  const output = execFileSync(process.execPath, ['--conditions=mosaik-source', script], {
    input,
    encoding: 'utf8',
  })
  expect(JSON.parse(output)).toEqual(here)
})
