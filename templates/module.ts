/**
 * One generated module per schema module: header, imports (codegen-v1 factories and types, types
 * from sibling generated modules), the named schema types, then each declaration's types and handle.
 */
import path from 'node:path'
import {
  type ImportDeclarationStructure,
  type SourceFileStructure,
  type StatementStructures,
  StructureKind,
  type WriterFunction,
} from 'ts-morph'
import type { DeclarationIR, ModuleIR, TsType } from '../generator/ir/model.ts'
import { collectionStatements } from './collection.ts'
import { groupStatements } from './group.ts'
import { header } from './header.ts'
import { namedTypeStatement } from './named-type.ts'
import { streamStatements } from './stream.ts'

/** Output settings shared by every generated file. */
export interface EmitSettings {
  /** The mosaik version written into headers. */
  readonly version: string
  /** Extension of relative imports: '.js', '.ts' or ''. */
  readonly importExtension: string
}

/** The module specifier of the codegen contract; the only runtime import of generated code. */
export const CODEGEN_MODULE = 'mosaik/codegen-v1'

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Calls `visit` for every type reference inside `type`. */
function forEachRef(type: TsType, visit: (ref: Extract<TsType, { kind: 'ref' }>) => void): void {
  switch (type.kind) {
    case 'ref':
      visit(type)
      return
    case 'array':
      forEachRef(type.items, visit)
      return
    case 'record':
      forEachRef(type.value, visit)
      return
    case 'tuple':
      for (const item of type.items) forEachRef(item, visit)
      return
    case 'union':
    case 'intersection':
      for (const member of type.members) forEachRef(member, visit)
      return
    case 'object':
      for (const property of type.properties) forEachRef(property.type, visit)
      return
    default:
  }
}

/** Every IR type a module prints. */
function typesOf(ir: ModuleIR): TsType[] {
  const types: TsType[] = ir.types.map((t) => t.type)
  for (const d of ir.declarations) {
    if (d.kind === 'stream') types.push(d.datum)
    else if (d.kind === 'group') {
      for (const c of d.commands) types.push(c.type)
      for (const q of d.queries) types.push(q.input, q.output)
    } else {
      for (const t of [d.key, d.value, d.priority]) if (t) types.push(t)
    }
  }
  return types
}

/** `./orders.js` from `a/b.ts` to `a/orders.ts`, with the configured extension. */
export function relativeSpecifier(from: string, to: string, extension: string): string {
  const relative = path.posix.relative(path.posix.dirname(from), to).replace(/\.ts$/, extension)
  return relative.startsWith('.') ? relative : `./${relative}`
}

function imports(ir: ModuleIR, settings: EmitSettings): ImportDeclarationStructure[] {
  const factories = new Set(ir.declarations.map((d) => d.kind))
  const named: { name: string; isTypeOnly?: boolean }[] = [...factories].map((name) => ({ name }))
  if (factories.has('group')) named.push({ name: 'ApplyContext', isTypeOnly: true })
  const contract: ImportDeclarationStructure[] =
    named.length === 0
      ? []
      : [
          {
            kind: StructureKind.ImportDeclaration,
            moduleSpecifier: CODEGEN_MODULE,
            namedImports: named.sort((a, b) => compareStrings(a.name, b.name)),
          },
        ]
  const siblings = new Map<string, Set<string>>()
  for (const type of typesOf(ir)) {
    forEachRef(type, (ref) => {
      if (ref.module === ir.output) return
      const names = siblings.get(ref.module) ?? new Set<string>()
      names.add(ref.name)
      siblings.set(ref.module, names)
    })
  }
  const local = [...siblings.keys()].sort(compareStrings).map(
    (module): ImportDeclarationStructure => ({
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: relativeSpecifier(ir.output, module, settings.importExtension),
      namedImports: [...(siblings.get(module) as Set<string>)].sort(compareStrings),
    }),
  )
  return [...contract, ...local]
}

function declarationStatements(ir: DeclarationIR): (StatementStructures | WriterFunction)[] {
  switch (ir.kind) {
    case 'stream':
      return streamStatements(ir)
    case 'group':
      return groupStatements(ir)
    default:
      return collectionStatements(ir)
  }
}

/** The structure of a generated module. */
export function moduleStructure(ir: ModuleIR, settings: EmitSettings): SourceFileStructure {
  const body = [...ir.types.map(namedTypeStatement), ...ir.declarations.flatMap(declarationStatements)]
  return {
    kind: StructureKind.SourceFile,
    statements: [
      header(settings.version, ir.source),
      ...imports(ir, settings),
      ...(body.length === 0 ? ['export {};'] : body),
    ],
  }
}
