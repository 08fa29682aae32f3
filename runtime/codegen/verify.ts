/**
 * Checks an embedded descriptor against itself: every signature must be the hash of the schema
 * next to it, the StreamId and typeSignature must derive from the name and schemas. Generated code
 * that was edited by hand (or produced by an incompatible generator) fails here, at import time,
 * instead of silently joining a different group than its peers.
 */
import { signatureOfCanonical } from '../../schemas/canonical.ts'
import { type CollectionShape, type GroupShape, streamIdOf, typeSignatureOf } from '../../schemas/identity.ts'
import type { Digest } from '../primitives/digest.ts'
import { InvalidInputError } from '../primitives/errors.ts'
import type { CollectionDescriptor, Descriptor, GroupDescriptor, SchemaDescriptor } from './descriptors.ts'

/** The state-machine shape a group or collection descriptor describes. */
export function shapeOf(descriptor: GroupDescriptor | CollectionDescriptor): GroupShape | CollectionShape {
  if (descriptor.kind === 'group') {
    const commands = Object.fromEntries(Object.entries(descriptor.commands).map(([n, c]) => [n, c.schema]))
    const queries = Object.fromEntries(
      Object.entries(descriptor.queries).map(([n, q]) => [
        n,
        { input: q.input.schema, output: q.output.schema },
      ]),
    )
    return { kind: 'group', commands, queries }
  }
  const shape: { -readonly [K in keyof CollectionShape]: CollectionShape[K] } = {
    kind: descriptor.kind,
    value: descriptor.value.schema,
  }
  if ('key' in descriptor) shape.key = descriptor.key.schema
  if ('priority' in descriptor) shape.priority = descriptor.priority.schema
  if ('capacity' in descriptor && descriptor.capacity !== undefined) shape.capacity = descriptor.capacity
  return shape
}

/** `typeSignature` of a group or collection descriptor. */
export function typeSignatureOfDescriptor(descriptor: GroupDescriptor | CollectionDescriptor): Digest {
  return typeSignatureOf(shapeOf(descriptor))
}

/** Every schema of a descriptor, with a label for error messages. */
function schemasOf(descriptor: Descriptor): [string, SchemaDescriptor][] {
  switch (descriptor.kind) {
    case 'stream':
      return [['datum', descriptor.datum]]
    case 'group':
      return [
        ...Object.entries(descriptor.commands).map(([n, c]): [string, SchemaDescriptor] => [
          `command ${n}`,
          c,
        ]),
        ...Object.entries(descriptor.queries).flatMap(([n, q]): [string, SchemaDescriptor][] => [
          [`query ${n} input`, q.input],
          [`query ${n} output`, q.output],
        ]),
      ]
    case 'priorityQueue':
      return [
        ['priority', descriptor.priority],
        ['key', descriptor.key],
        ['value', descriptor.value],
      ]
    case 'map':
      return [
        ['key', descriptor.key],
        ['value', descriptor.value],
      ]
    default:
      return [['value', descriptor.value]]
  }
}

/** Throws InvalidInputError unless `descriptor` is a consistent descriptor of `kind`. */
export function verifyDescriptor(descriptor: Descriptor, kind: Descriptor['kind']): void {
  const name = typeof descriptor?.name === 'string' ? descriptor.name : '<unnamed>'
  const fail = (what: string): never => {
    throw new InvalidInputError(
      `generated descriptor of '${name}' is inconsistent (${what}); regenerate it with \`mosaik generate\``,
      { details: { declaration: name, problem: what } },
    )
  }
  if (descriptor?.kind !== kind) fail(`kind is '${String(descriptor?.kind)}', expected '${kind}'`)
  for (const [label, schema] of schemasOf(descriptor)) {
    if (signatureOfCanonical(schema.schema).hex !== schema.signature)
      fail(`${label} signature does not match its schema`)
  }
  if (descriptor.kind === 'stream') {
    if (streamIdOf(descriptor.name).hex !== descriptor.streamId) fail('streamId does not match the name')
  } else if (typeSignatureOfDescriptor(descriptor).hex !== descriptor.typeSignature) {
    fail('typeSignature does not match the schemas')
  }
}
