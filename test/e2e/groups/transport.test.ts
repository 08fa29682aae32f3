/**
 * Bonds carry replication over TCP when the peer listens on it (`connect({ transport: 'tcp' })`
 * reuses an open TCP connection or dials the peer's TCP address next to the QUIC one), and over
 * whatever is available otherwise.
 */
import { describe, expect, it } from 'vitest'
import { GROUPS_PROTOCOL } from '../../../runtime/groups/bonds/bond-set.ts'
import { join, leaderOf, nodes, T } from './helpers.ts'

describe('bond transport', () => {
  it('prefers TCP next to QUIC, and the group works over it', async () => {
    const [a, b] = await nodes(2)
    if (a === undefined || b === undefined) throw new Error('setup')
    const link = await a
      .connect(b.peerId, '/mosaik/transport-probe/1', { transport: 'tcp' })
      .catch((err) => err)
    // b does not speak the probe protocol, but the TCP connection was made for it.
    expect(link).toMatchObject({ code: 'ERR_CONNECT' })
    const addresses = a.libp2p.getConnections(b.libp2p.peerId).map((c) => c.remoteAddr.toString())
    expect(addresses.some((address) => address.includes('/tcp/'))).toBe(true)
    const members = [join(a), join(b)]
    const leader = await leaderOf(members)
    expect(await leader.client.execute.increment({ by: 1 }, T(5_000))).toBeGreaterThan(0)
    expect(GROUPS_PROTOCOL).toBe('/mosaik/groups/1')
  })
})
