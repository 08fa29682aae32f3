/**
 * Imports user TypeScript modules (config and schema modules) with tsx's scoped loader, so a user
 * on Node ≥ 22.12 needs no flags or build step. Each load runs in a fresh tsx namespace — a module
 * imported again (in `--watch`) is evaluated again — and the loader hooks are removed afterwards.
 */
import { pathToFileURL } from 'node:url'
import { register } from 'tsx/esm/api'
import { GeneratorError } from '../errors.ts'

let sessions = 0

/** A module's namespace: export name → value. */
export type ModuleNamespace = Readonly<Record<string, unknown>>

/**
 * Imports every file (absolute paths) and returns their namespaces in the same order. A module that
 * fails to load (syntax error, a throwing top-level statement, a missing import) becomes a
 * GeneratorError naming the file; `display` maps an absolute path to how it is shown.
 */
export async function importModules(
  files: readonly string[],
  display: (file: string) => string,
): Promise<ModuleNamespace[]> {
  const api = register({ namespace: `mosaik-generate-${++sessions}` })
  try {
    const out: ModuleNamespace[] = []
    for (const file of files) {
      try {
        out.push((await api.import(pathToFileURL(file).href, import.meta.url)) as ModuleNamespace)
      } catch (cause) {
        throw loadError(display(file), cause)
      }
    }
    return out
  } finally {
    await api.unregister()
  }
}

function loadError(file: string, cause: unknown): GeneratorError {
  const message = cause instanceof Error ? cause.message : String(cause)
  if (/Transform failed|ERROR:|SyntaxError/.test(message) || (cause as Error)?.name === 'SyntaxError') {
    return new GeneratorError(
      { file },
      `syntax error: ${syntaxSummary(message)}`,
      'fix the TypeScript syntax',
      {
        cause,
      },
    )
  }
  return new GeneratorError(
    { file },
    `failed to load: ${firstLines(message)}`,
    'a schema module must import cleanly: check its imports and the values passed to define*()',
    { cause },
  )
}

/** esbuild reports `file:line:col: ERROR: message`; keep the location and message only. */
function syntaxSummary(message: string): string {
  const match = /:(\d+):(\d+): ERROR: (.*)/.exec(message)
  return match ? `line ${match[1]}, column ${match[2]}: ${match[3]}` : firstLines(message)
}

function firstLines(message: string): string {
  return message.split('\n').slice(0, 3).join(' ').trim()
}
