/**
 * Generated code of a group declaration: the command and query maps, the state-machine interface
 * and the typed handle `matcher.join(network, machine)`.
 */
import type { InterfaceDeclarationStructure, WriterFunction } from 'ts-morph'
import type { GroupIR, TsType } from '../generator/ir/model.ts'
import { handleStatement } from './handle.ts'
import { typeAliasStatement } from './named-type.ts'
import { machineStructure } from './state-machine.ts'

function objectOf(properties: readonly { name: string; type: TsType }[]): TsType {
  return {
    kind: 'object',
    properties: properties.map(({ name, type }) => ({ name, type, optional: false, readonly: false })),
  }
}

export function groupStatements(ir: GroupIR): (WriterFunction | InterfaceDeclarationStructure)[] {
  const commands = objectOf(ir.commands)
  const queries = objectOf(
    ir.queries.map((q) => ({
      name: q.name,
      type: objectOf([
        { name: 'input', type: q.input },
        { name: 'output', type: q.output },
      ]),
    })),
  )
  return [
    typeAliasStatement(
      ir.typeNames.commands,
      commands,
      `Commands of group \`${ir.descriptor.name}\`: name → command type.`,
    ),
    typeAliasStatement(
      ir.typeNames.queries,
      queries,
      `Queries of group \`${ir.descriptor.name}\`: name → input and output types.`,
    ),
    machineStructure(ir),
    handleStatement({
      exportName: ir.exportName,
      factory: 'group',
      typeArguments: [ir.typeNames.commands, ir.typeNames.queries],
      descriptor: ir.descriptor,
      summary: `Group \`${ir.descriptor.name}\`: \`${ir.exportName}.join(network, machine)\` returns a client with \`execute\`, \`feed\` and \`query\`.`,
    }),
  ]
}
