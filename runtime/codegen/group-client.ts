/**
 * The two adapters between a typed group and the untyped Groups runtime: the user's machine becomes
 * a `MachineAdapter` dispatching by command/query name, and a `GroupSession` becomes a typed
 * `GroupClient` with `execute.<command>`, `feed.<command>` and `query.<query>`.
 */
import { InvalidInputError, ProtocolError } from '../primitives/errors.ts'
import type { GroupDescriptor } from './descriptors.ts'
import type {
  CommandMap,
  CommandOptions,
  GroupClient,
  GroupMachine,
  QueryMap,
  QueryMethods,
  QueryOptions,
} from './groups.ts'
import type { GroupSession, MachineAdapter } from './seam.ts'

type Method = (...args: unknown[]) => unknown

/** Wraps a user machine; throws InvalidInputError if it lacks a method the declaration needs. */
export function adaptMachine<C extends CommandMap, Q extends QueryMap, S>(
  descriptor: GroupDescriptor,
  machine: GroupMachine<C, Q, S>,
): MachineAdapter {
  const commands = new Set(Object.keys(descriptor.commands))
  const queries = new Set(Object.keys(descriptor.queries))
  const methods = machine as unknown as Record<string, unknown>
  const missing = [...commands, ...queries, 'snapshot', 'restore'].filter(
    (n) => typeof methods[n] !== 'function',
  )
  if (missing.length > 0) {
    throw new InvalidInputError(
      `state machine for group '${descriptor.name}' lacks method(s) ${missing.join(', ')}`,
      { details: { declaration: descriptor.name, missing } },
    )
  }
  const call = (name: string, args: unknown[]): unknown => (methods[name] as Method).apply(machine, args)
  return {
    descriptor,
    apply(command, value, context) {
      if (!commands.has(command))
        throw new ProtocolError(`group '${descriptor.name}' has no command '${command}'`)
      call(command, [value, context])
    },
    query(query, input) {
      if (!queries.has(query)) throw new ProtocolError(`group '${descriptor.name}' has no query '${query}'`)
      return call(query, [input])
    },
    snapshot: () => call('snapshot', []),
    restore: (snapshot) => void call('restore', [snapshot]),
  }
}

/** One function per name, in a frozen object without a prototype (so `execute.toString` is absent). */
function methodsByName<F>(names: readonly string[], make: (name: string) => F): Readonly<Record<string, F>> {
  const out: Record<string, F> = Object.create(null)
  for (const name of names) out[name] = make(name)
  return Object.freeze(out)
}

/** The typed client over a joined group session. */
export function groupClient<C extends CommandMap, Q extends QueryMap>(
  descriptor: GroupDescriptor,
  session: GroupSession,
): GroupClient<C, Q> {
  const commandNames = Object.keys(descriptor.commands)
  const execute = methodsByName(
    commandNames,
    (name) => (value: unknown, options?: CommandOptions) => session.execute(name, value, options),
  )
  const feed = methodsByName(
    commandNames,
    (name) => (value: unknown, options?: CommandOptions) => session.feed(name, value, options),
  )
  const query = methodsByName(
    Object.keys(descriptor.queries),
    (name) => (input: unknown, options?: QueryOptions) => session.query(name, input, options),
  )
  return Object.freeze({
    name: descriptor.name,
    groupId: session.groupId,
    storeId: session.storeId,
    execute: execute as unknown as GroupClient<C, Q>['execute'],
    feed: feed as unknown as GroupClient<C, Q>['feed'],
    query: query as unknown as QueryMethods<Q>,
    when: session.when,
    get leader() {
      return session.leader
    },
    get isLeader() {
      return session.isLeader
    },
    get members() {
      return session.members
    },
    get committed() {
      return session.committed
    },
    close: () => session.close(),
    [Symbol.asyncDispose]: () => session.close(),
  })
}
