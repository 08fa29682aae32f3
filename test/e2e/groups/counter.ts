/**
 * The Counter group of mosaik's group tests (`tests/groups/mod.rs`), as generated code would
 * declare it: commands `increment`/`decrement` by an amount, query `value`.
 */
import Type, { type TSchema } from 'typebox'
import type { ApplyContext, GroupDescriptor } from '../../../runtime/codegen-v1.ts'
import { group } from '../../../runtime/codegen-v1.ts'
import { canonicalSchema, signature, typeSignatureOf } from '../../../schemas/index.ts'

const Amount = Type.Object({ by: Type.Integer({ minimum: 0 }) })
const Empty = Type.Object({})
const Value = Type.Integer()

function schema(s: TSchema) {
  return { schema: canonicalSchema(s), signature: signature(s).hex }
}

/** The descriptor `mosaik generate` would embed for a Counter group named `name`. */
export function counterDescriptor(name = 'counter'): GroupDescriptor {
  const commands = { decrement: schema(Amount), increment: schema(Amount) }
  const queries = { value: { input: schema(Empty), output: schema(Value) } }
  const typeSignature = typeSignatureOf({
    kind: 'group',
    commands: { decrement: commands.decrement.schema, increment: commands.increment.schema },
    queries: { value: { input: queries.value.input.schema, output: queries.value.output.schema } },
  }).hex
  return { kind: 'group', name, commands, queries, typeSignature }
}

export type CounterCommands = { increment: { by: number }; decrement: { by: number } }
export type CounterQueries = { value: { input: Record<string, never>; output: number } }

/** The typed handle, as in generated code. */
export const counter = group<CounterCommands, CounterQueries>(counterDescriptor())

/** The user's state machine. */
export class CounterMachine {
  total = 0
  /** Indexes of applied commands, in order (to check exactly-once application). */
  readonly applied: number[] = []

  increment(command: { by: number }, context: ApplyContext): void {
    this.total += command.by
    this.applied.push(context.index)
  }

  /** Refuses to go below zero: the machine's error must reach whoever proposed the command. */
  decrement(command: { by: number }, context: ApplyContext): void {
    if (command.by > this.total) throw new RangeError(`cannot decrement ${this.total} by ${command.by}`)
    this.total -= command.by
    this.applied.push(context.index)
  }

  value(): number {
    return this.total
  }

  snapshot(): { total: number } {
    return { total: this.total }
  }

  restore(snapshot: { total: number }): void {
    this.total = snapshot.total
  }
}
