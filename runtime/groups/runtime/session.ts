/**
 * Generated groups on the generic runtime: the user's typed machine (a codegen `MachineAdapter`)
 * becomes a `GroupStateMachine`, and a `Group` becomes the `GroupSession` codegen-v1 wraps into the
 * typed client.
 *
 * A command travels as `[name, value]`. It is validated against the declaration's schema before it
 * is proposed and again when applied — an invalid command from the log is refused identically on
 * every replica (the proposer's `execute` gets the ValidationError) and never reaches the user's
 * machine. Query inputs are validated before the query runs and outputs before they are returned.
 * Snapshots are the canonical msgpack of `snapshot()`, so equal states give equal bytes.
 */
import type { GroupDescriptor } from '../../codegen/descriptors.ts'
import type { CommandOptions, QueryOptions } from '../../codegen/groups.ts'
import type { GroupSession, MachineAdapter } from '../../codegen/seam.ts'
import { validatorOf } from '../../codegen/validator.ts'
import { decode, encodeCanonical } from '../../primitives/codec.ts'
import { DecodeError, ValidationError } from '../../primitives/errors.ts'
import type { Group, GroupStateMachine } from './group.ts'

/** Validates a `[name, value]` command of `descriptor`; returns its parts. */
function parseCommand(descriptor: GroupDescriptor, command: unknown): [string, unknown] {
  if (!Array.isArray(command) || command.length !== 2 || typeof command[0] !== 'string') {
    throw new ValidationError(descriptor.name, '', 'a command is [name, value]')
  }
  const [name, value] = command as [string, unknown]
  const schema = Object.hasOwn(descriptor.commands, name) ? descriptor.commands[name] : undefined
  if (schema === undefined) throw new ValidationError(descriptor.name, '', `unknown command '${name}'`)
  validatorOf(descriptor.name, schema).parse(value, { role: `command ${name}` })
  return [name, value]
}

/** The generic machine and command check of a generated group. */
export function typedMachine(
  descriptor: GroupDescriptor,
  adapter: MachineAdapter,
): { machine: GroupStateMachine; checkCommand: (command: unknown) => void } {
  return {
    machine: {
      apply(command, context) {
        const [name, value] = parseCommand(descriptor, command)
        adapter.apply(name, value, context)
        return undefined
      },
      snapshot: () => [encodeCanonical(adapter.snapshot())],
      restore(chunks) {
        if (chunks.length !== 1) throw new DecodeError(`a group snapshot is one chunk, got ${chunks.length}`)
        adapter.restore(decode(chunks[0] as Uint8Array))
      },
    },
    checkCommand: (command) => void parseCommand(descriptor, command),
  }
}

/** The untyped session codegen-v1 turns into `GroupClient`. */
export function groupSession(
  group: Group,
  descriptor: GroupDescriptor,
  adapter: MachineAdapter,
): GroupSession {
  return {
    groupId: group.groupId,
    storeId: group.storeId,
    when: group.when,
    get leader() {
      return group.leader
    },
    get isLeader() {
      return group.isLeader
    },
    get members() {
      return group.members
    },
    get committed() {
      return group.committed
    },
    execute: async (command: string, value: unknown, options?: CommandOptions) =>
      (await group.execute([command, value], options)).index,
    feed: (command: string, value: unknown, options?: CommandOptions) =>
      group.feed([command, value], options),
    async query(query: string, input: unknown, options: QueryOptions = {}) {
      const spec = Object.hasOwn(descriptor.queries, query) ? descriptor.queries[query] : undefined
      if (spec === undefined) throw new ValidationError(descriptor.name, '', `unknown query '${query}'`)
      validatorOf(descriptor.name, spec.input).parse(input, { role: `query ${query} input` })
      const output = await group.read(() => adapter.query(query, input), options)
      return validatorOf(descriptor.name, spec.output).parse(output, { role: `query ${query} output` })
    },
    close: () => group.close(),
    [Symbol.asyncDispose]: () => group.close(),
  }
}
