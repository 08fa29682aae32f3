/**
 * A benchmark is a named function from typed flags to result rows. `runBenchmark` parses the
 * command line (its own flags plus the common `--full`, `--json-out <file>`, `--save`, `--help`),
 * runs it inside a Lifecycle scope that stops every child process and server it started (on error
 * too), prints the JSON result on stdout and writes it where asked. Progress goes to stderr.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../../runtime/primitives/errors.ts'
import { Lifecycle } from '../../runtime/primitives/lifecycle.ts'
import {
  type BenchResult,
  buildResult,
  machineInfo,
  RESULTS_DIR,
  type ResultRow,
  writeResult,
} from './result.ts'

/** One command-line flag: `--name <value>` for numbers and strings, `--name` for booleans. */
export type FlagSpec =
  | { type: 'number'; default: number; description: string; integer?: boolean }
  | { type: 'string'; default: string; description: string }
  | { type: 'boolean'; default?: boolean; description: string }

export type FlagSpecs = Record<string, FlagSpec>

type FlagValue<S extends FlagSpec> = S extends { type: 'number' }
  ? number
  : S extends { type: 'string' }
    ? string
    : boolean

/** Parsed flag values, every one present (defaults filled in). */
export type Flags<F extends FlagSpecs> = { [K in keyof F]: FlagValue<F[K]> }

export interface BenchmarkContext {
  /** A progress line on stderr, prefixed with the benchmark's name. */
  log(line: string): void
  /** Closed when the benchmark ends; spawnNode/spawnServer register their children here. */
  scope: Lifecycle
}

export interface BenchmarkOutcome {
  results: ResultRow[]
  ratios?: Record<string, number>
  notes?: string[]
  /** Facts learned while running (peer versions…), merged into `params`. */
  facts?: Record<string, unknown>
}

export interface Benchmark<F extends FlagSpecs = FlagSpecs> {
  name: string
  description: string
  flags: F
  /** Flag values that `--full` sets (explicit flags still win): the full methodology of the baselines. */
  full?: Partial<Flags<F>>
  run(flags: Flags<F>, context: BenchmarkContext): Promise<BenchmarkOutcome>
}

/** Identity, for type inference of the flags. */
export function defineBenchmark<F extends FlagSpecs>(benchmark: Benchmark<F>): Benchmark<F> {
  return benchmark
}

const COMMON_FLAGS = {
  full: { type: 'boolean', description: 'run the full methodology (longer, repeated)' },
  'json-out': { type: 'string', default: '', description: 'also write the JSON result to this file' },
  save: { type: 'boolean', description: 'also write the JSON result to bench/results/<name>.json' },
  help: { type: 'boolean', description: 'print the flags and exit' },
} as const satisfies FlagSpecs

function parseNumber(name: string, raw: string, integer: boolean): number {
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new InvalidInputError(`--${name} expects ${integer ? 'an integer' : 'a number'}, got '${raw}'`)
  }
  return value
}

/** Parses argv against the specs; unknown flags and malformed numbers are InvalidInputErrors. */
export function parseFlags<F extends FlagSpecs>(
  specs: F,
  argv: readonly string[],
  full: Partial<Flags<F>> = {},
): { flags: Flags<F>; explicit: Set<string> } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {}
  for (const [name, spec] of Object.entries(specs))
    options[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string' }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
  } catch (cause) {
    throw new InvalidInputError((cause as Error).message, { cause })
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  const useFull = values.full === true
  const flags: Record<string, number | string | boolean> = {}
  for (const [name, spec] of Object.entries(specs)) {
    const raw = values[name]
    const preset = useFull ? (full as Record<string, number | string | boolean | undefined>)[name] : undefined
    if (raw === undefined) flags[name] = preset ?? spec.default ?? false
    else if (spec.type === 'number') flags[name] = parseNumber(name, raw as string, spec.integer ?? true)
    else flags[name] = raw
  }
  const explicit = new Set(Object.keys(values).filter((k) => values[k] !== undefined))
  return { flags: flags as Flags<F>, explicit }
}

/** Help text for a benchmark's flags. */
export function usage<F extends FlagSpecs>(benchmark: Benchmark<F>): string {
  const lines = [`npm run bench -- ${benchmark.name} [flags]`, '', benchmark.description, '']
  const all: FlagSpecs = { ...benchmark.flags, ...COMMON_FLAGS }
  for (const [name, spec] of Object.entries(all)) {
    const value = spec.type === 'boolean' ? '' : ` <${spec.type}>`
    const preset = (benchmark.full as Record<string, unknown> | undefined)?.[name]
    const defaults = spec.type === 'boolean' || spec.default === '' ? '' : ` (default ${spec.default}`
    const fullNote = preset === undefined ? '' : `${defaults === '' ? ' (' : ', '}--full: ${preset}`
    const close = defaults === '' && fullNote === '' ? '' : ')'
    lines.push(`  --${name}${value}  ${spec.description}${defaults}${fullNote}${close}`)
  }
  return lines.join('\n')
}

export interface RunOptions {
  /** Where the JSON goes besides the files (stdout by default). */
  print?: (json: string) => void
}

/** Parses `argv`, runs the benchmark, prints and saves its JSON result. Undefined after `--help`. */
export async function runBenchmark<F extends FlagSpecs>(
  benchmark: Benchmark<F>,
  argv: readonly string[],
  options: RunOptions = {},
): Promise<BenchResult | undefined> {
  const { flags, explicit } = parseFlags({ ...benchmark.flags, ...COMMON_FLAGS }, argv, benchmark.full)
  const common = flags as unknown as Flags<typeof COMMON_FLAGS>
  const print = options.print ?? ((json: string) => process.stdout.write(`${json}\n`))
  if (common.help) {
    process.stderr.write(`${usage(benchmark)}\n`)
    return undefined
  }
  const machine = machineInfo()
  const startedAt = new Date()
  const scope = new Lifecycle()
  const context: BenchmarkContext = {
    log: (line) => process.stderr.write(`[bench ${benchmark.name}] ${line}\n`),
    scope,
  }
  let outcome: BenchmarkOutcome
  try {
    outcome = await benchmark.run(flags, context)
  } finally {
    await scope.close()
  }
  const params: Record<string, unknown> = {}
  for (const name of Object.keys(benchmark.flags)) params[name] = flags[name]
  if (common.full) params.full = true
  const result = buildResult({
    bench: benchmark.name,
    timestamp: startedAt,
    machine,
    params: { ...params, ...outcome.facts, explicitFlags: [...explicit] },
    results: outcome.results,
    ...(outcome.ratios === undefined ? {} : { ratios: outcome.ratios }),
    ...(outcome.notes === undefined ? {} : { notes: outcome.notes }),
  })
  print(JSON.stringify(result, null, 2))
  if (common['json-out'] !== '') await writeResult(result, common['json-out'])
  if (common.save) await writeResult(result, join(RESULTS_DIR, `${benchmark.name.replaceAll('/', '-')}.json`))
  return result
}
