/**
 * Finds the schema modules of a project: the files matching the config's globs, each with the path
 * of its generated module (its path relative to the static base of the glob that found it, so
 * `schemas/**\/*.ts` maps `schemas/trading/orders.ts` to `trading/orders.ts`).
 */
import path from 'node:path'
import { glob } from 'tinyglobby'
import { GeneratorError } from '../errors.ts'
import type { ResolvedConfig } from './config.ts'

/** A schema module to load. */
export interface SchemaFile {
  /** Absolute path. */
  readonly absolute: string
  /** Relative to the project root, '/'-separated: how it is shown and recorded. */
  readonly source: string
  /** Relative to `out`, '/'-separated, ending in `.ts`. */
  readonly output: string
}

const GLOB_CHARS = /[*?[\]{}()!]/

/** The directory part of a glob before its first wildcard segment. */
export function globBase(pattern: string): string {
  const segments = pattern.split('/')
  const base: string[] = []
  for (const segment of segments.slice(0, -1)) {
    if (GLOB_CHARS.test(segment)) break
    base.push(segment)
  }
  return base.join('/')
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

/** The schema modules of the project, sorted by source path; throws if two map to one output. */
export async function findSchemaFiles(config: ResolvedConfig): Promise<SchemaFile[]> {
  const outRelative = toPosix(path.relative(config.root, config.out))
  const byOutput = new Map<string, SchemaFile>()
  const seen = new Set<string>()
  for (const pattern of config.schemas) {
    const matches = await glob(pattern, {
      cwd: config.root,
      onlyFiles: true,
      expandDirectories: false,
      ignore: ['**/node_modules/**', '**/*.d.ts', '**/*.d.mts', `${outRelative}/**`],
    })
    const base = globBase(pattern)
    for (const match of matches.sort()) {
      const source = toPosix(match)
      if (seen.has(source)) continue
      seen.add(source)
      const output = path.posix.relative(base, source).replace(/\.(m|c)?[tj]s$/, '.ts')
      const file = { absolute: path.resolve(config.root, source), source, output }
      const clash = byOutput.get(output)
      if (clash) {
        throw new GeneratorError(
          { file: source },
          `generates the same module '${output}' as ${clash.source}`,
          'rename one of the files or give them different glob bases in mosaik.config.ts',
        )
      }
      if (output === 'index.ts') {
        throw new GeneratorError(
          { file: source },
          "would generate 'index.ts', which is the barrel of the output directory",
          'rename the schema module',
        )
      }
      byOutput.set(output, file)
    }
  }
  return [...byOutput.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0))
}
