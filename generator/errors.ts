/**
 * Errors in user input — schema files, config, lock file, CLI arguments — reported with where the
 * problem is and what to do. The CLI prints them without a stack trace and exits with code 2.
 */
import { MosaikError } from '../runtime/primitives/errors.ts'

/** Where a problem is: a file, and optionally the export in it. */
export interface Location {
  /** Path as the user would type it (relative to the project root when inside it). */
  readonly file?: string
  /** The export name inside a schema module. */
  readonly exportName?: string
  /** A JSON pointer inside the export or file. */
  readonly path?: string
}

/** A problem with the user's input, located, with a hint. Exit code 2. */
export class GeneratorError extends MosaikError {
  readonly location: Location
  readonly reason: string
  readonly hint: string

  constructor(location: Location, reason: string, hint: string, options: { cause?: unknown } = {}) {
    super('ERR_INVALID_INPUT', formatProblem(location, reason, hint), {
      ...options,
      details: { ...location, reason, hint },
    })
    this.location = location
    this.reason = reason
    this.hint = hint
  }
}

function formatProblem(location: Location, reason: string, hint: string): string {
  const where = [
    location.file,
    location.exportName === undefined ? undefined : `export '${location.exportName}'`,
    location.path ? `at ${location.path}` : undefined,
  ]
    .filter(Boolean)
    .join(': ')
  return `${where ? `${where}: ` : ''}${reason}\n  hint: ${hint}`
}
