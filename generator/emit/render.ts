/**
 * Renders the project IR to file contents: one module per schema module plus the `index.ts`
 * barrel, keyed by path relative to the output directory.
 */
import { barrelStructure } from '../../templates/barrel.ts'
import { type EmitSettings, moduleStructure } from '../../templates/module.ts'
import type { ProjectIR } from '../ir/model.ts'
import { printFile } from './print.ts'

/** The barrel's file name inside the output directory. */
export const BARREL = 'index.ts'

/** Generated files: relative path → content, in path order. */
export function renderProject(ir: ProjectIR, settings: EmitSettings): Map<string, string> {
  const files = new Map<string, string>()
  for (const module of ir.modules) files.set(module.output, printFile(moduleStructure(module, settings)))
  files.set(BARREL, printFile(barrelStructure(ir.modules, settings)))
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
