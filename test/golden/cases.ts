/**
 * The golden cases: each directory under `test/golden/fixtures/` is a small project (config,
 * schema modules) whose committed `generated/` directory is the expected output of
 * `mosaik generate`. `npm run golden:update` regenerates them.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const FIXTURES = path.join(REPO, 'test/golden/fixtures')

/** Absolute directories of the golden cases, sorted. */
export function goldenCases(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(FIXTURES, d.name))
    .sort()
}

/**
 * A throwaway project outside the repository (another absolute path, as on another machine) with
 * `typebox` and `mosaik` resolvable through node_modules links. `files` are copied in, relative
 * path → content or source directory. Call `remove()` when done.
 */
export function tempProject(
  files: Record<string, string> = {},
  copyFrom?: string,
): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mosaik-project-'))
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
  mkdirSync(path.join(dir, 'node_modules'))
  symlinkSync(path.join(REPO, 'node_modules/typebox'), path.join(dir, 'node_modules/typebox'), 'dir')
  symlinkSync(REPO, path.join(dir, 'node_modules/mosaik'), 'dir')
  if (copyFrom) {
    cpSync(copyFrom, dir, { recursive: true, filter: (source) => !source.includes(`${path.sep}generated`) })
  }
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true })
    writeFileSync(path.join(dir, relative), content)
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
