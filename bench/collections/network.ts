/**
 * The networked half of the collections benchmark, over separate processes on loopback:
 * - committed Map inserts/s: 3 writer processes (3 voters), one of them inserting with many
 *   commands in flight, and one at a time for the latency of a single client;
 * - local reads/s through a handle (`reader.get`) on the large Map in a member process;
 * - snapshot sync: a 1M-entry Map on the 3 writers (log compacted behind a snapshot), then a late
 *   reader in a new process; MB/s = snapshot bytes fetched / time from opening to caught up. Several
 *   readers sync in turn (`--sync-reps`); each row is their median, with every run.
 */
import { join } from 'node:path'
import type { Lifecycle } from '../../runtime/primitives/lifecycle.ts'
import { type NodeChild, spawnNode } from '../lib/processes.ts'
import { medianOfRuns, type ResultRow, row } from '../lib/result.ts'
import { percentile } from '../lib/stats.ts'
import type { BenchTiming, MemberIn, MemberOut } from './protocol.ts'

const HERE = import.meta.dirname
const LONG = { timeout: 600_000 }

type Member = NodeChild<MemberIn, MemberOut>

/**
 * The large Map snapshots every 100 entries and keeps 5 behind, so a joiner must fetch a snapshot.
 * Elections wait 2–4 s: taking a 1M-entry snapshot holds a member's event loop for a while (the
 * group encodes it when taken), which must not look like a dead leader.
 */
const SYNC_TIMING: BenchTiming = { snapshotEvery: 100, compactionMargin: 5, electionTicks: 40 }

export interface NetworkFlags {
  readonly inserts: number
  readonly concurrency: number
  readonly 'sync-entries': number
  readonly 'sync-reps': number
  readonly 'min-ms': number
}

/** Runs the networked measurements; `push` records each row as it is measured. */
export async function runNetworkBench(
  flags: NetworkFlags,
  context: { scope: Lifecycle; log(line: string): void },
  push: (row: ResultRow) => void,
): Promise<void> {
  const env = { ...process.env, MOSAIK_LOG: process.env.MOSAIK_LOG ?? 'warn' }
  const spawn = (name: string): Member =>
    spawnNode(join(HERE, 'member.ts'), { name, env, scope: context.scope })
  const network = `bench-collections-${process.pid}-${Date.now()}`
  const members = [spawn('member-0'), spawn('member-1'), spawn('member-2')]
  const [first, ...others] = members as [Member, Member, Member]
  first.send({ type: 'start', network, bootstrap: [] })
  const { addresses } = await first.receive('ready', LONG)
  for (const m of others) m.send({ type: 'start', network, bootstrap: addresses })
  await Promise.all(others.map((m) => m.receive('ready', LONG)))

  const open = async (name: string, timing: BenchTiming) => {
    first.send({ type: 'open', name, role: 'writer', timing })
    await first.receive('opened', LONG)
    for (const m of others) m.send({ type: 'open', name, role: 'writer', timing })
    await Promise.all(others.map((m) => m.receive('opened', LONG)))
    for (;;) {
      first.send({ type: 'members', name })
      if ((await first.receive('members', LONG)).voters === 3) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  // Committed inserts: the default snapshot interval; the first member founded the group and leads.
  await open('bench.inserts', { snapshotEvery: 10_000, compactionMargin: 1_000 })
  context.log(`inserting ${flags.inserts} entries with ${flags.concurrency} in flight…`)
  first.send({
    type: 'insert',
    name: 'bench.inserts',
    from: 0,
    count: flags.inserts,
    concurrency: flags.concurrency,
  })
  const bulk = await first.receive('inserted', LONG)
  push(
    row(
      'mosaik',
      `map.insert committed, 3 processes, ${flags.concurrency} in flight`,
      Math.round(bulk.count / (bulk.ms / 1000)),
      'inserts/s',
    ),
  )
  const single = Math.min(2_000, flags.inserts)
  first.send({ type: 'insert', name: 'bench.inserts', from: flags.inserts, count: single, concurrency: 1 })
  const one = await first.receive('inserted', LONG)
  push(
    row(
      'mosaik',
      'map.insert committed, 3 processes, 1 in flight',
      Math.round(one.count / (one.ms / 1000)),
      'inserts/s',
    ),
  )
  push(row('mosaik', 'map.insert committed, 1 in flight, p50', round3(percentile(one.latencies, 50)), 'ms'))
  push(row('mosaik', 'map.insert committed, 1 in flight, p99', round3(percentile(one.latencies, 99)), 'ms'))

  // The large Map and a one-entry Map, both filled on the 3 writers, snapshotted, log compacted;
  // then a late reader syncs each: the one-entry Map measures what joining costs besides the bytes.
  const entries = flags['sync-entries']
  await open('bench.sync', SYNC_TIMING)
  await open('bench.tiny', SYNC_TIMING)
  context.log(`filling a Map with ${entries} entries on 3 writers…`)
  first.send({ type: 'fill', name: 'bench.sync', entries, per: 20_000 })
  const filled = await first.receive('filled', LONG)
  push(
    row(
      'mosaik',
      `map.extend committed (${entries} entries, 20k per command)`,
      Math.round(entries / (filled.ms / 1000)),
      'entries/s',
    ),
  )
  first.send({ type: 'fill', name: 'bench.tiny', entries: 1, per: 1 })
  const tinyFilled = await first.receive('filled', LONG)
  first.send({ type: 'read', name: 'bench.sync', ms: flags['min-ms'] })
  const reads = await first.receive('reads', LONG)
  push(
    row('mosaik', `handle.get on a writer (${reads.size} entries)`, Math.round(reads.perSecond), 'reads/s'),
  )

  // Each repetition is a new reader process: it joins, syncs the one-entry Map, then the large one.
  const reps: ResultRow[][] = []
  for (let rep = 0; rep < Math.max(1, flags['sync-reps']); rep++) {
    context.log(`late reader ${rep + 1}: joins and syncs a one-entry Map, then the large one…`)
    const joiner = spawn(`joiner-${rep}`)
    joiner.send({ type: 'start', network, bootstrap: addresses })
    await joiner.receive('ready', LONG)
    const sync = async (name: string, version: number, size: number) => {
      joiner.send({ type: 'open', name, role: 'reader', timing: SYNC_TIMING })
      joiner.send({ type: 'reach', name, version })
      const reached = await joiner.receive('reached', LONG)
      await joiner.receive('opened', LONG)
      if (reached.size !== size)
        throw new Error(`the joiner holds ${reached.size} entries of ${name}, expected ${size}`)
      if (reached.snapshotBytes === 0)
        throw new Error(`the joiner replayed the log of ${name} instead of fetching a snapshot`)
      return reached
    }
    const tiny = await sync('bench.tiny', tinyFilled.version, 2)
    const large = await sync('bench.sync', filled.version, entries + 1)
    await joiner.stop()
    reps.push(syncRows(entries, tiny, large))
    context.log(
      `  ${Math.round(large.ms)} ms: fetch ${Math.round(large.fetchMs)} ms, restore ${Math.round(large.restoreMs)} ms`,
    )
  }
  // Rows of one metric in two units (ms, MB/s) are folded apart.
  for (const unit of new Set(reps.flat().map((r) => r.unit))) {
    for (const r of medianOfRuns(reps.map((rows) => rows.filter((x) => x.unit === unit)))) push(r)
  }
}

/**
 * The rows of one late reader: end to end, and the phases of the large sync — fetch (asking the
 * peers to verified bytes, decoding as they arrive), restore (building the state) and the rest
 * (discovery, bonding, being added as a learner, storing the snapshot, the log after it).
 */
function syncRows(entries: number, tiny: Reached, large: Reached): ResultRow[] {
  const mb = large.snapshotBytes / 1e6
  const label = `snapshot sync to a late reader (${entries} entries, ${round3(mb)} MB)`
  const ms = (value: number) => Math.round(value * 10) / 10
  return [
    row('mosaik', `${label}, open to caught up`, Math.round(large.ms), 'ms'),
    row('mosaik', `${label}, open to caught up`, round3(mb / (large.ms / 1000)), 'MB/s'),
    row('mosaik', `${label}, fetch phase`, ms(large.fetchMs), 'ms'),
    row('mosaik', `${label}, restore phase`, ms(large.restoreMs), 'ms'),
    row('mosaik', `${label}, join and catch-up`, ms(large.ms - large.fetchMs - large.restoreMs), 'ms'),
    row(
      'mosaik',
      'snapshot sync of a one-entry Map, open to caught up (the cost of joining)',
      Math.round(tiny.ms),
      'ms',
    ),
    row(
      'mosaik',
      `${label}, beyond the cost of joining`,
      round3(mb / (Math.max(1, large.ms - tiny.ms) / 1000)),
      'MB/s',
    ),
  ]
}

type Reached = Extract<MemberOut, { type: 'reached' }>

function round3(value: number): number {
  return Math.round(value * 1000) / 1000
}
