/**
 * Applies or checks a generation plan: the generated modules, the manifest listing them (so
 * `--clean` removes only files this tool wrote), and the lock file.
 * - write: files whose content changed are written atomically; unchanged files are not touched
 *   (so watchers and build tools see no change).
 * - check: nothing is written; stale files are reported as a unified diff.
 * - clean: files listed in the previous manifest that are no longer generated are removed, and
 *   only if they still carry the generated header — never unknown files.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { createTwoFilesPatch } from 'diff'
import writeFileAtomic from 'write-file-atomic'
import { GENERATED_MARKER } from '../../templates/header.ts'

/** The manifest's file name inside the output directory. */
export const MANIFEST = '.mosaik-manifest.json'

/** What one `generate` run produces. Paths are absolute. */
export interface Plan {
  readonly out: string
  /** Generated modules by path relative to `out`. */
  readonly modules: ReadonlyMap<string, string>
  readonly lockfile: { readonly path: string; readonly content: string }
}

/** Display paths relative to this directory. */
export interface Display {
  readonly root: string
}

function manifestContent(files: readonly string[]): string {
  return `${JSON.stringify({ generatedBy: 'mosaik', files: [...files].sort() }, null, 2)}\n`
}

/**
 * Every file of the plan with its wanted content: modules, manifest, lock file. The manifest also
 * lists `kept` — stale files left in place without `--clean` — so they stay owned until removed.
 */
function planFiles(plan: Plan, kept: readonly string[] = []): Map<string, string> {
  const files = new Map<string, string>()
  for (const [relative, content] of plan.modules) files.set(path.join(plan.out, relative), content)
  const owned = [
    ...plan.modules.keys(),
    ...kept.map((file) => path.relative(plan.out, file).split(path.sep).join('/')),
  ]
  files.set(path.join(plan.out, MANIFEST), manifestContent(owned))
  files.set(plan.lockfile.path, plan.lockfile.content)
  return files
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Files the previous run generated (from its manifest) that this plan no longer produces. */
async function staleFiles(plan: Plan): Promise<string[]> {
  const text = await readIfExists(path.join(plan.out, MANIFEST))
  if (text === undefined) return []
  let listed: unknown
  try {
    listed = (JSON.parse(text) as { files?: unknown }).files
  } catch {
    return [] // An unreadable manifest owns nothing; it is rewritten below.
  }
  if (!Array.isArray(listed)) return []
  const stale: string[] = []
  for (const relative of listed) {
    if (typeof relative !== 'string' || plan.modules.has(relative)) continue
    const file = path.resolve(plan.out, relative)
    // Only files inside `out` that still carry our header: never unknown or user-edited files.
    if (!file.startsWith(plan.out + path.sep)) continue
    const content = await readIfExists(file)
    if (content?.startsWith(GENERATED_MARKER)) stale.push(file)
  }
  return stale.sort()
}

export interface WriteResult {
  /** Files written because their content changed. */
  readonly written: string[]
  /** Previously generated files no longer produced (removed when `clean`). */
  readonly stale: string[]
  readonly removed: string[]
}

/** Writes changed files; with `clean`, removes stale generated files. */
export async function writePlan(plan: Plan, clean: boolean): Promise<WriteResult> {
  const stale = await staleFiles(plan)
  const written: string[] = []
  for (const [file, content] of planFiles(plan, clean ? [] : stale)) {
    if ((await readIfExists(file)) === content) continue
    await mkdir(path.dirname(file), { recursive: true })
    await writeFileAtomic(file, content)
    written.push(file)
  }
  const removed: string[] = []
  if (clean) {
    for (const file of stale) {
      await rm(file)
      removed.push(file)
    }
  }
  return { written, stale: clean ? [] : stale, removed }
}

export interface CheckResult {
  /** Unified diff of every file that differs (empty when up to date). */
  readonly diff: string
  /** Display paths of the stale files. */
  readonly staleFiles: string[]
}

/** Compares the plan with the files on disk; writes nothing. */
export async function checkPlan(plan: Plan, display: Display): Promise<CheckResult> {
  const patches: string[] = []
  const names: string[] = []
  const show = (file: string): string => path.relative(display.root, file).split(path.sep).join('/')
  for (const [file, wanted] of planFiles(plan)) {
    const current = await readIfExists(file)
    if (current === wanted) continue
    const name = show(file)
    names.push(name)
    patches.push(
      createTwoFilesPatch(
        current === undefined ? '/dev/null' : `a/${name}`,
        `b/${name}`,
        current ?? '',
        wanted,
      ),
    )
  }
  for (const file of await staleFiles(plan)) {
    const name = show(file)
    names.push(name)
    patches.push(createTwoFilesPatch(`a/${name}`, '/dev/null', await readFile(file, 'utf8'), ''))
  }
  return { diff: patches.join(''), staleFiles: names }
}
