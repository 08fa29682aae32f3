/**
 * What a CLI command gets: where it runs, where it prints, and how it reports its exit code. Each
 * command is a module under `generator/commands/` exporting a `CommandFactory`, registered in
 * `generator/cli.ts`; tests run commands in-process through `runCli()` with their own context.
 */
import type { Command } from 'commander'

/** Exit codes of SPEC §5. */
export const EXIT_OK = 0
/** Findings: stale output or breaking changes. */
export const EXIT_FINDINGS = 1
/** Usage, input or tool error. */
export const EXIT_ERROR = 2

export interface CliContext {
  /** The directory relative paths are resolved from. */
  readonly cwd: string
  /** Writes to standard output (text should end with a newline). */
  readonly stdout: (text: string) => void
  /** Writes to standard error. */
  readonly stderr: (text: string) => void
  /** Ends long-running commands (`--watch`, `beacon`) when aborted. */
  readonly signal: AbortSignal
  /** The exit code the process ends with; a command raises it to report findings. */
  exitCode: number
}

/** Builds one commander command bound to a context. */
export type CommandFactory = (context: CliContext) => Command
