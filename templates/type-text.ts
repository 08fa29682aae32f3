/**
 * Prints IR types as TypeScript: `string`, `'buy' | 'sell'`, `Order[]`, `Record<string, number>`,
 * and object types — multi-line with doc comments inside interfaces and aliases, single-line in
 * type arguments.
 */
import type { CodeBlockWriter } from 'ts-morph'
import type { TsProperty, TsType } from '../generator/ir/model.ts'

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** A single-quoted TypeScript string literal. */
export function quoteString(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")
  return `'${escaped}'`
}

/** A property name: bare when it is an identifier, quoted otherwise. */
export function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : quoteString(name)
}

/** Doc comment lines with `*\/` defused. */
export function docLines(text: string): string {
  return text.replaceAll('*/', '*\\/')
}

function needsParens(type: TsType): boolean {
  return type.kind === 'union' || type.kind === 'intersection'
}

/** The type on one line. */
export function typeText(type: TsType): string {
  switch (type.kind) {
    case 'keyword':
      return type.name
    case 'bytes':
      return 'Uint8Array'
    case 'literal':
      return typeof type.value === 'string' ? quoteString(type.value) : String(type.value)
    case 'ref':
      return type.name
    case 'array': {
      const items = typeText(type.items)
      return needsParens(type.items) ? `(${items})[]` : `${items}[]`
    }
    case 'tuple':
      return `[${type.items.map(typeText).join(', ')}]`
    case 'union':
      return type.members.map(typeText).join(' | ')
    case 'intersection':
      return type.members.map((m) => (m.kind === 'union' ? `(${typeText(m)})` : typeText(m))).join(' & ')
    case 'record':
      return `Record<${type.key}, ${typeText(type.value)}>`
    case 'object':
      return type.properties.length === 0
        ? 'Record<string, never>'
        : `{ ${type.properties.map((p) => `${propertySignature(p)}: ${typeText(p.type)}`).join('; ')} }`
  }
}

function propertySignature(property: TsProperty): string {
  return `${property.readonly ? 'readonly ' : ''}${propertyName(property.name)}${property.optional ? '?' : ''}`
}

/** True when printing needs more than one line (an object type with properties somewhere). */
function isMultiline(type: TsType): boolean {
  switch (type.kind) {
    case 'object':
      return type.properties.length > 0
    case 'array':
      return isMultiline(type.items)
    case 'record':
      return isMultiline(type.value)
    case 'tuple':
      return type.items.some(isMultiline)
    case 'union':
    case 'intersection':
      return type.members.some(isMultiline)
    default:
      return false
  }
}

/** Writes the type, spreading object types over several lines with their docs. */
export function writeType(writer: CodeBlockWriter, type: TsType): void {
  if (!isMultiline(type)) {
    writer.write(typeText(type))
    return
  }
  switch (type.kind) {
    case 'object':
      writer.write('{').newLine()
      writer.indent(() => {
        for (const property of type.properties) writeProperty(writer, property)
      })
      writer.write('}')
      return
    case 'array':
      if (needsParens(type.items)) writer.write('(')
      writeType(writer, type.items)
      writer.write(needsParens(type.items) ? ')[]' : '[]')
      return
    case 'record':
      writer.write(`Record<${type.key}, `)
      writeType(writer, type.value)
      writer.write('>')
      return
    case 'tuple':
      writeJoined(writer, type.items, ', ', '[', ']')
      return
    case 'union':
      writeJoined(writer, type.members, ' | ')
      return
    case 'intersection':
      writeJoined(writer, type.members, ' & ')
      return
    default:
      writer.write(typeText(type))
  }
}

function writeJoined(
  writer: CodeBlockWriter,
  types: readonly TsType[],
  separator: string,
  open = '',
  close = '',
): void {
  writer.write(open)
  types.forEach((type, i) => {
    if (i > 0) writer.write(separator)
    writeType(writer, type)
  })
  writer.write(close)
}

/** Writes one property line of an object type or interface, with its doc comment. */
export function writeProperty(writer: CodeBlockWriter, property: TsProperty): void {
  if (property.description !== undefined) writeDoc(writer, property.description)
  writer.write(`${propertySignature(property)}: `)
  writeType(writer, property.type)
  writer.write(';').newLine()
}

/** Writes a JSDoc block. */
export function writeDoc(writer: CodeBlockWriter, text: string): void {
  const lines = docLines(text).split('\n')
  if (lines.length === 1) {
    writer.writeLine(`/** ${lines[0]} */`)
    return
  }
  writer.writeLine('/**')
  for (const line of lines) writer.writeLine(line ? ` * ${line}` : ' *')
  writer.writeLine(' */')
}
