/**
 * Run-time identity of a declaration on one network: GroupId and StoreId depend on the network id
 * (and the group secret), so generated code cannot embed them; the runtime derives them here.
 */
import { groupIdOf, storeIdOf } from '../../schemas/identity.ts'
import { Digest } from '../primitives/digest.ts'
import type { CollectionDescriptor, GroupDescriptor } from './descriptors.ts'

/** The ids a group or collection has on a given network. */
export interface ReplicatedIds {
  readonly groupId: Digest
  readonly storeId: Digest
}

/** GroupId and StoreId of `descriptor` on `network` (a name, a 64-hex id or a digest). */
export function idsOf(
  descriptor: GroupDescriptor | CollectionDescriptor,
  network: string | Digest,
  secret?: string | Uint8Array,
): ReplicatedIds {
  const groupId = groupIdOf(network, descriptor.name, secret)
  return { groupId, storeId: storeIdOf(groupId, Digest.fromHex(descriptor.typeSignature)) }
}
