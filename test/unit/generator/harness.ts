/** Runs the `mosaik` CLI in-process against throwaway projects. */

import { afterEach } from 'vitest'
import { checkCommand } from '../../../generator/commands/check.ts'
import { generateCommand } from '../../../generator/commands/generate.ts'
import { idsCommand } from '../../../generator/commands/ids.ts'
import { rulesCommand } from '../../../generator/commands/rules.ts'
import { runCli } from '../../../generator/run.ts'
import { tempProject } from '../../golden/cases.ts'

export { tempProject }

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `mosaik <args>` in `cwd`; `signal` ends long-running commands. */
export async function mosaik(args: string[], cwd: string, signal?: AbortSignal): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, [generateCommand, checkCommand, idsCommand, rulesCommand], {
    cwd,
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    ...(signal ? { signal } : {}),
  })
  return { code, stdout, stderr }
}

/** A schema module header. */
export const IMPORTS =
  "import Type from 'typebox'\nimport { defineMap, defineStream, defineGroup } from 'mosaik/schema'\n"

/** A small valid schema module. */
export const ORDERS = `${IMPORTS}
export const Order = Type.Object({ id: Type.String(), qty: Type.Integer() })
export const orders = defineStream({ name: 'orders', datum: Order })
export const balances = defineMap({ name: 'balances', key: Type.String(), value: Type.Integer() })
`

/**
 * Registers an afterEach that removes the projects made by the returned function, which creates a
 * throwaway project with `files` and returns its directory.
 */
export function projectsRemovedAfterEach(): (files: Record<string, string>) => string {
  const made: { remove(): void }[] = []
  afterEach(() => {
    for (const p of made.splice(0)) p.remove()
  })
  return (files) => {
    const p = tempProject(files)
    made.push(p)
    return p.dir
  }
}
