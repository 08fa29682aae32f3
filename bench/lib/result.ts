/**
 * The JSON result every benchmark prints:
 * `{ bench, timestamp, machine: { cpus, node, … }, params, results: [{ system, metric, value, unit }], ratios }`.
 * `system` names what was measured (`mosaik`, `nats`, `etcd`, `libp2p-quic`…); rows of different
 * systems with the same `metric` are directly comparable, and `ratios` holds their quotients.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { InvalidInputError } from '../../runtime/primitives/errors.ts'
import { median } from './stats.ts'

/** One measured number. `runs` lists each repetition when `value` is their median. */
export interface ResultRow {
  system: string
  metric: string
  value: number
  unit: string
  runs?: number[]
}

export interface MachineInfo {
  cpus: number
  node: string
  cpuModel: string
  /** 1, 5 and 15 minute load averages when the run started: a busy machine shows here. */
  loadavg: number[]
}

export interface BenchResult {
  bench: string
  timestamp: string
  machine: MachineInfo
  params: Record<string, unknown>
  results: ResultRow[]
  ratios: Record<string, number>
  /** Free-form caveats worth keeping next to the numbers. */
  notes?: string[]
}

/** Where `npm run bench -- <name> --save` writes (gitignored). */
export const RESULTS_DIR = join(import.meta.dirname, '..', 'results')

export function machineInfo(): MachineInfo {
  const list = cpus()
  return {
    cpus: list.length,
    node: process.version,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  }
}

export function row(system: string, metric: string, value: number, unit: string): ResultRow {
  return { system, metric, value, unit }
}

export function findRow(rows: readonly ResultRow[], system: string, metric: string): ResultRow | undefined {
  return rows.find((r) => r.system === system && r.metric === metric)
}

/** A row of one system and metric to put in a ratio. */
export interface RowKey {
  system: string
  metric: string
}

/** `numerator.value / denominator.value`, or undefined when either row is missing or the divisor is 0. */
export function ratio(
  rows: readonly ResultRow[],
  numerator: RowKey,
  denominator: RowKey,
): number | undefined {
  const top = findRow(rows, numerator.system, numerator.metric)
  const bottom = findRow(rows, denominator.system, denominator.metric)
  if (top === undefined || bottom === undefined || bottom.value === 0) return undefined
  return top.value / bottom.value
}

/**
 * Ratios of `system` over `baseline` for every metric both measured, keyed
 * `"<system>/<baseline> <metric>"`. For throughput > 1 is better; for latency < 1 is better.
 */
export function ratiosAgainst(
  rows: readonly ResultRow[],
  system: string,
  baseline: string,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of rows) {
    if (r.system !== system) continue
    const value = ratio(rows, r, { system: baseline, metric: r.metric })
    if (value !== undefined) out[`${system}/${baseline} ${r.metric}`] = round(value, 3)
  }
  return out
}

/**
 * Folds repetitions into one row per (system, metric): the median value, with every repetition's
 * value in `runs`. Rows missing from some repetitions are folded over the ones that have them.
 */
export function medianOfRuns(repetitions: readonly (readonly ResultRow[])[]): ResultRow[] {
  if (repetitions.length === 0) throw new InvalidInputError('no repetitions to fold')
  if (repetitions.length === 1) return [...(repetitions[0] as readonly ResultRow[])]
  const folded = new Map<string, ResultRow>()
  for (const rep of repetitions) {
    for (const r of rep) {
      const key = `${r.system}\u0000${r.metric}`
      const seen = folded.get(key)
      if (seen === undefined) folded.set(key, { ...r, runs: [r.value] })
      else seen.runs?.push(r.value)
    }
  }
  return [...folded.values()].map((r) => ({ ...r, value: median(r.runs ?? [r.value]) }))
}

/** Rounds to `digits` significant decimals for readable JSON (not for further arithmetic). */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export interface ResultInput {
  bench: string
  params: Record<string, unknown>
  results: ResultRow[]
  ratios?: Record<string, number>
  notes?: string[]
  /** Taken when the run started; `machineInfo()` now when omitted. */
  machine?: MachineInfo
  timestamp?: Date
}

/** Assembles the common result document. */
export function buildResult(input: ResultInput): BenchResult {
  const result: BenchResult = {
    bench: input.bench,
    timestamp: (input.timestamp ?? new Date()).toISOString(),
    machine: input.machine ?? machineInfo(),
    params: input.params,
    results: input.results,
    ratios: input.ratios ?? {},
  }
  if (input.notes !== undefined && input.notes.length > 0) result.notes = input.notes
  return result
}

/** Writes the result as pretty JSON, creating the directory. */
export async function writeResult(result: BenchResult, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`)
}
