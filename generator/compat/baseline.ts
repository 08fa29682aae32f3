/**
 * The baseline of `mosaik check --against`: a lock file path, or a git ref whose committed lock file
 * is read with `git show <ref>:<path>`. A ref that does not exist, or has no lock file, is an input
 * error (exit 2) — never an empty baseline that would hide every change.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { GeneratorError } from '../errors.ts'
import type { ResolvedConfig } from '../load/config.ts'
import { type Lockfile, parseLockfile } from '../lock.ts'

const run = promisify(execFile)

export interface Baseline {
  readonly label: string
  readonly lock: Lockfile
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 })
  return stdout
}

/** Loads the baseline named by `against` (default: the config's lock file). */
export async function loadBaseline(config: ResolvedConfig, cwd: string, against?: string): Promise<Baseline> {
  const shownLock = path.relative(cwd, config.lockfile) || config.lockfile
  if (against === undefined) {
    if (!existsSync(config.lockfile)) {
      throw new GeneratorError(
        { file: shownLock },
        'no lock file to compare against',
        'run `mosaik generate` and commit the lock file, or pass --against <lockfile|git-ref>',
      )
    }
    return { label: shownLock, lock: parseLockfile(await readFile(config.lockfile, 'utf8'), shownLock) }
  }
  const asFile = path.resolve(cwd, against)
  if (existsSync(asFile)) {
    return { label: against, lock: parseLockfile(await readFile(asFile, 'utf8'), against) }
  }
  return fromGit(config, against)
}

async function fromGit(config: ResolvedConfig, ref: string): Promise<Baseline> {
  const cwd = config.root
  try {
    await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
  } catch {
    throw new GeneratorError(
      {},
      `'${ref}' is neither a lock file nor a git ref that exists`,
      'pass a path to a lock file, or a branch, tag or commit (e.g. origin/main)',
    )
  }
  const top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim()
  const inRepo = path.relative(top, config.lockfile).split(path.sep).join('/')
  const label = `${ref}:${inRepo}`
  let text: string
  try {
    text = await git(cwd, ['show', `${ref}:${inRepo}`])
  } catch {
    throw new GeneratorError(
      { file: label },
      `git ref '${ref}' has no ${inRepo}`,
      'commit the lock file written by `mosaik generate` on that branch first, or pass a lock file path',
    )
  }
  return { label, lock: parseLockfile(text, label) }
}
