/**
 * Peer servers come from Debian packages. `ensureCommand` finds a program on PATH and, when it is
 * missing and we are root, installs its package with apt-get (after checking with apt-cache that
 * the package exists), so a fresh machine can run the baselines without manual steps.
 */
import { execFile } from 'node:child_process'
import { constants } from 'node:fs'
import { access, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { ConfigError } from '../../runtime/primitives/errors.ts'

const run = promisify(execFile)

/** The absolute path of an executable on PATH, or undefined. */
export async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, command)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not here.
    }
  }
  return undefined
}

/** The candidate version apt would install, or undefined when apt knows no such package. */
async function aptCandidate(debianPackage: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('apt-cache', ['policy', debianPackage])
    const candidate = /Candidate:\s*(\S+)/.exec(stdout)?.[1]
    return candidate === undefined || candidate === '(none)' ? undefined : candidate
  } catch {
    return undefined
  }
}

const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }

export interface EnsureCommandOptions {
  command: string
  debianPackage: string
  /** Progress lines go here (stderr by default, keeping stdout for the JSON result). */
  log?: (line: string) => void
}

/** Path of `command`, installing `debianPackage` first when it is missing. */
export async function ensureCommand(options: EnsureCommandOptions): Promise<string> {
  const { command, debianPackage } = options
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const found = await findOnPath(command)
  if (found !== undefined) return found
  const manual = `install it with: apt-get install -y ${debianPackage}`
  if (process.getuid?.() !== 0)
    throw new ConfigError(`${command} is not installed and we are not root; ${manual}`)
  let candidate = await aptCandidate(debianPackage)
  if (candidate === undefined) {
    log(`apt-cache knows no ${debianPackage}; running apt-get update`)
    await run('apt-get', ['update', '-qq'], { env: aptEnv })
    candidate = await aptCandidate(debianPackage)
  }
  if (candidate === undefined)
    throw new ConfigError(`no Debian package '${debianPackage}' provides ${command}`)
  log(`installing ${debianPackage} ${candidate} for ${command}`)
  // Another process may hold the dpkg lock for a while; wait for it rather than fail.
  await run('apt-get', ['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=300', debianPackage], {
    env: aptEnv,
  })
  const installed = await findOnPath(command)
  if (installed === undefined)
    throw new ConfigError(`${debianPackage} installed but ${command} is not on PATH`)
  return installed
}

/** The first `x.y.z` in the output of `command ...args` (e.g. `nats-server --version`). */
export async function commandVersion(
  command: string,
  args: readonly string[] = ['--version'],
): Promise<string> {
  const { stdout, stderr } = await run(command, [...args])
  return /\d+\.\d+\.\d+/.exec(`${stdout}\n${stderr}`)?.[0] ?? 'unknown'
}

/** The installed version of an npm package, found by walking up from its resolved entry point. */
export async function npmPackageVersion(name: string): Promise<string> {
  let dir = dirname(createRequire(import.meta.url).resolve(name))
  for (;;) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (manifest.name === name && typeof manifest.version === 'string') return manifest.version
    } catch {
      // No manifest here; keep walking up.
    }
    const parent = dirname(dir)
    if (parent === dir) return 'unknown'
    dir = parent
  }
}
