/**
 * Builds the IR from loaded schema modules: classifies every export (declaration, TypeBox schema,
 * or a mistake), validates and canonicalizes every schema with located errors, computes the
 * descriptors (signatures, StreamId, typeSignature), and names the TypeScript types — exported
 * schemas keep their export names, complex inline schemas get `<Export><Role>` names.
 */

import type {
  CollectionDescriptor,
  Descriptor,
  GroupDescriptor,
  SchemaDescriptor,
} from '../../runtime/codegen/descriptors.ts'
import { typeSignatureOfDescriptor } from '../../runtime/codegen/verify.ts'
import { canonicalSchema, signatureOfCanonical, UnsupportedSchemaError } from '../../schemas/canonical.ts'
import { type Declaration, isDeclaration } from '../../schemas/declarations.ts'
import { streamIdOf } from '../../schemas/identity.ts'
import { isRecord } from '../../schemas/walk.ts'
import { GeneratorError } from '../errors.ts'
import type { SchemaFile } from '../load/files.ts'
import type { ModuleNamespace } from '../load/import.ts'
import type {
  CollectionIR,
  DeclarationIR,
  GroupIR,
  ModuleIR,
  NamedType,
  ProjectIR,
  StreamIR,
  TsType,
} from './model.ts'
import { deservesName, toTsType } from './ts-type.ts'

/** A loaded schema module. */
export interface LoadedModule {
  readonly file: SchemaFile
  readonly namespace: ModuleNamespace
}

type Schema = Record<string, unknown>

interface FoundDeclaration {
  readonly file: SchemaFile
  readonly exportName: string
  readonly declaration: Declaration
}

interface FoundSchema {
  readonly file: SchemaFile
  readonly name: string
  readonly schema: Schema
}

/** TypeBox 1.x marks schemas with a non-enumerable `~kind`; 0.34 with a `TypeBox.Kind` symbol. */
function isTypeBoxSchema(value: unknown): value is Schema {
  return isRecord(value) && (Object.hasOwn(value, '~kind') || Symbol.for('TypeBox.Kind') in value)
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** PascalCase of an identifier: `order_book` → `OrderBook`, `matcher` → `Matcher`. */
export function pascalCase(name: string): string {
  return name
    .split(/[_$-]+/)
    .filter(Boolean)
    .map((part) => (part[0] as string).toUpperCase() + part.slice(1))
    .join('')
}

/** Classifies the exports of every module; same objects re-exported elsewhere count once. */
function classify(modules: readonly LoadedModule[]): {
  declarations: FoundDeclaration[]
  schemas: FoundSchema[]
} {
  const declarations: FoundDeclaration[] = []
  const schemas: FoundSchema[] = []
  const seen = new Set<unknown>()
  for (const { file, namespace } of modules) {
    for (const exportName of Object.keys(namespace).sort(compareStrings)) {
      const value = namespace[exportName]
      if (seen.has(value)) continue
      if (isDeclaration(value)) {
        if (exportName === 'default') {
          throw new GeneratorError(
            { file: file.source, exportName },
            'a declaration must be a named export',
            `export const ${value.name.replace(/\W/g, '_')} = define…({ … })`,
          )
        }
        declarations.push({ file, exportName, declaration: value })
      } else if (isTypeBoxSchema(value)) {
        if (exportName === 'default') continue
        schemas.push({ file, name: exportName, schema: value })
      } else {
        throw notADeclaration(file, exportName, value)
      }
      seen.add(value)
    }
  }
  return { declarations, schemas }
}

function notADeclaration(file: SchemaFile, exportName: string, value: unknown): GeneratorError {
  const looksLikeSpec = isRecord(value) && typeof value.name === 'string'
  return new GeneratorError(
    { file: file.source, exportName },
    looksLikeSpec
      ? 'is a plain object, not a declaration'
      : `is ${value === null ? 'null' : typeof value}, neither a declaration nor a TypeBox schema`,
    looksLikeSpec
      ? 'wrap it in defineStream/defineGroup/defineMap/… from mosaik/schema'
      : 'schema modules export only declarations (define*) and TypeBox schemas; move other values to another module',
  )
}

/** Runs canonicalization, turning schema problems into located errors. */
function canonical(
  found: { file: SchemaFile; name: string },
  schema: unknown,
  prefix: string,
): SchemaDescriptor {
  try {
    const normalized = canonicalSchema(schema, prefix)
    return { schema: normalized, signature: signatureOfCanonical(normalized).hex }
  } catch (err) {
    if (err instanceof UnsupportedSchemaError) {
      throw new GeneratorError(
        { file: found.file.source, exportName: found.name, path: err.path || '/' },
        err.message.replace(/^unsupported schema at '[^']*': /, 'unsupported schema: '),
        err.hint,
        { cause: err },
      )
    }
    throw err
  }
}

function describe(declaration: Declaration): { description?: string } {
  return declaration.description === undefined ? {} : { description: declaration.description }
}

/** The embedded descriptor of a declaration (validated, canonical, with ids). */
function descriptorOf(found: FoundDeclaration): Descriptor {
  const { declaration } = found
  const site = { file: found.file, name: found.exportName }
  const base = { name: declaration.name, ...describe(declaration) }
  switch (declaration.kind) {
    case 'stream':
      return {
        kind: 'stream',
        ...base,
        datum: canonical(site, declaration.datum, '/datum'),
        streamId: streamIdOf(declaration.name).hex,
      }
    case 'group': {
      const commands = Object.fromEntries(
        Object.keys(declaration.commands)
          .sort(compareStrings)
          .map((name) => [name, canonical(site, declaration.commands[name], `/commands/${name}`)]),
      )
      const queries = Object.fromEntries(
        Object.keys(declaration.queries)
          .sort(compareStrings)
          .map((name) => {
            const query = declaration.queries[name]
            return [
              name,
              {
                input: canonical(site, query?.input, `/queries/${name}/input`),
                output: canonical(site, query?.output, `/queries/${name}/output`),
              },
            ]
          }),
      )
      const descriptor: Omit<GroupDescriptor, 'typeSignature'> = { kind: 'group', ...base, commands, queries }
      return withTypeSignature(descriptor as GroupDescriptor)
    }
    case 'map':
      return withTypeSignature({
        kind: 'map',
        ...base,
        key: canonical(site, declaration.key, '/key'),
        value: canonical(site, declaration.value, '/value'),
      } as CollectionDescriptor)
    case 'priorityQueue':
      return withTypeSignature({
        kind: 'priorityQueue',
        ...base,
        priority: canonical(site, declaration.priority, '/priority'),
        key: canonical(site, declaration.key, '/key'),
        value: canonical(site, declaration.value, '/value'),
        ...(declaration.capacity === undefined ? {} : { capacity: declaration.capacity }),
      } as CollectionDescriptor)
    case 'vec':
    case 'set':
    case 'cell':
    case 'once':
      return withTypeSignature({
        kind: declaration.kind,
        ...base,
        value: canonical(site, declaration.value, '/value'),
      } as CollectionDescriptor)
  }
}

function withTypeSignature<D extends GroupDescriptor | CollectionDescriptor>(descriptor: D): D {
  return { ...descriptor, typeSignature: typeSignatureOfDescriptor({ ...descriptor, typeSignature: '' }).hex }
}

/** Rejects two different declarations with the same name (they would share an identity). */
function assertUniqueNames(declarations: readonly FoundDeclaration[]): void {
  const byName = new Map<string, FoundDeclaration>()
  for (const found of declarations) {
    const other = byName.get(found.declaration.name)
    if (other) {
      throw new GeneratorError(
        { file: found.file.source, exportName: found.exportName },
        `duplicate declaration name '${found.declaration.name}' (also ${other.file.source}, export '${other.exportName}')`,
        'declaration names feed the ids, so each must be unique in the project; rename one',
      )
    }
    byName.set(found.declaration.name, found)
  }
}

/** Name registry: which TypeScript name a schema object prints as. */
class TypeNames {
  readonly #byObject = new Map<object, TsType>()
  readonly #byJson = new Map<string, TsType>()
  readonly #owners = new Map<string, string>()

  /** Registers a generated name, rejecting a clash with another one anywhere in the output. */
  claim(name: string, owner: string, module: string): TsType {
    const previous = this.#owners.get(name)
    if (previous !== undefined) {
      throw new GeneratorError(
        { file: module },
        `generated name '${name}' (${owner}) clashes with ${previous}`,
        'generated modules are re-exported by one barrel, so every exported name must be unique; rename an export',
      )
    }
    this.#owners.set(name, `${owner} in ${module}`)
    return { kind: 'ref', name, module }
  }

  /** Registers an exported schema so that uses elsewhere print as its name. */
  register(schema: Schema, ref: TsType): void {
    this.#byObject.set(schema, ref)
    if (isStructural(schema)) this.#byJson.set(JSON.stringify(schema), ref)
  }

  /** The name of `schema`, by identity or — for objects TypeBox copied (e.g. Type.Optional) — by content. */
  resolve = (schema: Schema): TsType | undefined =>
    this.#byObject.get(schema) ??
    (isStructural(schema) ? this.#byJson.get(JSON.stringify(schema)) : undefined)
}

/** Object-like schemas are matched by content too; scalars never (every string would match). */
function isStructural(schema: Schema): boolean {
  return schema.type === 'object' || Array.isArray(schema.anyOf) || Array.isArray(schema.allOf)
}

interface ModuleTypes {
  readonly types: NamedType[]
}

/** Names a role type `<Export><Role>` when it is complex, else keeps it inline. */
function roleType(
  schema: unknown,
  inlineName: string,
  owner: string,
  file: SchemaFile,
  names: TypeNames,
  into: ModuleTypes,
): TsType {
  const type = toTsType(schema, names.resolve)
  if (type.kind === 'ref' || !deservesName(type)) return type
  const ref = names.claim(inlineName, owner, file.output)
  const description =
    isRecord(schema) && typeof schema.description === 'string' ? schema.description : undefined
  into.types.push({ name: inlineName, type, ...(description === undefined ? {} : { description }) })
  return ref
}

function declarationIR(found: FoundDeclaration, names: TypeNames, into: ModuleTypes): DeclarationIR {
  const { declaration, exportName, file } = found
  const descriptor = descriptorOf(found)
  const prefix = pascalCase(exportName)
  const owner = `a type of '${exportName}'`
  const role = (schema: unknown, suffix: string): TsType =>
    roleType(schema, `${prefix}${suffix}`, owner, file, names, into)
  names.claim(exportName, `declaration '${declaration.name}'`, file.output)
  switch (declaration.kind) {
    case 'stream':
      return { kind: 'stream', exportName, descriptor, datum: role(declaration.datum, 'Datum') } as StreamIR
    case 'group': {
      const typeNames = {
        commands: `${prefix}Commands`,
        queries: `${prefix}Queries`,
        machine: `${prefix}Machine`,
      }
      for (const name of Object.values(typeNames)) names.claim(name, owner, file.output)
      const sorted = <T>(record: Readonly<Record<string, T>>): [string, T][] =>
        Object.entries(record).sort(([a], [b]) => compareStrings(a, b))
      const docOf = (schema: unknown): { description?: string } =>
        isRecord(schema) && typeof schema.description === 'string' ? { description: schema.description } : {}
      return {
        kind: 'group',
        exportName,
        descriptor,
        typeNames,
        commands: sorted(declaration.commands).map(([name, schema]) => ({
          name,
          type: role(schema, `${pascalCase(name)}Command`),
          ...docOf(schema),
        })),
        queries: sorted(declaration.queries).map(([name, query]) => ({
          name,
          input: role(query.input, `${pascalCase(name)}Input`),
          output: role(query.output, `${pascalCase(name)}Output`),
          ...docOf(query.output),
        })),
      } as GroupIR
    }
    case 'map':
      return {
        kind: 'map',
        exportName,
        descriptor,
        key: role(declaration.key, 'Key'),
        value: role(declaration.value, 'Value'),
      } as CollectionIR
    case 'priorityQueue':
      return {
        kind: 'priorityQueue',
        exportName,
        descriptor,
        priority: role(declaration.priority, 'Priority'),
        key: role(declaration.key, 'Key'),
        value: role(declaration.value, 'Value'),
      } as CollectionIR
    default:
      return {
        kind: declaration.kind,
        exportName,
        descriptor,
        value: role(declaration.value, 'Value'),
      } as CollectionIR
  }
}

/** Builds the project IR from loaded modules (sorted by source path). */
export function buildProject(modules: readonly LoadedModule[]): ProjectIR {
  const { declarations, schemas } = classify(modules)
  const names = new TypeNames()
  const typesByModule = new Map<string, ModuleTypes>(modules.map((m) => [m.file.source, { types: [] }]))

  for (const found of schemas) {
    canonical({ file: found.file, name: found.name }, found.schema, '')
    names.register(found.schema, names.claim(found.name, `schema '${found.name}'`, found.file.output))
  }
  for (const found of schemas) {
    const description =
      typeof found.schema.description === 'string' ? { description: found.schema.description } : {}
    typesByModule.get(found.file.source)?.types.push({
      name: found.name,
      type: toTsType(found.schema, names.resolve, true),
      ...description,
    })
  }
  assertUniqueNames(declarations)
  const declarationsByModule = new Map<string, DeclarationIR[]>()
  for (const found of declarations) {
    const into = typesByModule.get(found.file.source) as ModuleTypes
    const list = declarationsByModule.get(found.file.source) ?? []
    list.push(declarationIR(found, names, into))
    declarationsByModule.set(found.file.source, list)
  }
  return {
    modules: modules
      .map(
        ({ file }): ModuleIR => ({
          source: file.source,
          output: file.output,
          types: [...(typesByModule.get(file.source)?.types ?? [])].sort((a, b) =>
            compareStrings(a.name, b.name),
          ),
          declarations: [...(declarationsByModule.get(file.source) ?? [])].sort((a, b) =>
            compareStrings(a.exportName, b.exportName),
          ),
        }),
      )
      .sort((a, b) => compareStrings(a.output, b.output)),
  }
}
