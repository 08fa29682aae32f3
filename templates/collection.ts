/** Generated code of a collection declaration: its typed writer/reader handle. */
import type { WriterFunction } from 'ts-morph'
import type { CollectionIR, TsType } from '../generator/ir/model.ts'
import { handleStatement } from './handle.ts'
import { typeText } from './type-text.ts'

const LABELS: Readonly<Record<CollectionIR['kind'], string>> = {
  map: 'Map',
  vec: 'Vec',
  set: 'Set',
  cell: 'Cell',
  once: 'Once',
  priorityQueue: 'PriorityQueue',
}

/** The factory's type arguments, in its parameter order (`priorityQueue<P, K, V>`, `map<K, V>`). */
function typeArguments(ir: CollectionIR): string[] {
  const roles: (TsType | undefined)[] =
    ir.kind === 'priorityQueue' ? [ir.priority, ir.key, ir.value] : [ir.key, ir.value]
  return roles.filter((t): t is TsType => t !== undefined).map(typeText)
}

export function collectionStatements(ir: CollectionIR): WriterFunction[] {
  const label = LABELS[ir.kind]
  return [
    handleStatement({
      exportName: ir.exportName,
      factory: ir.kind,
      typeArguments: typeArguments(ir),
      descriptor: ir.descriptor,
      summary: `${label} \`${ir.descriptor.name}\`: \`${ir.exportName}.writer(network)\` votes and writes, \`${ir.exportName}.reader(network)\` replicates read-only.`,
    }),
  ]
}
