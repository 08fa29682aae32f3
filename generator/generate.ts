/**
 * One `generate` run: load the project, render every module, then write, check or clean. Used by
 * the `generate` command and by `--watch` for each regeneration.
 */
import path from 'node:path'
import { checkPlan, type Plan, writePlan } from './emit/outputs.ts'
import type { ResolvedConfig } from './load/config.ts'
import { lockfileOf, serializeLockfile } from './lock.ts'
import { loadIR } from './project.ts'
import { MOSAIK_VERSION } from './run.ts'

export interface GenerateOptions {
  /** Write nothing; report stale files as a diff. */
  readonly check?: boolean
  /** Remove previously generated files that are no longer produced. */
  readonly clean?: boolean
}

/** What a run did, for the command to print. */
export type GenerateOutcome =
  | {
      readonly mode: 'write'
      readonly files: number
      readonly written: string[]
      readonly stale: string[]
      readonly removed: string[]
    }
  | { readonly mode: 'check'; readonly files: number; readonly diff: string; readonly staleFiles: string[] }

/** Builds the plan of a project: generated modules and lock file. */
export async function planProject(config: ResolvedConfig): Promise<Plan> {
  const ir = await loadIR(config)
  // Loaded on demand: ts-morph bundles the TypeScript compiler (~0.5 s to load), which `check`,
  // `ids` and `rules` never need.
  const { renderProject } = await import('./emit/render.ts')
  const modules = renderProject(ir, { version: MOSAIK_VERSION, importExtension: config.importExtension })
  return {
    out: config.out,
    modules,
    lockfile: { path: config.lockfile, content: serializeLockfile(lockfileOf(ir)) },
  }
}

/** Runs one generation with a loaded config. */
export async function generate(
  config: ResolvedConfig,
  options: GenerateOptions = {},
): Promise<GenerateOutcome> {
  const plan = await planProject(config)
  const files = plan.modules.size + 2
  if (options.check) return { mode: 'check', files, ...(await checkPlan(plan, { root: config.root })) }
  return { mode: 'write', files, ...(await writePlan(plan, options.clean ?? false)) }
}

/** A one-line summary of a write run, paths relative to `root`. */
export function describeOutcome(outcome: GenerateOutcome, root: string): string {
  const show = (file: string): string => path.relative(root, file).split(path.sep).join('/')
  if (outcome.mode === 'check') {
    return outcome.staleFiles.length === 0
      ? `mosaik: ${outcome.files} files up to date\n`
      : `mosaik: ${outcome.staleFiles.length} of ${outcome.files} files are stale: ${outcome.staleFiles.join(', ')}\n` +
          'run `mosaik generate` to update them\n'
  }
  const lines = [
    outcome.written.length === 0
      ? `mosaik: ${outcome.files} files up to date`
      : `mosaik: wrote ${outcome.written.map(show).join(', ')}`,
  ]
  if (outcome.removed.length > 0) lines.push(`mosaik: removed ${outcome.removed.map(show).join(', ')}`)
  if (outcome.stale.length > 0) {
    lines.push(
      `mosaik: ${outcome.stale.map(show).join(', ')} no longer generated; run \`mosaik generate --clean\` to remove`,
    )
  }
  return `${lines.join('\n')}\n`
}
