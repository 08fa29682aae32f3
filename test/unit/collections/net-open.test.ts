/**
 * Opening collections on one node: bad options are refused with typed errors before anything
 * starts, a node opens a collection once, and a non-default snapshot batch size is part of the
 * StoreId (replicas must cut snapshots identically).
 */
import Type from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CollectionDescriptor,
  type CollectionOptions,
  idsOf,
  map,
  typeSignatureOfDescriptor,
} from '../../../runtime/codegen-v1.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { closeAll, createNetworks } from '../../../runtime/testing/index.ts'
import { canonicalSchema, signature } from '../../../schemas/index.ts'

const INTEGER = { schema: canonicalSchema(Type.Integer()), signature: signature(Type.Integer()).hex }

function handleOf(name: string) {
  const d = { kind: 'map', name, key: INTEGER, value: INTEGER, typeSignature: '' } as CollectionDescriptor
  return map<number, number>({ ...d, typeSignature: typeSignatureOfDescriptor(d).hex } as Extract<
    CollectionDescriptor,
    { kind: 'map' }
  >)
}

describe('opening collections', () => {
  let network: Network
  beforeAll(async () => {
    ;[network] = (await createNetworks(1)) as [Network]
  })
  afterAll(() => closeAll([network]))

  it('refuses bad options with typed errors', () => {
    const handle = handleOf('open-options')
    expect(() => handle.reader(network, { storage: { dir: '/tmp/x' } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
    expect(() => handle.writer(network, { sync: { batchSize: 0 } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
    expect(() => network.collections.open(handle.descriptor, 'owner' as never, {})).toThrow(
      /unknown collection role/,
    )
    expect(() => handle.writer(network, { timing: { tickMs: -1 } } as CollectionOptions)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    )
    expect(network.groups.list()).toEqual([])
  })

  it('opens a collection once per node, and again after closing', async () => {
    const handle = handleOf('open-once')
    const w = handle.writer(network)
    expect(() => handle.reader(network)).toThrow(/already joined on this node/)
    const { storeId } = idsOf(handle.descriptor, network.networkId)
    expect(w.storeId.hex).toBe(storeId.hex)
    expect(w.groupId.hex).toBe(idsOf(handle.descriptor, network.networkId).groupId.hex)
    await w.close()
    await w.close()
    const again = handle.reader(network)
    expect(again.role).toBe('reader')
    await again.close()
  })

  it('a non-default snapshot batch size changes the StoreId, the default does not', async () => {
    const handle = handleOf('open-batch')
    const { storeId } = idsOf(handle.descriptor, network.networkId)
    const plain = handle.writer(network, { sync: { batchSize: 2_000 } })
    expect(plain.storeId.hex).toBe(storeId.hex)
    const tuned = handleOf('open-batch-2').writer(network, { sync: { batchSize: 50 } })
    expect(tuned.storeId.hex).not.toBe(
      idsOf(handleOf('open-batch-2').descriptor, network.networkId).storeId.hex,
    )
    await Promise.all([plain.close(), tuned.close()])
  })
})
