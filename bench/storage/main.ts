/**
 * The log store alone, in one process: how many 128-byte appends per second become durable, and
 * how many fsyncs that takes, with 1 and with 256 concurrent writers (each appends one entry and
 * awaits `sync()`, in a loop). Group commit shows as appends per fsync. Beside it, the raw
 * fdatasync rate of this disk (one small write + fdatasync in a loop) is the ceiling for 1 writer,
 * and the WAL without fsync shows the CPU cost of the write path.
 *
 * `npm run -s bench -- storage [--seconds S] [--entry-bytes B] [--writers a,b]`
 */
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WalLogStore } from '../../runtime/groups/storage/index.ts'
import { defineBenchmark } from '../lib/benchmark.ts'
import { type ResultRow, round, row } from '../lib/result.ts'
import { summarize } from '../lib/stats.ts'

interface Measured {
  appends: number
  fsyncs: number
  seconds: number
  latencies: number[]
}

/** `writers` loops of append + sync against a fresh WAL for `ms` (after a short warm-up). */
async function measureWal(
  dir: string,
  writers: number,
  entryBytes: number,
  ms: number,
  fsync: boolean,
): Promise<Measured> {
  const store = await WalLogStore.open({ dir, fsync })
  try {
    const data = new Uint8Array(entryBytes).fill(7)
    let recording = false
    let stop = false
    const latencies: number[] = []
    const loop = async (): Promise<void> => {
      while (!stop) {
        const start = performance.now()
        store.append([{ index: store.lastIndex + 1, term: 1, data }])
        await store.sync()
        if (recording) latencies.push(performance.now() - start)
      }
    }
    const running = Promise.all(Array.from({ length: writers }, loop))
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, ms / 4)))
    const before = { ...store.stats }
    recording = true
    const start = performance.now()
    await new Promise((resolve) => setTimeout(resolve, ms))
    recording = false
    const seconds = (performance.now() - start) / 1000
    const after = { ...store.stats }
    stop = true
    await running
    return {
      appends: after.entriesWritten - before.entriesWritten,
      fsyncs: after.fsyncs - before.fsyncs,
      seconds,
      latencies,
    }
  } finally {
    await store.close()
  }
}

/** One `entryBytes` write + fdatasync after another, for `ms`: the disk's own sync rate. */
async function measureRawSync(dir: string, entryBytes: number, ms: number): Promise<Measured> {
  const handle = await open(join(dir, 'raw.log'), 'w')
  try {
    const data = new Uint8Array(entryBytes).fill(7)
    const latencies: number[] = []
    let position = 0
    const start = performance.now()
    while (performance.now() - start < ms) {
      const t = performance.now()
      await handle.write(data, 0, data.length, position)
      await handle.datasync()
      position += data.length
      latencies.push(performance.now() - t)
    }
    return {
      appends: latencies.length,
      fsyncs: latencies.length,
      seconds: (performance.now() - start) / 1000,
      latencies,
    }
  } finally {
    await handle.close()
  }
}

function rows(system: string, label: string, m: Measured): ResultRow[] {
  const latency = summarize(m.latencies)
  return [
    row(system, `appends/s ${label}`, Math.round(m.appends / m.seconds), 'appends/s'),
    row(system, `fsyncs/s ${label}`, Math.round(m.fsyncs / m.seconds), 'fsyncs/s'),
    row(system, `appends per fsync ${label}`, m.fsyncs === 0 ? 0 : round(m.appends / m.fsyncs, 1), 'appends'),
    row(system, `durable latency p50 ${label}`, round(latency.p50, 3), 'ms'),
    row(system, `durable latency p99 ${label}`, round(latency.p99, 3), 'ms'),
  ]
}

export default defineBenchmark({
  name: 'storage',
  description:
    'WAL log store in one process: durable appends/s and fsyncs/s with group commit, 1 and 256 writers.',
  flags: {
    seconds: { type: 'number', default: 2, integer: false, description: 'measured duration of each case' },
    'entry-bytes': { type: 'number', default: 128, description: 'entry data size' },
    writers: { type: 'string', default: '1,256', description: 'concurrent writer counts, comma-separated' },
  },
  full: { seconds: 10 },
  async run(flags, { log, scope }) {
    const ms = flags.seconds * 1000
    const entryBytes = flags['entry-bytes']
    const counts = flags.writers.split(',').map((s) => Number(s.trim()))
    const base = await mkdtemp(join(tmpdir(), 'mosaik-bench-storage-'))
    scope.defer(() => rm(base, { recursive: true, force: true }))
    const results: ResultRow[] = []
    const record = (system: string, label: string, m: Measured) => {
      const out = rows(system, label, m)
      for (const r of out) log(`${r.system} ${r.metric}: ${r.value} ${r.unit}`)
      results.push(...out)
    }
    record('raw-fdatasync', '1 writer', await measureRawSync(base, entryBytes, ms))
    for (const [system, fsync] of [
      ['mosaik-wal', true],
      ['mosaik-wal-nofsync', false],
    ] as const) {
      for (const writers of counts) {
        const dir = await mkdtemp(join(base, `${system}-${writers}-`))
        record(
          system,
          `${writers} writer${writers === 1 ? '' : 's'}`,
          await measureWal(dir, writers, entryBytes, ms, fsync),
        )
      }
    }
    const ratios: Record<string, number> = {}
    const raw =
      results.find((r) => r.system === 'raw-fdatasync' && r.metric.startsWith('appends/s'))?.value ?? 0
    for (const r of results) {
      if (r.system === 'mosaik-wal' && r.metric.startsWith('appends/s') && raw > 0) {
        ratios[`mosaik-wal/raw-fdatasync ${r.metric}`] = round(r.value / raw, 3)
      }
    }
    return {
      results,
      ratios,
      notes: [
        'one process, no network: the storage share of a commit; the Groups target is ≥ 20k commits/s with fsync',
      ],
    }
  },
})
