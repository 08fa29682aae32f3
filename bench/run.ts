/**
 * Benchmark entry point: `npm run bench -- <name> [flags]`, `npm run bench -- all [--full]`,
 * `npm run bench -- list`.
 *
 * A benchmark is a folder `bench/<name>/` (or `bench/peers/<name>/`). If it has `main.ts` whose
 * default export comes from `defineBenchmark`, it runs in this process with the common flags and
 * JSON result of bench/lib/benchmark.ts. A folder with only `index.ts`, `run.ts` or `bench.ts` is
 * run as a child Node process with the flags passed through (it prints its own JSON).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Benchmark, runBenchmark } from './lib/benchmark.ts'
import { installSignalReaper } from './lib/processes.ts'

const BENCH_DIR = import.meta.dirname
const NOT_BENCHMARKS = new Set(['lib', 'results', 'peers', 'node_modules'])
const SCRIPT_ENTRIES = ['index.ts', 'run.ts', 'bench.ts']

interface Entry {
  name: string
  file: string
  /** `main.ts` exporting a Benchmark, run in-process; otherwise a script run as a child. */
  inProcess: boolean
}

function entryIn(name: string, dir: string): Entry | undefined {
  const main = join(dir, 'main.ts')
  if (existsSync(main)) return { name, file: main, inProcess: true }
  const script = SCRIPT_ENTRIES.map((f) => join(dir, f)).find((f) => existsSync(f))
  return script === undefined ? undefined : { name, file: script, inProcess: false }
}

function subdirectories(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
}

/** Every runnable benchmark: project benchmarks first, then the peer baselines. */
function discover(): Entry[] {
  const own = subdirectories(BENCH_DIR)
    .filter((name) => !NOT_BENCHMARKS.has(name))
    .map((name) => entryIn(name, join(BENCH_DIR, name)))
  const peers = subdirectories(join(BENCH_DIR, 'peers')).map((name) =>
    entryIn(name, join(BENCH_DIR, 'peers', name)),
  )
  return [...own, ...peers].filter((e): e is Entry => e !== undefined)
}

function isBenchmark(value: unknown): value is Benchmark {
  const candidate = value as Partial<Benchmark> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.run === 'function' &&
    typeof candidate.flags === 'object'
  )
}

async function runEntry(entry: Entry, argv: readonly string[]): Promise<void> {
  if (entry.inProcess) {
    const module = (await import(entry.file)) as { default?: unknown }
    if (!isBenchmark(module.default))
      throw new Error(`${entry.file} must export default defineBenchmark(...)`)
    await runBenchmark(module.default, argv)
    return
  }
  const child = spawn(process.execPath, ['--conditions=mosaik-source', entry.file, ...argv], {
    stdio: 'inherit',
  })
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  if (code !== 0) throw new Error(`${entry.file} ended with ${signal ?? `exit code ${code}`}`)
}

function printUsage(entries: readonly Entry[]): void {
  const lines = [
    'usage: npm run bench -- <name> [flags]     run one benchmark (--help for its flags)',
    '       npm run bench -- all [--full]       run every benchmark in turn, saving to bench/results/',
    '       npm run bench -- list               list the benchmarks',
    '',
    `benchmarks: ${entries.map((e) => e.name).join(', ') || '(none)'}`,
  ]
  process.stderr.write(`${lines.join('\n')}\n`)
}

async function main(argv: string[]): Promise<number> {
  installSignalReaper()
  const entries = discover()
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h') {
    printUsage(entries)
    return name === undefined ? 1 : 0
  }
  if (name === 'list') {
    for (const e of entries) process.stdout.write(`${e.name}\t${e.file}\n`)
    return 0
  }
  if (name === 'all') {
    let failed = 0
    for (const entry of entries) {
      process.stderr.write(`\n=== ${entry.name} ===\n`)
      try {
        await runEntry(entry, entry.inProcess ? [...rest, '--save'] : rest)
      } catch (err) {
        failed++
        process.stderr.write(`${entry.name} failed: ${(err as Error).stack ?? String(err)}\n`)
      }
    }
    return failed === 0 ? 0 : 1
  }
  const entry = entries.find((e) => e.name === name)
  if (entry === undefined) {
    process.stderr.write(`unknown benchmark '${name}'\n`)
    printUsage(entries)
    return 1
  }
  await runEntry(entry, rest)
  return 0
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
}
