/**
 * Loads a project: config, schema files, schema modules, IR. Shared by `generate`, `check` and
 * `ids`, which differ only in what they do with the result.
 */

import { GeneratorError } from './errors.ts'
import { buildProject } from './ir/build.ts'
import type { ProjectIR } from './ir/model.ts'
import { loadConfig, type ResolvedConfig } from './load/config.ts'
import { findSchemaFiles } from './load/files.ts'
import { importModules } from './load/import.ts'

export interface LoadedProject {
  readonly config: ResolvedConfig
  readonly ir: ProjectIR
}

/** Loads the project of `cwd` (or of the `--config` file). */
export async function loadProject(cwd: string, configFile?: string): Promise<LoadedProject> {
  const config = await loadConfig(cwd, configFile)
  return { config, ir: await loadIR(config) }
}

/** Loads the schema modules of a resolved config and builds the IR. */
export async function loadIR(config: ResolvedConfig): Promise<ProjectIR> {
  const files = await findSchemaFiles(config)
  if (files.length === 0) {
    throw new GeneratorError(
      config.file === undefined ? {} : { file: config.file },
      `no schema modules match ${config.schemas.join(', ')} in ${config.root}`,
      'put schema modules under schemas/ or set `schemas` in mosaik.config.ts',
    )
  }
  const namespaces = await importModules(
    files.map((f) => f.absolute),
    (absolute) => files.find((f) => f.absolute === absolute)?.source ?? absolute,
  )
  return buildProject(files.map((file, i) => ({ file, namespace: namespaces[i] ?? {} })))
}
