/**
 * The Ledger group of the process tests: `record({ id })` adds a write id; queries return how many
 * and which ids are held. Acknowledged writes can then be checked one by one after crashes.
 */
import Type, { type TSchema } from 'typebox'
import type { GroupDescriptor } from '../../../runtime/codegen-v1.ts'
import { group } from '../../../runtime/codegen-v1.ts'
import { canonicalSchema, signature, typeSignatureOf } from '../../../schemas/index.ts'

const Write = Type.Object({ id: Type.String({ maxLength: 64 }), pad: Type.Optional(Type.String()) })
const Empty = Type.Object({})

function schema(s: TSchema) {
  return { schema: canonicalSchema(s), signature: signature(s).hex }
}

function ledgerDescriptor(): GroupDescriptor {
  const commands = { record: schema(Write) }
  const queries = {
    count: { input: schema(Empty), output: schema(Type.Integer()) },
    ids: { input: schema(Empty), output: schema(Type.Array(Type.String())) },
  }
  const typeSignature = typeSignatureOf({
    kind: 'group',
    commands: { record: commands.record.schema },
    queries: {
      count: { input: queries.count.input.schema, output: queries.count.output.schema },
      ids: { input: queries.ids.input.schema, output: queries.ids.output.schema },
    },
  }).hex
  return { kind: 'group', name: 'ledger', commands, queries, typeSignature }
}

export type LedgerCommands = { record: { id: string; pad?: string } }
export type LedgerQueries = {
  count: { input: Record<string, never>; output: number }
  ids: { input: Record<string, never>; output: string[] }
}

export const ledger = group<LedgerCommands, LedgerQueries>(ledgerDescriptor())

/** The state machine: the set of recorded ids (snapshots sorted, so they are deterministic). */
export class LedgerMachine {
  readonly #ids = new Set<string>()
  /** Times an id was applied more than once. */
  duplicates = 0

  record(command: { id: string }): void {
    if (this.#ids.has(command.id)) this.duplicates++
    this.#ids.add(command.id)
  }

  count(): number {
    return this.#ids.size
  }

  ids(): string[] {
    return [...this.#ids].sort()
  }

  snapshot(): string[] {
    return this.ids()
  }

  restore(snapshot: string[]): void {
    this.#ids.clear()
    for (const id of snapshot) this.#ids.add(id)
  }
}
