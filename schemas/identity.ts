/**
 * Identity derivation (SPEC §4). Every identifier is a 32-byte blake3 digest:
 * - `NetworkId = id(name)`;
 * - `StreamId = derive(id("mosaik/stream"), name)`, independent of the network;
 * - `GroupId = derive(NetworkId, "group", name[, id(secret)])`;
 * - `StoreId = derive(GroupId, typeSignature)`, where the type signature covers the whole state
 *   machine: kind plus every command/query/key/value/priority schema and consensus-relevant settings.
 * Nodes only bond and replicate with peers of the same StoreId, so a schema change that matters on
 * the wire partitions old and new nodes instead of corrupting state.
 */
import { type Digest, derive, id } from '../runtime/primitives/digest.ts'
import { type CanonicalSchema, type JsonValue, signatureOfCanonical } from './canonical.ts'

const STREAM_NAMESPACE: Digest = id('mosaik/stream')

/** `NetworkId = id(name)`: a 64-hex string is the id itself, anything else is hashed. */
export function networkIdOf(network: string | Digest): Digest {
  return typeof network === 'string' ? id(network) : network
}

/** `StreamId = derive(id("mosaik/stream"), name)`. */
export function streamIdOf(name: string): Digest {
  return derive(STREAM_NAMESPACE, name)
}

/** `GroupId = derive(NetworkId, "group", name)`, plus `id(secret)` when the group has a secret. */
export function groupIdOf(network: string | Digest, name: string, secret?: string | Uint8Array): Digest {
  const networkId = networkIdOf(network)
  return secret === undefined
    ? derive(networkId, 'group', name)
    : derive(networkId, 'group', name, id(secret))
}

/** `StoreId = derive(GroupId, typeSignature)`. */
export function storeIdOf(groupId: Digest, typeSignature: Digest): Digest {
  return derive(groupId, typeSignature)
}

/** The canonical state-machine shape of a group: its commands, and its queries with their results. */
export interface GroupShape {
  readonly kind: 'group'
  readonly commands: { readonly [name: string]: CanonicalSchema }
  readonly queries: {
    readonly [name: string]: { readonly input: CanonicalSchema; readonly output: CanonicalSchema }
  }
}

/** The canonical state-machine shape of a collection: kind, schemas and capacity. */
export interface CollectionShape {
  readonly kind: 'map' | 'vec' | 'set' | 'cell' | 'once' | 'priorityQueue'
  readonly key?: CanonicalSchema
  readonly value: CanonicalSchema
  readonly priority?: CanonicalSchema
  readonly capacity?: number
}

/** The signature of a whole state machine: blake3 of the canonical JSON of its shape. */
export function typeSignatureOf(shape: GroupShape | CollectionShape): Digest {
  return signatureOfCanonical(shape as unknown as JsonValue)
}
