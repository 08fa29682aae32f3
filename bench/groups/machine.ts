/**
 * The benchmark's group: `put({ key, value })` into a key-value state, declared as generated code
 * would declare it (schemas validated on every proposal and every apply).
 */
import Type, { type TSchema } from 'typebox'
import type { GroupDescriptor } from '../../runtime/codegen-v1.ts'
import { group } from '../../runtime/codegen-v1.ts'
import { canonicalSchema, signature, typeSignatureOf } from '../../schemas/index.ts'

const Put = Type.Object({ key: Type.String(), value: Type.String() })
const Key = Type.Object({ key: Type.String() })
const Value = Type.Union([Type.String(), Type.Null()])

function schema(s: TSchema) {
  return { schema: canonicalSchema(s), signature: signature(s).hex }
}

function descriptor(): GroupDescriptor {
  const commands = { put: schema(Put) }
  const queries = { get: { input: schema(Key), output: schema(Value) } }
  const typeSignature = typeSignatureOf({
    kind: 'group',
    commands: { put: commands.put.schema },
    queries: { get: { input: queries.get.input.schema, output: queries.get.output.schema } },
  }).hex
  return { kind: 'group', name: 'bench', commands, queries, typeSignature }
}

export const bench = group<
  { put: { key: string; value: string } },
  { get: { input: { key: string }; output: string | null } }
>(descriptor())

export class BenchMachine {
  readonly #values = new Map<string, string>()

  put(command: { key: string; value: string }): void {
    this.#values.set(command.key, command.value)
  }

  get(input: { key: string }): string | null {
    return this.#values.get(input.key) ?? null
  }

  snapshot(): [string, string][] {
    return [...this.#values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  restore(snapshot: [string, string][]): void {
    this.#values.clear()
    for (const [key, value] of snapshot) this.#values.set(key, value)
  }
}
