/**
 * The exported handle constant of a declaration:
 * `export const orders = stream<Order>({ …descriptor… });` — the factory from codegen-v1, its type
 * arguments, and the embedded descriptor as a literal. Written through a writer (not a variable
 * structure) so the literal is indented like the rest of the file.
 */
import type { WriterFunction } from 'ts-morph'
import type { Descriptor } from '../runtime/codegen/descriptors.ts'
import type { JsonValue } from '../schemas/canonical.ts'
import { writeLiteral } from './literal.ts'
import { writeDoc } from './type-text.ts'

export interface HandleSpec {
  readonly exportName: string
  /** The codegen-v1 factory (`stream`, `group`, `map`, …). */
  readonly factory: string
  readonly typeArguments: readonly string[]
  readonly descriptor: Descriptor
  /** Doc comment: a summary line, then the declaration's description if any. */
  readonly summary: string
}

/** A statement writer for the handle constant. */
export function handleStatement(spec: HandleSpec): WriterFunction {
  return (writer) => {
    writer.blankLineIfLastNot()
    const { description } = spec.descriptor
    writeDoc(writer, description === undefined ? spec.summary : `${spec.summary}\n\n${description}`)
    writer.write(`export const ${spec.exportName} = ${spec.factory}<${spec.typeArguments.join(', ')}>(`)
    writeLiteral(writer, spec.descriptor as unknown as JsonValue)
    writer.write(');').newLine()
  }
}
