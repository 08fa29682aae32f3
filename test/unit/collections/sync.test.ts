// Snapshot sync scenarios of mosaik's tests/collections/sync/* (mosaik-features §5.6), at the state
// machine level: a joiner assembles a snapshot offered at an anchor version from several providers
// while the log moves on, then replays the entries it buffered (some at or below the anchor).
import { describe, expect, it } from 'vitest'
import { MapState } from '../../../runtime/collections/state/map.ts'
import { PriorityQueueState } from '../../../runtime/collections/state/priority-queue.ts'
import { SetState } from '../../../runtime/collections/state/set.ts'
import { VecState } from '../../../runtime/collections/state/vec.ts'
import { decode, encode } from '../../../runtime/primitives/codec.ts'
import { type AnyState, expectConverged, Log } from './harness.ts'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/** Per kind: a fresh state, the command writing element `i`, and one command writing `0..n`. */
const kinds: [string, () => AnyState, (i: number) => object, (n: number) => object][] = [
  [
    'map',
    () => new MapState(),
    (i) => ({ op: 'insert', key: i, value: `v${i}` }),
    (n) => ({ op: 'extend', entries: range(n).map((i) => [i, `v${i}`]) }),
  ],
  [
    'vec',
    () => new VecState(),
    (i) => ({ op: 'pushBack', value: i }),
    (n) => ({ op: 'extend', values: range(n) }),
  ],
  [
    'set',
    () => new SetState(),
    (i) => ({ op: 'add', value: `e${i}` }),
    (n) => ({ op: 'extend', values: range(n).map((i) => `e${i}`) }),
  ],
  [
    'priorityQueue',
    () => new PriorityQueueState(),
    (i) => ({ op: 'upsert', priority: i % 13, key: i, value: i }),
    (n) => ({ op: 'extend', entries: range(n).map((i) => ({ priority: i % 13, key: i, value: i })) }),
  ],
]

/**
 * A joiner syncing from the providers' snapshot at the current version while `during` more entries
 * are committed: batches come round-robin from the providers, in reverse order; the joiner buffers
 * every entry from `anchor - overlap` on and applies them after restoring (stale ones are refused).
 */
function sync(log: Log<AnyState>, joiner: AnyState, batch: number, during: object[] = [], overlap = 0): void {
  const sources = log.replicas.map((replica) => replica.snapshot())
  const anchor = sources[0]?.version ?? 0
  const assembler = joiner.assembler(sources[0] as NonNullable<(typeof sources)[0]>)
  const plan = assembler.missing(batch).reverse()
  const buffered: [number, Uint8Array][] = []
  const bufferFrom = anchor - overlap
  plan.forEach((range, i) => {
    const source = sources[i % sources.length] as NonNullable<(typeof sources)[0]>
    expect(assembler.accept(source.batch(range.offset, range.limit))).toBe(true)
    const next = during[i]
    if (next !== undefined) {
      log.ok(next)
      buffered.push([log.index, encode(next)])
    }
  })
  for (const command of during.slice(plan.length)) {
    log.ok(command)
    buffered.push([log.index, encode(command)])
  }
  expect(joiner.version).toBe(0)
  joiner.restore(assembler)
  for (let v = Math.max(1, bufferFrom); v <= anchor; v++) {
    expect(joiner.apply({ op: 'clear' }, v)).toMatchObject({ ok: false, error: { reason: 'stale-version' } })
  }
  for (const [version, entry] of buffered)
    expect(joiner.apply(decode(entry) as object, version).ok).toBe(true)
  log.replicas.push(joiner)
}

describe.each(kinds)('%s sync', (_name, make, write, writeMany) => {
  it.each([
    [1, 100, false],
    [100, 30, false],
    [1_000, 100, false],
    [10_000, 1_000, false],
    [10_000, 100, true],
  ])('frozen: %i entries in batches of %i (one command: %s) reach a late joiner', (n, batch, oneshot) => {
    const log = new Log([make(), make()])
    if (oneshot) log.ok(writeMany(n))
    else for (let i = 0; i < n; i++) log.ok(write(i))
    sync(log, make(), batch)
    expect(log.replicas.map((replica) => replica.size)).toEqual([n, n, n])
    expectConverged(log.replicas)
  })

  it.each([
    [100, 50, 100],
    [1_000, 500, 100],
    [5_000, 500, 1_000],
  ])('writes during sync: %i entries, %i more while syncing, batches of %i', (n, extra, batch) => {
    const log = new Log([make(), make()])
    for (let i = 0; i < n; i++) log.ok(write(i))
    sync(
      log,
      make(),
      batch,
      Array.from({ length: extra }, (_, i) => write(n + i)),
      3,
    )
    expect(log.replicas.map((replica) => replica.size)).toEqual([n + extra, n + extra, n + extra])
    expectConverged(log.replicas)
  })

  it.each([
    [0, 10],
    [1, 1],
    [10, 10_000],
    [100, 1],
  ])('edge sizes: %i entries in batches of %i', (n, batch) => {
    const log = new Log([make()])
    for (let i = 0; i < n; i++) log.ok(write(i))
    sync(log, make(), batch)
    expectConverged(log.replicas)
  })

  it('clear and repopulate before the join: the joiner sees only the final state', () => {
    const log = new Log([make()])
    for (let i = 0; i < 500; i++) log.ok(write(i))
    log.ok({ op: 'clear' })
    for (let i = 1_000; i < 1_200; i++) log.ok(write(i))
    sync(log, make(), 64)
    expect(log.replicas.map((replica) => replica.size)).toEqual([200, 200])
    expectConverged(log.replicas)
  })

  it('reads on the joiner see its old state until the snapshot is installed, then the new one', () => {
    const log = new Log([make()])
    for (let i = 0; i < 300; i++) log.ok(write(i))
    const joiner = make()
    const before = joiner.view()
    const source = (log.replicas[0] as AnyState).snapshot()
    const assembler = joiner.assembler(source)
    for (const batch of source.batches(50)) {
      assembler.accept(batch)
      expect(joiner.size).toBe(0)
    }
    joiner.restore(assembler)
    expect([before.size, joiner.view().size]).toEqual([0, 300])
  })
})

it('large values and structured keys reach a late joiner', () => {
  const log = new Log([new MapState(), new MapState()])
  for (let i = 0; i < 100; i++) {
    log.ok({
      op: 'insert',
      key: { shard: i % 7, id: BigInt(i) },
      value: { blob: new Uint8Array(4_096).fill(i), text: 'x'.repeat(2_000) },
    })
  }
  sync(log, new MapState(), 8)
  expectConverged(log.replicas)
})

it('a recreated reader catches up from scratch with a fresh snapshot', () => {
  const log = new Log([new MapState()])
  for (let i = 0; i < 100; i++) log.ok({ op: 'insert', key: i, value: i })
  sync(log, new MapState(), 30)
  log.replicas.pop()
  for (let i = 100; i < 200; i++) log.ok({ op: 'insert', key: i, value: i })
  sync(log, new MapState(), 30)
  expect((log.replicas[1] as AnyState).size).toBe(200)
  expectConverged(log.replicas)
})
