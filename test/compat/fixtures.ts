/**
 * Compatibility fixtures: each directory `test/compat/<RULE>/` holds `before.ts` and `after.ts`
 * (schema modules) and `expected.json` (every finding `mosaik check` reports from before to after).
 * Regenerate the expectations after an intended change with
 * `npx node --conditions=mosaik-source test/compat/update.ts`, then review the diff.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareLockfiles, type Finding } from '../../generator/compat/compare.ts'
import { buildProject } from '../../generator/ir/build.ts'
import { importModules, type ModuleNamespace } from '../../generator/load/import.ts'
import { type Lockfile, lockfileOf } from '../../generator/lock.ts'

export const COMPAT_DIR = path.dirname(fileURLToPath(import.meta.url))

/** The fixture directories (named after the rule they demonstrate), sorted. */
export function compatFixtures(): string[] {
  return readdirSync(COMPAT_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
}

function lockOf(file: string, namespace: ModuleNamespace | undefined): Lockfile {
  const schemaFile = { absolute: file, source: 'schemas/fixture.ts', output: 'fixture.ts' }
  return lockfileOf(buildProject([{ file: schemaFile, namespace: namespace ?? {} }]))
}

/** The findings from `before.ts` to `after.ts` of every fixture (one loader session for all). */
export async function allFixtureFindings(): Promise<Map<string, Finding[]>> {
  const rules = compatFixtures()
  const files = rules.flatMap((rule) => ['before.ts', 'after.ts'].map((f) => path.join(COMPAT_DIR, rule, f)))
  const namespaces = await importModules(files, (file) => path.relative(COMPAT_DIR, file))
  return new Map(
    rules.map((rule, i) => {
      const before = lockOf(files[2 * i] as string, namespaces[2 * i])
      const after = lockOf(files[2 * i + 1] as string, namespaces[2 * i + 1])
      return [rule, compareLockfiles(before, after)]
    }),
  )
}
