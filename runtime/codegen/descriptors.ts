/**
 * Descriptors: the frozen data `mosaik generate` embeds per declaration. They carry everything the
 * runtime needs to talk about a declaration with other nodes — its name, kind, the canonical JSON
 * schema of every value that crosses the wire, those schemas' signatures and the StreamId — and
 * nothing that depends on the network (GroupId and StoreId are derived at run time, see
 * `identity.ts`).
 *
 * All digests are lowercase 64-character hex strings so a descriptor is plain JSON.
 */

import type { CanonicalSchema } from '../../schemas/canonical.ts'

export type { CanonicalSchema, JsonValue } from '../../schemas/canonical.ts'

/** A lowercase 64-character hex digest (see SPEC §4). */
export type HexDigest = string

/** One schema that crosses the wire, with its signature `blake3(canonical JSON)`. */
export interface SchemaDescriptor {
  readonly schema: CanonicalSchema
  readonly signature: HexDigest
}

/** Every declaration kind `mosaik/schema` can declare. */
export type DeclarationKind = 'stream' | 'group' | CollectionKind

/** The replicated collection kinds. */
export type CollectionKind = 'map' | 'vec' | 'set' | 'cell' | 'once' | 'priorityQueue'

interface DescriptorBase {
  /** The declaration name: it feeds the StreamId / GroupId, so renaming changes identity. */
  readonly name: string
  /** The declaration's `description`, if any (documentation only, not part of any id). */
  readonly description?: string
}

/** A typed pub/sub stream. */
export interface StreamDescriptor extends DescriptorBase {
  readonly kind: 'stream'
  readonly datum: SchemaDescriptor
  /** `derive(id("mosaik/stream"), name)`: independent of the network. */
  readonly streamId: HexDigest
}

/** A query of a group: its input and its result. */
export interface QueryDescriptor {
  readonly input: SchemaDescriptor
  readonly output: SchemaDescriptor
}

/** Declarations that run as a Raft group and so have a StoreId. */
interface ReplicatedDescriptorBase extends DescriptorBase {
  /**
   * The signature of the whole state machine (kind plus every command/query/key/value/priority
   * schema and consensus-relevant settings such as a capacity). `StoreId = derive(GroupId, typeSignature)`.
   */
  readonly typeSignature: HexDigest
}

/** A group with a user-implemented state machine. Commands and queries are keyed by name (sorted). */
export interface GroupDescriptor extends ReplicatedDescriptorBase {
  readonly kind: 'group'
  readonly commands: { readonly [command: string]: SchemaDescriptor }
  readonly queries: { readonly [query: string]: QueryDescriptor }
}

export interface MapDescriptor extends ReplicatedDescriptorBase {
  readonly kind: 'map'
  readonly key: SchemaDescriptor
  readonly value: SchemaDescriptor
}

export interface VecDescriptor extends ReplicatedDescriptorBase {
  readonly kind: 'vec'
  readonly value: SchemaDescriptor
}

export interface SetDescriptor extends ReplicatedDescriptorBase {
  readonly kind: 'set'
  readonly value: SchemaDescriptor
}

export interface CellDescriptor extends ReplicatedDescriptorBase {
  readonly kind: 'cell'
  readonly value: SchemaDescriptor
}

export interface OnceDescriptor extends ReplicatedDescriptorBase {
  readonly kind: 'once'
  readonly value: SchemaDescriptor
}

export interface PriorityQueueDescriptor extends ReplicatedDescriptorBase {
  readonly kind: 'priorityQueue'
  readonly priority: SchemaDescriptor
  readonly key: SchemaDescriptor
  readonly value: SchemaDescriptor
  /** Maximum number of entries; absent means unbounded. Part of the typeSignature. */
  readonly capacity?: number
}

/** Any collection descriptor. */
export type CollectionDescriptor =
  | MapDescriptor
  | VecDescriptor
  | SetDescriptor
  | CellDescriptor
  | OnceDescriptor
  | PriorityQueueDescriptor

/** Any declaration descriptor. */
export type Descriptor = StreamDescriptor | GroupDescriptor | CollectionDescriptor

/** The descriptor type of a collection kind. */
export type CollectionDescriptorOf<K extends CollectionKind> = Extract<CollectionDescriptor, { kind: K }>
