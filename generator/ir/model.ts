/**
 * The intermediate representation between loading schema modules and printing code: per schema
 * module, the named TypeScript types to emit and the declarations with their descriptors (what gets
 * embedded) and their TypeScript types (what the handles are parameterized with). Templates read
 * only this; nothing here knows about TypeBox objects or ts-morph.
 */
import type {
  CollectionDescriptor,
  CollectionKind,
  Descriptor,
  GroupDescriptor,
  StreamDescriptor,
} from '../../runtime/codegen/descriptors.ts'

/** A TypeScript type, as the generated code spells it. */
export type TsType =
  | {
      readonly kind: 'keyword'
      readonly name: 'string' | 'number' | 'boolean' | 'bigint' | 'null' | 'unknown'
    }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'ref'; readonly name: string; readonly module: string }
  | { readonly kind: 'array'; readonly items: TsType }
  | { readonly kind: 'tuple'; readonly items: readonly TsType[] }
  | { readonly kind: 'union'; readonly members: readonly TsType[] }
  | { readonly kind: 'intersection'; readonly members: readonly TsType[] }
  | { readonly kind: 'record'; readonly key: 'string' | 'number'; readonly value: TsType }
  | { readonly kind: 'object'; readonly properties: readonly TsProperty[] }

/** One property of an object type. */
export interface TsProperty {
  readonly name: string
  readonly type: TsType
  readonly optional: boolean
  readonly readonly: boolean
  readonly description?: string
}

/** A named type emitted by a module: an interface when it is an object, else a type alias. */
export interface NamedType {
  readonly name: string
  readonly type: TsType
  readonly description?: string
}

interface DeclarationBase<D extends Descriptor> {
  /** The export name in the schema module (and in the generated module). */
  readonly exportName: string
  readonly descriptor: D
}

export interface StreamIR extends DeclarationBase<StreamDescriptor> {
  readonly kind: 'stream'
  readonly datum: TsType
}

export interface CommandIR {
  readonly name: string
  readonly type: TsType
  readonly description?: string
}

export interface QueryIR {
  readonly name: string
  readonly input: TsType
  readonly output: TsType
  readonly description?: string
}

export interface GroupIR extends DeclarationBase<GroupDescriptor> {
  readonly kind: 'group'
  /** Sorted by name. */
  readonly commands: readonly CommandIR[]
  /** Sorted by name. */
  readonly queries: readonly QueryIR[]
  /** Names of the generated helper types. */
  readonly typeNames: { readonly commands: string; readonly queries: string; readonly machine: string }
}

export interface CollectionIR extends DeclarationBase<CollectionDescriptor> {
  readonly kind: CollectionKind
  readonly key?: TsType
  readonly value: TsType
  readonly priority?: TsType
}

export type DeclarationIR = StreamIR | GroupIR | CollectionIR

/** One schema module and what its generated module contains. */
export interface ModuleIR {
  /** The schema module, relative to the project root, with '/' separators. */
  readonly source: string
  /** The generated module, relative to `out`, with '/' separators; ends in `.ts`. */
  readonly output: string
  /** Sorted by name. */
  readonly types: readonly NamedType[]
  /** Sorted by export name. */
  readonly declarations: readonly DeclarationIR[]
}

/** Everything `generate` prints. Modules are sorted by output path. */
export interface ProjectIR {
  readonly modules: readonly ModuleIR[]
}
