/** The `index.ts` barrel: re-exports every generated module. */
import { type SourceFileStructure, StructureKind } from 'ts-morph'
import type { ModuleIR } from '../generator/ir/model.ts'
import { header } from './header.ts'
import { type EmitSettings, relativeSpecifier } from './module.ts'

export function barrelStructure(modules: readonly ModuleIR[], settings: EmitSettings): SourceFileStructure {
  return {
    kind: StructureKind.SourceFile,
    statements: [
      header(settings.version, undefined),
      ...modules.map((m) => ({
        kind: StructureKind.ExportDeclaration as const,
        moduleSpecifier: relativeSpecifier('index.ts', m.output, settings.importExtension),
      })),
      ...(modules.length === 0 ? ['export {};'] : []),
    ],
  }
}
