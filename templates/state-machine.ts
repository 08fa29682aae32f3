/**
 * The state-machine interface a user implements for a group (`MatcherMachine`): one method per
 * command, one per query, then `snapshot()`/`restore()`. It has exactly the shape of codegen-v1's
 * `GroupMachine<Commands, Queries, Snapshot>`, spelled out so editors show real method signatures.
 */
import { type InterfaceDeclarationStructure, type MethodSignatureStructure, StructureKind } from 'ts-morph'
import type { GroupIR } from '../generator/ir/model.ts'
import { docLines, typeText } from './type-text.ts'

function doc(summary: string, description: string | undefined): string[] {
  return [docLines(description === undefined ? summary : `${summary}\n\n${description}`)]
}

export function machineStructure(ir: GroupIR): InterfaceDeclarationStructure {
  const commands = ir.commands.map(
    (command): MethodSignatureStructure => ({
      kind: StructureKind.MethodSignature,
      name: command.name,
      docs: doc(
        `Applies command \`${command.name}\`. Runs on every replica in log order: be deterministic (no clock, no randomness).`,
        command.description,
      ),
      parameters: [
        { name: 'command', type: typeText(command.type) },
        { name: 'context', type: 'ApplyContext' },
      ],
      returnType: 'void',
    }),
  )
  const queries = ir.queries.map(
    (query): MethodSignatureStructure => ({
      kind: StructureKind.MethodSignature,
      name: query.name,
      docs: doc(
        `Answers query \`${query.name}\` from the current state without changing it.`,
        query.description,
      ),
      parameters: [{ name: 'input', type: typeText(query.input) }],
      returnType: typeText(query.output),
    }),
  )
  return {
    kind: StructureKind.Interface,
    name: ir.typeNames.machine,
    isExported: true,
    docs: [
      `The state machine of group \`${ir.descriptor.name}\`; pass an implementation to \`${ir.exportName}.join()\`.`,
    ],
    typeParameters: [{ name: 'Snapshot', default: 'unknown' }],
    methods: [
      ...commands,
      ...queries,
      {
        kind: StructureKind.MethodSignature,
        name: 'snapshot',
        docs: ['The whole state as a canonically encodable value; equal states give equal snapshots.'],
        returnType: 'Snapshot',
      },
      {
        kind: StructureKind.MethodSignature,
        name: 'restore',
        docs: ['Replaces the whole state with a snapshot taken on any replica.'],
        parameters: [{ name: 'snapshot', type: 'Snapshot' }],
        returnType: 'void',
      },
    ],
  }
}
