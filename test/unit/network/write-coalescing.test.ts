/**
 * Links over TCP coalesce noise's two writes per message by corking the socket, which they reach
 * through libp2p's connection object. These tests notice if a libp2p upgrade hides that socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Network } from '../../../runtime/network/network.ts'
import { coalescedWrites } from '../../../runtime/network/write-coalescing.ts'
import { closeAll, createNetworks, discoverAll, scaled } from '../../../runtime/testing/index.ts'

let a: Network
let b: Network

beforeAll(async () => {
  ;[a, b] = (await createNetworks(2)) as [Network, Network]
  await discoverAll([a, b])
})

afterAll(async () => {
  await closeAll([a, b])
})

describe('write coalescing', () => {
  it.each([
    ['tcp', true],
    ['quic', false],
  ] as const)('over %s: corking available = %s', async (transport, available) => {
    const unhandle = await a.handle('/mosaik/test-coalesce/1', (link) => void link.close())
    const link = await b.connect(a.peerId, '/mosaik/test-coalesce/1', { transport, timeout: scaled(5_000) })
    const connection = b.libp2p
      .getConnections(a.libp2p.peerId)
      .find((c) => c.remoteAddr.toString().includes(transport === 'tcp' ? '/tcp/' : '/quic'))
    if (connection === undefined) throw new Error(`no ${transport} connection`)
    expect(coalescedWrites(connection) !== undefined).toBe(available)
    await link.close()
    await unhandle()
  })
})
