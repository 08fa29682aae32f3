/**
 * Mainline DHT bootstrap on a local swarm (never the public DHT): slot keys and records, compare-
 * and-swap writes, discovery with nothing but a network name, stale-slot replacement.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DhtClient } from '../../../runtime/discovery/dht/client.ts'
import {
  decodeSlotRecord,
  encodeSlotRecord,
  SLOT_COUNT,
  slotKeys,
} from '../../../runtime/discovery/dht/slots.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { encode } from '../../../runtime/primitives/codec.ts'
import { id } from '../../../runtime/primitives/digest.ts'
import {
  closeAll,
  createNetworks,
  type LocalDht,
  localDht,
  scaled,
  uniqueNetworkName,
} from '../../../runtime/testing/index.ts'

const SOME_PEER = '12D3KooWRz9M4sVqLav8dQHztkfR89ioNHbxRWfoF5379S4Wwr9k'
let swarm: LocalDht
const open: Network[] = []

// A fresh swarm per test: nodes that left stay in the swarm's routing tables, and lookups through
// them wait for the DHT's 2 s query timeout.
beforeEach(async () => {
  swarm = await localDht({ nodes: 6 })
})

afterEach(async () => {
  await closeAll(open.splice(0))
  await swarm.close()
})

describe('DHT slots', () => {
  it('derives 16 distinct keys per network, the same on every node', () => {
    const keys = slotKeys(id('net-a'))
    expect(keys).toHaveLength(SLOT_COUNT)
    expect(new Set(keys.map((k) => Buffer.from(k.publicKey).toString('hex'))).size).toBe(SLOT_COUNT)
    expect(slotKeys(id('net-a'))[3]?.publicKey).toEqual(keys[3]?.publicKey)
    expect(slotKeys(id('net-b'))[3]?.publicKey).not.toEqual(keys[3]?.publicKey)
  })

  it('fits records into a BEP 44 value and refuses malformed ones', () => {
    const long = Array.from({ length: 20 }, (_, i) => `/ip4/10.0.0.${i}/udp/40000/quic-v1/p2p/${SOME_PEER}`)
    const bytes = encodeSlotRecord({ peerId: SOME_PEER, addresses: long, at: 1 })
    expect(bytes.length).toBeLessThan(1000)
    expect(decodeSlotRecord(bytes)?.addresses.length).toBeGreaterThan(0)
    expect(decodeSlotRecord(encode({ p: 'not a peer', a: [], t: 1 }))).toBeUndefined()
    expect(decodeSlotRecord(encode({ p: SOME_PEER, a: [1], t: 1 }))).toBeUndefined()
    expect(decodeSlotRecord(Uint8Array.of(0x92, 1))).toBeUndefined()
  })

  it('writes with compare-and-swap: a stale expected sequence loses', async () => {
    const client = await DhtClient.start({ bootstrap: swarm.bootstrap, host: '127.0.0.1' })
    try {
      const [slot] = slotKeys(id(uniqueNetworkName()))
      if (!slot) throw new Error('no slot')
      const record = { peerId: SOME_PEER, addresses: [], at: Date.now() }
      expect(await client.write(slot, record, undefined)).toBe(true)
      expect((await client.read(slot)).seq).toBe(1)
      expect(await client.write(slot, record, undefined)).toBe(false)
      expect(await client.write(slot, { ...record, at: record.at + 1 }, 1)).toBe(true)
      expect(await client.write(slot, record, 1)).toBe(false)
      expect((await client.read(slot)).record?.at).toBe(record.at + 1)
    } finally {
      await client.close()
    }
  })
})

describe('DHT bootstrap', () => {
  it('nodes sharing only a network name and a DHT find each other (no explicit peers)', async () => {
    const name = uniqueNetworkName()
    const all = await createNetworks(3, { name, dht: { bootstrap: swarm.bootstrap } })
    open.push(...all)
    const ids = all.map((n) => n.peerId)
    await Promise.all(
      all.map((n) => n.discovery.when((c) => ids.every((p) => c.has(p)), { timeout: scaled(10_000) })),
    )
    const held = all.flatMap((n) => n.discovery.dht?.slots.filter((s) => s.status === 'mine') ?? [])
    expect(held.length).toBeGreaterThan(0)
  })

  it('replaces slots that name unreachable peers', async () => {
    const name = uniqueNetworkName()
    // The writer stays in the swarm until the end: a departed DHT node slows every lookup down.
    const client = await DhtClient.start({ bootstrap: swarm.bootstrap, host: '127.0.0.1' })
    try {
      const dead = { peerId: SOME_PEER, addresses: ['/ip4/127.0.0.1/udp/9/quic-v1'], at: Date.now() }
      await Promise.all(slotKeys(id(name)).map((slot) => client.write(slot, dead, undefined)))
      const [first] = (await createNetworks(1, { name, dht: { bootstrap: swarm.bootstrap } })) as [Network]
      open.push(first)
      const slots = () => first.discovery.dht?.slots ?? []
      await expect
        .poll(() => slots().some((s) => s.status === 'mine'), { timeout: scaled(10_000) })
        .toBe(true)
      expect(slots().filter((s) => s.status === 'unreachable').length).toBeGreaterThan(0)
      const [second] = (await createNetworks(1, { name, dht: { bootstrap: swarm.bootstrap } })) as [Network]
      open.push(second)
      await second.discovery.when((c) => c.has(first.peerId), { timeout: scaled(10_000) })
    } finally {
      await client.close()
    }
  })
})
