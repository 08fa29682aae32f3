/**
 * Many seeds in a row, summed up: what the sim test suite, the mutation check and `npm run sim`
 * share.
 */
import type { RaftDebugFlags } from '../../runtime/groups/raft/config.ts'
import { runSeed, type SeedReport } from './simulate.ts'

export interface SuiteOptions {
  from: number
  count: number
  nodes?: number
  debug?: RaftDebugFlags
  /** Stop after this many failing seeds (default: run them all). */
  maxFailures?: number
  onReport?: (report: SeedReport) => void
}

export interface SuiteSummary {
  from: number
  seeds: number
  nodes: number | 'per seed'
  violations: number
  failures: SeedReport[]
  steps: number
  faults: number
  opsChecked: number
  /** Writes whose client gave up; settled from the log for the checker. */
  opsUnknown: number
  /** Seeds whose history was too large for the checker's search budget. */
  undecided: number
  snapshotsInstalled: number
  wallMs: number
}

export function runSeeds(options: SuiteOptions): SuiteSummary {
  const started = performance.now()
  const summary: SuiteSummary = {
    from: options.from,
    seeds: 0,
    nodes: options.nodes ?? 'per seed',
    violations: 0,
    failures: [],
    steps: 0,
    faults: 0,
    opsChecked: 0,
    opsUnknown: 0,
    undecided: 0,
    snapshotsInstalled: 0,
    wallMs: 0,
  }
  const maxFailures = options.maxFailures ?? Number.POSITIVE_INFINITY
  for (let seed = options.from; seed < options.from + options.count; seed++) {
    const report = runSeed({
      seed,
      ...(options.nodes === undefined ? {} : { nodes: options.nodes }),
      ...(options.debug === undefined ? {} : { debug: options.debug }),
    })
    summary.seeds++
    summary.steps += report.steps
    summary.faults += report.faults
    summary.opsChecked += report.opsChecked
    summary.opsUnknown += report.opsUnknown
    summary.snapshotsInstalled += report.snapshotsInstalled
    if (report.linearizability === 'unknown') summary.undecided++
    if (!report.ok) {
      summary.violations += report.violations.length
      summary.failures.push(report)
    }
    options.onReport?.(report)
    if (summary.failures.length >= maxFailures) break
  }
  summary.wallMs = Math.round(performance.now() - started)
  return summary
}

/** Human-readable lines for a failing seed: what broke, and how to replay it. */
export function describeFailure(report: SeedReport): string {
  const lines = [`seed ${report.seed} FAILED (${report.violations.length} violation(s)):`]
  for (const v of report.violations) lines.push(`  [${v.invariant}] at ${v.at.toFixed(1)}ms: ${v.detail}`)
  lines.push(`  replay: ${report.replay}`)
  return lines.join('\n')
}

export function describeSummary(s: SuiteSummary): string {
  return (
    `${s.seeds} seeds from ${s.from}: ${s.violations} violations in ${s.failures.length} seeds; ` +
    `${s.steps} steps, ${s.faults} faults, ${s.opsChecked} ops checked (${s.opsUnknown} writes settled from the log after the client gave up), ` +
    `${s.snapshotsInstalled} snapshots installed, ${s.undecided} undecided histories, ${(s.wallMs / 1000).toFixed(1)} s`
  )
}
