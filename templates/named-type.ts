/**
 * Named type declarations: a schema type becomes an `interface` when it is an object and a `type`
 * alias otherwise; property docs come from the schemas' `description`s. Written as statement
 * writers because ts-morph prints structure-level types with hanging indentation, which would
 * misalign multi-line object types.
 */
import type { WriterFunction } from 'ts-morph'
import type { NamedType, TsType } from '../generator/ir/model.ts'
import { writeDoc, writeProperty, writeType } from './type-text.ts'

/**
 * `export interface Name { … }` for objects with properties, `export type Name = …;` otherwise (an
 * empty interface, like the `{}` type, would mean "any non-nullish value" and lint tools reject it).
 */
export function namedTypeStatement(named: NamedType): WriterFunction {
  return named.type.kind === 'object' && named.type.properties.length > 0
    ? interfaceStatement(named.name, named.type, named.description)
    : typeAliasStatement(named.name, named.type, named.description)
}

/** `export interface Name { …properties }`. */
export function interfaceStatement(
  name: string,
  type: Extract<TsType, { kind: 'object' }>,
  description: string | undefined,
): WriterFunction {
  return (writer) => {
    writer.blankLineIfLastNot()
    if (description !== undefined) writeDoc(writer, description)
    writer.write(`export interface ${name} {`).newLine()
    writer.indent(() => {
      for (const property of type.properties) writeProperty(writer, property)
    })
    writer.write('}').newLine()
  }
}

/** `export type Name = …;`. */
export function typeAliasStatement(
  name: string,
  type: TsType,
  description: string | undefined,
): WriterFunction {
  return (writer) => {
    writer.blankLineIfLastNot()
    if (description !== undefined) writeDoc(writer, description)
    writer.write(`export type ${name} = `)
    writeType(writer, type)
    writer.write(';').newLine()
  }
}
