/**
 * Validators compiled from the canonical schemas embedded in generated code. The runtime validates
 * every value it sends or receives with them; a failure is a `ValidationError` naming the
 * declaration, the peer (when the value came from one) and the JSON path of the first problem.
 * Mosaik's extra types (bytes, u64, i64) get their checks back from their `x-mosaik` markers.
 */
import { Compile, type Validator as TypeBoxValidator } from 'typebox/compile'
import { restoreExtraChecks } from '../../schemas/types.ts'
import { ValidationError } from '../primitives/errors.ts'
import type { CanonicalSchema, SchemaDescriptor } from './descriptors.ts'

/** Where a value being validated comes from, for the error message. */
export interface ValidationContext {
  /** The sending peer's id, when the value came from the network. */
  readonly peer?: string
  /** Which part of the declaration (`datum`, `command place`, `value`…). */
  readonly role?: string
}

/** A compiled check of one schema. */
export interface Validator<T> {
  /** The declaration the schema belongs to. */
  readonly declaration: string
  /** True when `value` matches the schema. */
  check(value: unknown): value is T
  /** Returns `value` typed when it matches; throws ValidationError otherwise. */
  parse(value: unknown, context?: ValidationContext): T
}

/** Compiles a validator for `schema` (canonical JSON, as embedded in generated code). */
export function compileValidator<T>(declaration: string, schema: CanonicalSchema): Validator<T> {
  const compiled = Compile(restoreExtraChecks(schema) as Parameters<typeof Compile>[0]) as TypeBoxValidator
  return {
    declaration,
    check: (value: unknown): value is T => compiled.Check(value),
    parse(value: unknown, context: ValidationContext = {}): T {
      if (compiled.Check(value)) return value as T
      const [first] = compiled.Errors(value)
      const path = first?.instancePath ?? ''
      const reason = [context.role, first?.message ?? 'does not match the schema'].filter(Boolean).join(': ')
      const peer = context.peer === undefined ? '' : ` from peer ${context.peer}`
      throw new ValidationError(declaration, path, `${reason}${peer}`, { details: { ...context } })
    },
  }
}

const cache = new WeakMap<SchemaDescriptor, Validator<unknown>>()

/** The validator of one embedded schema, compiled once per descriptor object. */
export function validatorOf<T>(declaration: string, schema: SchemaDescriptor): Validator<T> {
  let validator = cache.get(schema)
  if (validator === undefined || validator.declaration !== declaration) {
    validator = compileValidator(declaration, schema.schema)
    cache.set(schema, validator)
  }
  return validator as Validator<T>
}
