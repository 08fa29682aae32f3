/**
 * Runs short-lived system commands (`ip`, `nft`) and turns failures into `SubprocessError`s that
 * carry the command line and its stderr, so a failing fault step explains itself.
 */
import { execFile } from 'node:child_process'
import { SubprocessError } from './errors.ts'

/** Output of a command that exited with status 0. */
export interface CommandOutput {
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Written to the command's stdin (e.g. an nft ruleset for `nft -f -`). */
  input?: string
  /** Kill the command after this many milliseconds (default 30 s). */
  timeoutMs?: number
}

const MAX_OUTPUT_BYTES = 16 * 1024 * 1024

/** Runs `file args…` without a shell; rejects with SubprocessError on a non-zero exit or spawn failure. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandOutput> {
  const commandLine = [file, ...args].join(' ')
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message
          reject(
            new SubprocessError(`'${commandLine}' failed: ${detail}`, {
              cause: error,
              details: { command: commandLine, stderr: stderr.trim() },
            }),
          )
          return
        }
        resolve({ stdout, stderr })
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
    else child.stdin?.end()
  })
}

/** Like `run`, but resolves to undefined instead of rejecting: for probes and best-effort cleanup. */
export async function tryRun(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandOutput | undefined> {
  try {
    return await run(file, args, options)
  } catch {
    return undefined
  }
}
