/**
 * The one place that turns ts-morph structures into text. Fixed settings (2 spaces, LF, single
 * quotes) and no formatter afterwards, so output is byte-identical across runs and machines.
 */
import { printStructure, type SourceFileStructure } from 'ts-morph'

export function printFile(structure: SourceFileStructure): string {
  const text = printStructure(structure, { indentNumberOfSpaces: 2, newLine: '\n', useSingleQuote: true })
  return text.endsWith('\n') ? text : `${text}\n`
}
