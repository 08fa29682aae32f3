/**
 * Writes JSON data (embedded descriptors and canonical schemas) as a TypeScript object literal in
 * the generated code's style: single quotes, bare identifier keys, one property per line, trailing
 * commas, short arrays of scalars on one line. Key order is the data's own (descriptors are built in
 * a fixed order, canonical schemas are sorted), so the output is deterministic.
 */
import type { CodeBlockWriter } from 'ts-morph'
import type { JsonValue } from '../schemas/canonical.ts'
import { propertyName, quoteString } from './type-text.ts'

/** Objects of scalars up to this many characters are written on one line. */
const INLINE_WIDTH = 60

function isScalar(value: JsonValue): boolean {
  return value === null || typeof value !== 'object'
}

function scalarText(value: JsonValue): string {
  return typeof value === 'string' ? quoteString(value) : JSON.stringify(value)
}

/** Writes `value` as a literal at the writer's current position. */
export function writeLiteral(writer: CodeBlockWriter, value: JsonValue): void {
  if (isScalar(value)) {
    writer.write(scalarText(value))
    return
  }
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[]
    if (items.every(isScalar)) {
      writer.write(`[${items.map(scalarText).join(', ')}]`)
      return
    }
    writer.write('[').newLine()
    writer.indent(() => {
      for (const item of items) {
        writeLiteral(writer, item)
        writer.write(',').newLine()
      }
    })
    writer.write(']')
    return
  }
  const entries = Object.entries(value as { readonly [key: string]: JsonValue })
  const inline = entries.map(([key, item]) => `${propertyName(key)}: ${scalarText(item)}`).join(', ')
  if (entries.every(([, item]) => isScalar(item)) && inline.length <= INLINE_WIDTH) {
    writer.write(entries.length === 0 ? '{}' : `{ ${inline} }`)
    return
  }
  writer.write('{').newLine()
  writer.indent(() => {
    for (const [key, item] of entries) {
      writer.write(`${propertyName(key)}: `)
      writeLiteral(writer, item)
      writer.write(',').newLine()
    }
  })
  writer.write('}')
}
