/**
 * Collections, in two halves:
 * - local state machines, no network: read rates from views, apply rates, and snapshot encode /
 *   transfer-restore throughput for a large Map (the late-joiner path minus the wire);
 * - over the network (`network.ts`, separate processes on loopback): committed Map inserts/s on 3
 *   writer processes, reads/s through a handle, and snapshot sync of a 1M-entry Map to a late
 *   reader in MB/s. `--local-only` skips it.
 *
 * `npm run -s bench -- collections [--entries N] [--value-bytes B] [--batch N] [--inserts N] [--sync-entries N]`
 */
import { MapState } from '../../runtime/collections/state/map.ts'
import { PriorityQueueState } from '../../runtime/collections/state/priority-queue.ts'
import { SetState } from '../../runtime/collections/state/set.ts'
import { VecState } from '../../runtime/collections/state/vec.ts'
import { defineBenchmark } from '../lib/benchmark.ts'
import { type ResultRow, row } from '../lib/result.ts'
import { runNetworkBench } from './network.ts'

const SYSTEM = 'mosaik'
/** Size of the collections used for the small-state read rates. */
const SMALL = 10_000
const MEDIUM = 100_000

/** Keys in a scrambled but fixed order, so reads hit the tree all over. */
function scrambledKeys(count: number): string[] {
  const keys = new Array<string>(count)
  for (let i = 0; i < count; i++) keys[i] = `user-${(i * 7_919 + 13) % count}`
  return keys
}

/** A value of about `bytes` bytes once encoded (an object, as a declaration's value would be). */
function sizedValue(i: number, bytes: number): unknown {
  if (bytes <= 0) return i
  return { balance: i, owner: `owner-${i}`, note: 'x'.repeat(Math.max(0, bytes - 40)) }
}

/**
 * Runs `fn` for at least `minMs` and returns its calls per second. One untimed call comes first: a
 * state's first point read builds its hash index, a one-time cost reported in its own row.
 */
function rate(minMs: number, batch: number, fn: (i: number) => void): number {
  fn(0)
  let calls = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < minMs) {
    for (let i = 0; i < batch; i++) fn(calls + i)
    calls += batch
    elapsed = performance.now() - start
  }
  return Math.round(calls / (elapsed / 1000))
}

function filledMap(keys: readonly string[], valueBytes: number): MapState<string, unknown> {
  const map = new MapState<string, unknown>()
  const chunk = 10_000
  for (let offset = 0; offset < keys.length; offset += chunk) {
    const entries = keys
      .slice(offset, offset + chunk)
      .map((key, i) => [key, sizedValue(offset + i, valueBytes)])
    map.apply({ op: 'extend', entries: entries as [string, unknown][] }, map.version + 1)
  }
  return map
}

/**
 * Point reads of a Set and a PriorityQueue holding the same `keys` as the large Map. Each is
 * built, measured and dropped in turn, so only one large state beside the Map is alive at a time.
 */
function measureLargeKinds(
  keys: readonly string[],
  measure: (metric: string, unit: string, batch: number, fn: (i: number) => void) => void,
  log: (line: string) => void,
): void {
  const count = keys.length
  const chunk = 10_000
  log(`filling a Set and a PriorityQueue with ${count} entries…`)
  const set = new SetState<string>()
  for (let offset = 0; offset < count; offset += chunk) {
    set.apply({ op: 'extend', values: keys.slice(offset, offset + chunk) }, set.version + 1)
  }
  measure(`set.has (${count} elements)`, 'reads/s', 10_000, (i) => set.view().has(keys[i % count] as string))
  const queue = new PriorityQueueState<number, string, number>()
  for (let offset = 0; offset < count; offset += chunk) {
    const entries = keys
      .slice(offset, offset + chunk)
      .map((key, i) => ({ priority: (offset + i) % 100, key, value: offset + i }))
    queue.apply({ op: 'extend', entries }, queue.version + 1)
  }
  measure(`priorityQueue.get (${count} entries)`, 'reads/s', 10_000, (i) =>
    queue.view().get(keys[i % count] as string),
  )
}

export default defineBenchmark({
  name: 'collections',
  description:
    'Collection state machines in one process: local reads/s, apply rate, snapshot encode and restore throughput.',
  flags: {
    entries: { type: 'number', default: 1_000_000, description: 'entries of the large Map' },
    'value-bytes': {
      type: 'number',
      default: 0,
      description: 'value size of the large Map (0: small integers)',
    },
    batch: { type: 'number', default: 2_000, description: 'snapshot batch size, in items' },
    'min-ms': { type: 'number', default: 1_000, description: 'minimum duration of each rate measurement' },
    'local-only': { type: 'boolean', default: false, description: 'skip the networked measurements' },
    inserts: { type: 'number', default: 20_000, description: 'committed inserts on 3 processes' },
    concurrency: { type: 'number', default: 256, description: 'inserts in flight' },
    'sync-entries': {
      type: 'number',
      default: 1_000_000,
      description: 'entries of the Map a late reader syncs',
    },
    'sync-reps': {
      type: 'number',
      default: 3,
      description: 'late readers that sync in turn, each a new process (rows: the median, with runs)',
    },
  },
  full: { 'value-bytes': 100, 'min-ms': 3_000, inserts: 100_000 },
  async run(flags, { log, scope }) {
    const results: ResultRow[] = []
    const minMs = flags['min-ms']
    const push = (metric: string, value: number, unit: string) => {
      results.push(row(SYSTEM, metric, value, unit))
      log(`${metric}: ${value} ${unit}`)
    }

    /** Measures `fn` as a rate for at least `min-ms`, `batch` calls between clock reads. */
    const measure = (metric: string, unit: string, batch: number, fn: (i: number) => void) =>
      push(metric, rate(minMs, batch, fn), unit)

    // Reads through the view the handles read from: keys in scrambled order over the whole state.
    const smallKeys = scrambledKeys(SMALL)
    const pick = (i: number) => smallKeys[i % SMALL] as string
    for (const size of [SMALL, MEDIUM]) {
      const keys = scrambledKeys(size)
      const map = filledMap(keys, 0)
      measure(`map.get (${size} entries)`, 'reads/s', 10_000, (i) => map.view().get(keys[i % size] as string))
    }
    const set = new SetState<string>()
    set.apply({ op: 'extend', values: smallKeys }, 1)
    measure(`set.has (${SMALL} elements)`, 'reads/s', 10_000, (i) => set.view().has(pick(i)))
    const vec = new VecState<number>()
    vec.apply({ op: 'extend', values: smallKeys.map((_, i) => i) }, 1)
    measure(`vec.get (${SMALL} elements)`, 'reads/s', 10_000, (i) => vec.view().get((i * 7_919) % SMALL))
    const queue = new PriorityQueueState<number, string, number>()
    const queued = smallKeys.map((key, i) => ({ priority: i % 100, key, value: i }))
    queue.apply({ op: 'extend', entries: queued }, 1)
    measure(`priorityQueue.get (${SMALL} entries)`, 'reads/s', 10_000, (i) => queue.view().get(pick(i)))
    measure(`priorityQueue.min (${SMALL} entries)`, 'reads/s', 10_000, () => queue.view().min())

    // Apply: one insert command per version, and reads interleaved with writes (each write
    // invalidates the cached view, so the next read takes a fresh O(1) view).
    const applied = new MapState<string, number>()
    const insert = (i: number) => applied.apply({ op: 'insert', key: pick(i), value: i }, applied.version + 1)
    measure(`map.apply insert (to ${SMALL} entries)`, 'commands/s', 1_000, insert)
    measure('map.apply insert + get', 'commands/s', 1_000, (i) => {
      insert(i)
      applied.view().get(pick(i * 31))
    })

    // The large Map: reads, snapshot encode, and transfer + restore into a fresh replica.
    const { entries, batch } = flags
    log(`filling a Map with ${entries} entries (value ${flags['value-bytes']} bytes)…`)
    const keys = scrambledKeys(entries)
    let start = performance.now()
    const large = filledMap(keys, flags['value-bytes'])
    push(
      `map.apply extend (${entries} entries, 10k per command)`,
      Math.round(entries / ((performance.now() - start) / 1000)),
      'entries/s',
    )
    measure(`map.get (${entries} entries)`, 'reads/s', 10_000, (i) =>
      large.view().get(keys[i % entries] as string),
    )
    measureLargeKinds(keys, measure, log)
    // A view the state has moved past (a write, same contents) answers from its frozen tree, not
    // from the hash index.
    const older = large.view()
    const first = keys[0] as string
    large.apply({ op: 'insert', key: first, value: older.get(first) }, large.version + 1)
    measure(`map.get, older view (${entries} entries)`, 'reads/s', 10_000, (i) =>
      older.get(keys[i % entries] as string),
    )

    start = performance.now()
    const source = large.snapshot()
    const snapshotMs = performance.now() - start
    push(`map.snapshot take (${entries} entries)`, Math.round(snapshotMs * 1000) / 1000, 'ms')
    start = performance.now()
    const batches = [...source.batches(batch)]
    const encodeMs = performance.now() - start
    const bytes = batches.reduce((sum, b) => sum + b.length, 0)
    push(`map.snapshot size (${entries} entries)`, Math.round(bytes / 1e4) / 100, 'MB')
    push(`map.snapshot encode (${entries} entries)`, Math.round(bytes / 1e6 / (encodeMs / 1000)), 'MB/s')

    // Batches arrive out of order (reversed), as from several peers in parallel.
    start = performance.now()
    const joiner = new MapState<string, unknown>()
    const assembler = joiner.assembler(source)
    for (let i = batches.length - 1; i >= 0; i--) assembler.accept(batches[i] as Uint8Array)
    const acceptMs = performance.now() - start
    joiner.restore(assembler)
    const restoreMs = performance.now() - start
    start = performance.now()
    joiner.view().get(keys[0] as string)
    push(
      `map.get first after restore (${entries} entries, builds the index)`,
      Math.round(performance.now() - start),
      'ms',
    )
    if (joiner.view().size !== entries || joiner.view().get(keys[0] as string) === undefined) {
      throw new Error('restored Map does not match its source')
    }
    push(
      `map.snapshot decode+validate (${entries} entries)`,
      Math.round(bytes / 1e6 / (acceptMs / 1000)),
      'MB/s',
    )
    push(`map.snapshot restore total (${entries} entries)`, Math.round(restoreMs), 'ms')
    push(`map.snapshot restore (${entries} entries)`, Math.round(bytes / 1e6 / (restoreMs / 1000)), 'MB/s')
    push(
      `map.snapshot restore rate (${entries} entries)`,
      Math.round(entries / (restoreMs / 1000)),
      'entries/s',
    )

    if (!flags['local-only']) {
      await runNetworkBench(flags, { scope, log }, (r) => {
        results.push(r)
        log(`${r.metric}: ${r.value} ${r.unit}`)
      })
    }

    return {
      results,
      notes: [
        'local rows: single process, no network; the snapshot rows bound the late-joiner sync rate from above',
        'reads go through view() as the handles do; the view is O(1) and cached per version',
        "read rates exclude the one-time build of a state's point index on its first read (see 'first after restore')",
        'network rows: separate processes on loopback; 3 writers (voters), no fsync; the joiner is a reader (learner)',
        'sync MB/s = snapshot bytes fetched / time from opening the reader to caught up (discovery, bonding, fetch from 3 peers, restore)',
      ],
    }
  },
})
