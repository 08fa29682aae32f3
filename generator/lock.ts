/**
 * `mosaik.lock.json`: the committed record of every declaration — name, kind, where it is declared,
 * canonical schemas, signatures and StreamId/typeSignature — written by `generate` and used by
 * `check` as the baseline, so every id change can be explained later. Reading validates the file
 * fully (shape and internal consistency); a corrupt lock file is an input error, never a guess.
 */
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import type { Descriptor } from '../runtime/codegen/descriptors.ts'
import { verifyDescriptor } from '../runtime/codegen/verify.ts'
import { MosaikError } from '../runtime/primitives/errors.ts'
import { GeneratorError } from './errors.ts'
import type { ProjectIR } from './ir/model.ts'

export const LOCKFILE_VERSION = 1

/** `Omit` applied to each member of a union. */
type WithoutDescription<D> = D extends unknown ? Omit<D, 'description'> : never

/** One declaration in the lock file: its descriptor (without docs) and where it is declared. */
export type LockEntry = WithoutDescription<Descriptor> & {
  /** The schema module, relative to the project root. */
  readonly module: string
  /** The export name in that module. */
  readonly export: string
}

export interface Lockfile {
  readonly lockfileVersion: typeof LOCKFILE_VERSION
  /** By declaration name, sorted. */
  readonly declarations: { readonly [name: string]: LockEntry }
}

const Hex = Type.String({ pattern: '^[0-9a-f]{64}$' })
const SchemaEntry = Type.Object({ schema: Type.Record(Type.String(), Type.Unknown()), signature: Hex })
const Located = { name: Type.String({ minLength: 1 }), module: Type.String(), export: Type.String() }
const valueKinds = ['vec', 'set', 'cell', 'once'] as const
const LockEntrySchema = Type.Union([
  Type.Object({ ...Located, kind: Type.Literal('stream'), datum: SchemaEntry, streamId: Hex }),
  Type.Object({
    ...Located,
    kind: Type.Literal('group'),
    commands: Type.Record(Type.String(), SchemaEntry),
    queries: Type.Record(Type.String(), Type.Object({ input: SchemaEntry, output: SchemaEntry })),
    typeSignature: Hex,
  }),
  Type.Object({
    ...Located,
    kind: Type.Literal('map'),
    key: SchemaEntry,
    value: SchemaEntry,
    typeSignature: Hex,
  }),
  Type.Object({
    ...Located,
    kind: Type.Literal('priorityQueue'),
    priority: SchemaEntry,
    key: SchemaEntry,
    value: SchemaEntry,
    capacity: Type.Optional(Type.Integer({ minimum: 1 })),
    typeSignature: Hex,
  }),
  ...valueKinds.map((kind) =>
    Type.Object({ ...Located, kind: Type.Literal(kind), value: SchemaEntry, typeSignature: Hex }),
  ),
])
const LockfileSchema = Type.Object({
  lockfileVersion: Type.Literal(LOCKFILE_VERSION),
  declarations: Type.Record(Type.String(), LockEntrySchema),
})
const checkLockfile = Compile(LockfileSchema)

function withoutDescription(descriptor: Descriptor): Omit<Descriptor, 'description'> {
  const { description: _description, ...rest } = descriptor
  return rest
}

/** The lock file describing a project. */
export function lockfileOf(ir: ProjectIR): Lockfile {
  const entries: [string, LockEntry][] = []
  for (const module of ir.modules) {
    for (const d of module.declarations) {
      const { kind, name, ...rest } = withoutDescription(d.descriptor)
      entries.push([name, { kind, name, module: module.source, export: d.exportName, ...rest } as LockEntry])
    }
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { lockfileVersion: LOCKFILE_VERSION, declarations: Object.fromEntries(entries) }
}

/** The lock file's text: 2-space JSON with a final newline. */
export function serializeLockfile(lock: Lockfile): string {
  return `${JSON.stringify(lock, null, 2)}\n`
}

/** Parses and validates lock file text; `file` names it in errors. */
export function parseLockfile(text: string, file: string): Lockfile {
  const corrupt = (reason: string, path?: string): GeneratorError =>
    new GeneratorError(
      path === undefined ? { file } : { file, path },
      `corrupt lock file: ${reason}`,
      'restore it from version control, or regenerate it with `mosaik generate`',
    )
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw corrupt(`not valid JSON (${(err as Error).message})`)
  }
  if (!checkLockfile.Check(value)) {
    const [first] = checkLockfile.Errors(value)
    throw corrupt(first?.message ?? 'unexpected shape', first?.instancePath || '/')
  }
  const lock = value as Lockfile
  for (const [name, entry] of Object.entries(lock.declarations)) {
    if (entry.name !== name)
      throw corrupt(`entry '${name}' is named '${entry.name}'`, `/declarations/${name}`)
    try {
      verifyDescriptor(entry as unknown as Descriptor, entry.kind)
    } catch (err) {
      if (err instanceof MosaikError)
        throw corrupt(String(err.details.problem ?? err.message), `/declarations/${name}`)
      throw err
    }
  }
  return lock
}
