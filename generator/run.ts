/**
 * Runs the `mosaik` CLI in-process: parses `argv` with commander, runs the command, maps errors to
 * exit codes (2 for usage and input errors, printed without a stack trace unless MOSAIK_DEBUG is
 * set) and returns the exit code instead of exiting, so tests can drive it directly.
 */
import { createRequire } from 'node:module'
import { Command, CommanderError } from 'commander'
import { MosaikError } from '../runtime/primitives/errors.ts'
import { type CliContext, type CommandFactory, EXIT_ERROR, EXIT_OK } from './context.ts'

// Self-reference through the package exports: the same line works from source and from dist/.
const pkg = createRequire(import.meta.url)('mosaik/package.json') as { version: string }

/** The version printed by `--version` and in generated headers. */
export const MOSAIK_VERSION: string = pkg.version

export interface RunOptions {
  readonly cwd?: string
  readonly stdout?: (text: string) => void
  readonly stderr?: (text: string) => void
  readonly signal?: AbortSignal
}

/** Runs the CLI with `argv` (arguments after the program name); resolves with the exit code. */
export async function runCli(
  argv: readonly string[],
  commands: readonly CommandFactory[],
  options: RunOptions = {},
): Promise<number> {
  const context: CliContext = {
    cwd: options.cwd ?? process.cwd(),
    stdout: options.stdout ?? ((text) => process.stdout.write(text)),
    stderr: options.stderr ?? ((text) => process.stderr.write(text)),
    signal: options.signal ?? new AbortController().signal,
    exitCode: EXIT_OK,
  }
  const output = { writeOut: context.stdout, writeErr: context.stderr }
  const program = new Command('mosaik')
    .description('schema-driven toolkit for self-organizing distributed systems')
    .version(MOSAIK_VERSION)
    .configureOutput(output)
    .exitOverride()
  for (const factory of commands) program.addCommand(factory(context).configureOutput(output).exitOverride())
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return context.exitCode
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR
    context.stderr(`mosaik: ${describeError(err)}\n`)
    return EXIT_ERROR
  }
}

function describeError(err: unknown): string {
  if (err instanceof MosaikError && !process.env.MOSAIK_DEBUG) return err.message
  if (err instanceof Error) return err.stack ?? err.message
  return String(err)
}
