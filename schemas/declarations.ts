/**
 * Declarations: what a schema module exports for `mosaik generate`. Each `define*` returns plain
 * data (a frozen object with a `~mosaik` marker, the kind, the name and the TypeBox schemas), so a
 * declaration can be inspected, compared and serialized without any runtime attached. The
 * generator validates the schemas thoroughly (with the file and export name in its errors); the
 * `define*` functions check only the shape, so a mistake fails at the line that made it.
 */
import type { Static, TSchema } from 'typebox'
import { InvalidInputError } from '../runtime/primitives/errors.ts'

/** The marker property that identifies a declaration (plain data, survives module duplication). */
export const DECLARATION_MARKER = '~mosaik'
/** The marker's value for this version of the declaration format. */
export const DECLARATION_VERSION = 'declaration/v1'

/** What every declaration carries. */
interface DeclarationBase<Kind extends string> {
  readonly [DECLARATION_MARKER]: typeof DECLARATION_VERSION
  readonly kind: Kind
  /** Feeds the StreamId / GroupId: renaming a declaration changes its identity. */
  readonly name: string
  /** Copied into the generated doc comments; not part of any id. */
  readonly description?: string
}

export interface StreamDeclaration<Datum extends TSchema = TSchema> extends DeclarationBase<'stream'> {
  readonly datum: Datum
}

/** A query of a group: its input and its result. */
export interface QuerySchemas<Input extends TSchema = TSchema, Output extends TSchema = TSchema> {
  readonly input: Input
  readonly output: Output
}

export interface GroupDeclaration<
  Commands extends Readonly<Record<string, TSchema>> = Readonly<Record<string, TSchema>>,
  Queries extends Readonly<Record<string, QuerySchemas>> = Readonly<Record<string, QuerySchemas>>,
> extends DeclarationBase<'group'> {
  readonly commands: Commands
  readonly queries: Queries
}

export interface MapDeclaration<Key extends TSchema = TSchema, Value extends TSchema = TSchema>
  extends DeclarationBase<'map'> {
  readonly key: Key
  readonly value: Value
}

export interface VecDeclaration<Value extends TSchema = TSchema> extends DeclarationBase<'vec'> {
  readonly value: Value
}

export interface SetDeclaration<Value extends TSchema = TSchema> extends DeclarationBase<'set'> {
  readonly value: Value
}

export interface CellDeclaration<Value extends TSchema = TSchema> extends DeclarationBase<'cell'> {
  readonly value: Value
}

export interface OnceDeclaration<Value extends TSchema = TSchema> extends DeclarationBase<'once'> {
  readonly value: Value
}

export interface PriorityQueueDeclaration<
  Priority extends TSchema = TSchema,
  Key extends TSchema = TSchema,
  Value extends TSchema = TSchema,
> extends DeclarationBase<'priorityQueue'> {
  readonly priority: Priority
  readonly key: Key
  readonly value: Value
  /** Maximum number of entries; absent means unbounded. */
  readonly capacity?: number
}

/** Any declaration. */
export type Declaration =
  | StreamDeclaration
  | GroupDeclaration
  | MapDeclaration
  | VecDeclaration
  | SetDeclaration
  | CellDeclaration
  | OnceDeclaration
  | PriorityQueueDeclaration

/** The datum type of a stream declaration, e.g. `DatumOf<typeof orders>`. */
export type DatumOf<D extends StreamDeclaration> = Static<D['datum']>

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/
const MEMBER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
/** Method names every state machine already has, or that would shadow Object.prototype. */
const RESERVED_MEMBERS = new Set(['snapshot', 'restore', ...Object.getOwnPropertyNames(Object.prototype)])

function fail(kind: string, name: unknown, message: string): never {
  const label = typeof name === 'string' ? `'${name}'` : '(unnamed)'
  throw new InvalidInputError(`invalid ${kind} declaration ${label}: ${message}`, {
    details: { kind, name, reason: message },
  })
}

function isSchemaLike(value: unknown): value is TSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkBase(kind: string, spec: { name?: unknown; description?: unknown }): void {
  if (typeof spec !== 'object' || spec === null) fail(kind, undefined, 'expected an object')
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    fail(kind, spec.name, `name must match ${NAME} (letters, digits, '_', '.', ':', '/', '-'; at most 128)`)
  }
  if (spec.description !== undefined && typeof spec.description !== 'string') {
    fail(kind, spec.name, 'description must be a string')
  }
}

function checkSchema(kind: string, name: string, role: string, value: unknown): void {
  if (!isSchemaLike(value)) fail(kind, name, `${role} must be a TypeBox schema, got ${typeof value}`)
}

function declare<D extends Declaration>(fields: Omit<D, typeof DECLARATION_MARKER>): D {
  return Object.freeze({ [DECLARATION_MARKER]: DECLARATION_VERSION, ...fields }) as D
}

function optionalDescription(description: string | undefined): { description?: string } {
  return description === undefined ? {} : { description }
}

/** Declares a typed stream of `datum` values. */
export function defineStream<Datum extends TSchema>(spec: {
  name: string
  datum: Datum
  description?: string
}): StreamDeclaration<Datum> {
  checkBase('stream', spec)
  checkSchema('stream', spec.name, 'datum', spec.datum)
  return declare({
    kind: 'stream',
    name: spec.name,
    datum: spec.datum,
    ...optionalDescription(spec.description),
  })
}

/**
 * Declares a group: a replicated state machine with named commands (each a schema) and named
 * queries (each an input and an output schema). Command and query names become method names.
 */
export function defineGroup<
  Commands extends Readonly<Record<string, TSchema>>,
  Queries extends Readonly<Record<string, QuerySchemas>> = Record<never, QuerySchemas>,
>(spec: {
  name: string
  commands: Commands
  queries?: Queries
  description?: string
}): GroupDeclaration<Commands, Queries> {
  checkBase('group', spec)
  const { name } = spec
  if (!isSchemaLike(spec.commands)) fail('group', name, 'commands must be an object of schemas')
  const queries = (spec.queries ?? {}) as Queries
  if (!isSchemaLike(queries)) fail('group', name, 'queries must be an object of { input, output }')
  const seen = new Set<string>()
  const checkMember = (what: string, member: string): void => {
    if (!MEMBER.test(member) || RESERVED_MEMBERS.has(member)) {
      fail(
        'group',
        name,
        `${what} name '${member}' must be an identifier, not snapshot/restore or an Object.prototype member`,
      )
    }
    if (seen.has(member))
      fail('group', name, `'${member}' is both a command and a query (each becomes a method)`)
    seen.add(member)
  }
  for (const [command, schema] of Object.entries(spec.commands)) {
    checkMember('command', command)
    checkSchema('group', name, `command '${command}'`, schema)
  }
  for (const [query, io] of Object.entries(queries)) {
    checkMember('query', query)
    if (!isSchemaLike(io)) fail('group', name, `query '${query}' must be { input, output }`)
    checkSchema('group', name, `query '${query}' input`, io.input)
    checkSchema('group', name, `query '${query}' output`, io.output)
  }
  return declare({
    kind: 'group',
    name,
    commands: spec.commands,
    queries,
    ...optionalDescription(spec.description),
  })
}

/** Declares a replicated Map from `key` to `value`. */
export function defineMap<Key extends TSchema, Value extends TSchema>(spec: {
  name: string
  key: Key
  value: Value
  description?: string
}): MapDeclaration<Key, Value> {
  checkBase('map', spec)
  checkSchema('map', spec.name, 'key', spec.key)
  checkSchema('map', spec.name, 'value', spec.value)
  return declare({
    kind: 'map',
    name: spec.name,
    key: spec.key,
    value: spec.value,
    ...optionalDescription(spec.description),
  })
}

type ValueSpec<Value extends TSchema> = { name: string; value: Value; description?: string }

function valueCollection<D extends VecDeclaration | SetDeclaration | CellDeclaration | OnceDeclaration>(
  kind: D['kind'],
  spec: ValueSpec<D['value']>,
): D {
  checkBase(kind, spec)
  checkSchema(kind, spec.name, 'value', spec.value)
  return declare<D>({
    kind,
    name: spec.name,
    value: spec.value,
    ...optionalDescription(spec.description),
  } as Omit<D, typeof DECLARATION_MARKER>)
}

/** Declares a replicated Vec (a list) of `value`. */
export function defineVec<Value extends TSchema>(spec: ValueSpec<Value>): VecDeclaration<Value> {
  return valueCollection('vec', spec)
}

/** Declares a replicated Set of `value`. */
export function defineSet<Value extends TSchema>(spec: ValueSpec<Value>): SetDeclaration<Value> {
  return valueCollection('set', spec)
}

/** Declares a replicated Cell holding at most one `value`. */
export function defineCell<Value extends TSchema>(spec: ValueSpec<Value>): CellDeclaration<Value> {
  return valueCollection('cell', spec)
}

/** Declares a replicated Once: the first committed write wins. */
export function defineOnce<Value extends TSchema>(spec: ValueSpec<Value>): OnceDeclaration<Value> {
  return valueCollection('once', spec)
}

/**
 * Declares a replicated double-ended priority queue of `value`s keyed by `key` and ordered by
 * `priority`, optionally bounded to `capacity` entries (the lowest-priority entries are evicted).
 */
export function definePriorityQueue<
  Priority extends TSchema,
  Key extends TSchema,
  Value extends TSchema,
>(spec: {
  name: string
  priority: Priority
  key: Key
  value: Value
  capacity?: number
  description?: string
}): PriorityQueueDeclaration<Priority, Key, Value> {
  checkBase('priorityQueue', spec)
  checkSchema('priorityQueue', spec.name, 'priority', spec.priority)
  checkSchema('priorityQueue', spec.name, 'key', spec.key)
  checkSchema('priorityQueue', spec.name, 'value', spec.value)
  const { capacity } = spec
  if (capacity !== undefined && (!Number.isSafeInteger(capacity) || capacity < 1)) {
    fail('priorityQueue', spec.name, `capacity must be a positive integer, got ${capacity}`)
  }
  return declare({
    kind: 'priorityQueue',
    name: spec.name,
    priority: spec.priority,
    key: spec.key,
    value: spec.value,
    ...(capacity === undefined ? {} : { capacity }),
    ...optionalDescription(spec.description),
  })
}

/** True when `value` is a declaration made by any copy of `mosaik/schema` (checked by its marker). */
export function isDeclaration(value: unknown): value is Declaration {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[DECLARATION_MARKER] === DECLARATION_VERSION &&
    typeof (value as Record<string, unknown>).kind === 'string'
  )
}
