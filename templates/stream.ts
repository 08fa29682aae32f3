/** Generated code of a stream declaration: its typed handle. */
import type { WriterFunction } from 'ts-morph'
import type { StreamIR } from '../generator/ir/model.ts'
import { handleStatement } from './handle.ts'
import { typeText } from './type-text.ts'

export function streamStatements(ir: StreamIR): WriterFunction[] {
  return [
    handleStatement({
      exportName: ir.exportName,
      factory: 'stream',
      typeArguments: [typeText(ir.datum)],
      descriptor: ir.descriptor,
      summary: `Stream \`${ir.descriptor.name}\`: \`${ir.exportName}.producer(network)\` sends, \`${ir.exportName}.consumer(network)\` receives.`,
    }),
  ]
}
