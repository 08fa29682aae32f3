/**
 * Helpers of the in-process collection scenarios (mosaik-features §5.5–§5.6): declarations as
 * generated code embeds them, nodes on loopback with fast group timings, handles opened through
 * the generated factories, and cleanup after each test.
 */
import Type, { type TSchema } from 'typebox'
import { afterEach } from 'vitest'
import {
  type CollectionDescriptor,
  type CollectionHandleBase,
  type CollectionOptions,
  cell,
  map,
  once,
  priorityQueue,
  set,
  typeSignatureOfDescriptor,
  vec,
} from '../../../runtime/codegen-v1.ts'
import type { CollectionRuntimeOptions } from '../../../runtime/collections/runtime/collections.ts'
import type { Group } from '../../../runtime/groups/runtime/group.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { closeAll, createNetworks, discoverAll } from '../../../runtime/testing/index.ts'
import { canonicalSchema, signature } from '../../../schemas/index.ts'
import { FAST, T as wait } from '../groups/helpers.ts'

export { FAST, until } from '../groups/helpers.ts'

/** A test wait: `ms` (10 s by default) scaled by MOSAIK_TIME_FACTOR. */
export const T = (ms = 10_000) => wait(ms)

/** Options of a handle in these tests: FAST timing unless given. */
export function opts(options: CollectionRuntimeOptions = {}): CollectionOptions {
  return { ...options, timing: { ...FAST, ...options.timing } } as CollectionOptions
}

const networks: Network[] = []

afterEach(async () => {
  await closeAll(networks.splice(0))
})

/** `count` nodes of one fresh network that know each other (closed after the test). */
export async function nodes(count: number): Promise<Network[]> {
  const created = await createNetworks(count)
  networks.push(...created)
  if (count > 1) await discoverAll(created)
  return created
}

function schema(s: TSchema) {
  return { schema: canonicalSchema(s), signature: signature(s).hex }
}

function declare<D extends CollectionDescriptor>(descriptor: Omit<D, 'typeSignature'>): D {
  const full = { ...descriptor, typeSignature: '' } as D
  return { ...full, typeSignature: typeSignatureOfDescriptor(full).hex }
}

/** Handles of a Map declaration, as generated code declares them. */
export function mapOf<K, V>(name: string, key: TSchema = Type.Integer(), value: TSchema = Type.Integer()) {
  return map<K, V>(declare({ kind: 'map', name, key: schema(key), value: schema(value) }))
}

export function vecOf<T>(name: string, value: TSchema = Type.Integer()) {
  return vec<T>(declare({ kind: 'vec', name, value: schema(value) }))
}

export function setOf<T>(name: string, value: TSchema = Type.Integer()) {
  return set<T>(declare({ kind: 'set', name, value: schema(value) }))
}

export function cellOf<T>(name: string, value: TSchema = Type.Integer()) {
  return cell<T>(declare({ kind: 'cell', name, value: schema(value) }))
}

export function onceOf<T>(name: string, value: TSchema = Type.Integer()) {
  return once<T>(declare({ kind: 'once', name, value: schema(value) }))
}

export function queueOf<P, K, V>(
  name: string,
  capacity?: number,
  types: { priority?: TSchema; key?: TSchema; value?: TSchema } = {},
) {
  return priorityQueue<P, K, V>(
    declare({
      kind: 'priorityQueue',
      name,
      priority: schema(types.priority ?? Type.Integer()),
      key: schema(types.key ?? Type.Integer()),
      value: schema(types.value ?? Type.Integer()),
      ...(capacity === undefined ? {} : { capacity }),
    }),
  )
}

/** The group of a collection handle on `network` (voters, learners, leader). */
export function groupOf(network: Network, handle: CollectionHandleBase<unknown, unknown>): Group {
  const group = network.groups.get(handle.storeId)
  if (group === undefined) throw new Error(`collection ${handle.name} is not open on this node`)
  return group
}

/** True when `peer` is a voter or learner of the collection's group as `network` sees it. */
export function isMember(
  network: Network,
  handle: CollectionHandleBase<unknown, unknown>,
  peer: string,
): boolean {
  const { voters, learners } = groupOf(network, handle).members
  return voters.includes(peer) || learners.includes(peer)
}
