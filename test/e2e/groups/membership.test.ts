/**
 * Who may be a member (mosaik-features §5.2 `bonds::*`, `builder::*`, `auth::*`): peers advertising
 * the same StoreId bond with each other and nobody else; ids follow the declaration, secret and
 * consensus profile; a peer without the group secret cannot bond or read even if it knows the
 * StoreId; tickets gate bonds; the autopilot removes a voter gone longer than the grace period.
 */
import { describe, expect, it, vi } from 'vitest'
import { group } from '../../../runtime/codegen-v1.ts'
import { BOND_LINK_OPTIONS, GROUPS_PROTOCOL } from '../../../runtime/groups/bonds/bond-set.ts'
import { initiateBond } from '../../../runtime/groups/bonds/handshake.ts'
import { bondKey, newNonce } from '../../../runtime/groups/bonds/proof.ts'
import { issueJwtTicket, JwtValidator, jwtSigningKey, jwtVerifyingKey } from '../../../runtime/tickets/jwt.ts'
import { type CounterCommands, CounterMachine, type CounterQueries, counterDescriptor } from './counter.ts'
import { groupOf, join, leaderOf, nodes, T, until, votersReach } from './helpers.ts'

const other = group<CounterCommands, CounterQueries>(counterDescriptor('other'))

describe('bonds', () => {
  it('form between the members of each group and no one else', async () => {
    const [n0, n1, n2, n3] = await nodes(4)
    const g1 = [join(n0, { secret: 'one' }), join(n1, { secret: 'one' })]
    const g2 = [n0, n2, n3].map((n) => ({
      n,
      client: other.join(n as never, new CounterMachine(), { secret: 'two' }),
    }))
    const g3 = [join(n1, { secret: 'three' }), join(n2, { secret: 'three' })]
    const bonded = (member: (typeof g1)[0]) => groupOf(member).bonded
    await until(
      () => g1.every((m) => bonded(m).length === 1) && g3.every((m) => bonded(m).length === 1),
      10_000,
    )
    expect(bonded(g1[0] as (typeof g1)[0])).toEqual([n1?.peerId])
    expect(bonded(g3[0] as (typeof g3)[0])).toEqual([n2?.peerId])
    await until(
      () => g2.every(({ n, client }) => (n?.groups.get(client.storeId)?.bonded.length ?? 0) === 2),
      10_000,
      'g2 bonds',
    )
    for (const { client } of g2) await client.close()
  })
})

describe('identity', () => {
  it('follows declaration, secret and consensus timing, not local settings', async () => {
    const [n0, n1] = await nodes(2, false)
    const a = join(n0, { secret: 's' })
    const b = join(n1, { secret: 's', timing: { removeAfterMs: 9_000 } })
    expect(a.client.groupId.equals(b.client.groupId)).toBe(true)
    expect(a.client.storeId.equals(b.client.storeId)).toBe(true)
    const c = other.join(n1 as never, new CounterMachine(), { secret: 's' })
    expect(c.groupId.equals(a.client.groupId)).toBe(false)
    const d = join(n1, { secret: 't' })
    expect(d.client.groupId.equals(a.client.groupId)).toBe(false)
    const e = join(n1, { secret: 's', timing: { electionTicks: 20 } })
    expect(e.client.groupId.equals(a.client.groupId)).toBe(true)
    expect(e.client.storeId.equals(a.client.storeId)).toBe(false)
    expect(() => join(n1, { secret: 's', timing: { removeAfterMs: 1 } })).toThrow(/already joined/)
    await Promise.all([c, d.client, e.client].map((x) => x.close()))
  })
})

describe('the group secret', () => {
  it('keeps out a peer that knows the StoreId but not the secret, and a peer with another secret', async () => {
    const [n0, n1, n2, intruder] = await nodes(4)
    const members = [join(n0, { secret: 'right' }), join(n1, { secret: 'right' })]
    const wrong = join(n2, { secret: 'wrong' })
    await leaderOf(members)
    await until(() => groupOf(members[0] as (typeof members)[0]).bonded.length === 1)
    const storeId = members[0]?.client.storeId
    if (storeId === undefined || n0 === undefined || intruder === undefined) throw new Error('setup')
    // The intruder advertises the StoreId (public in the catalog) and tries to bond with a guess:
    // it cannot verify the member's proof, and the member refuses the intruder's.
    intruder.discovery.addGroups(storeId)
    const link = await intruder.connect(n0.peerId, GROUPS_PROTOCOL, { link: BOND_LINK_OPTIONS })
    const side = {
      storeId,
      key: bondKey(storeId, members[0]?.client.groupId ?? storeId, 'guess'),
      localPeer: intruder.peerId,
      status: () => ({ formation: null, observer: false, locked: false }),
    }
    await expect(initiateBond(link, side, 5_000)).rejects.toMatchObject({
      code: 'ERR_REJECTED',
      reason: 'invalid-proof',
    })
    const raw = await intruder.connect(n0.peerId, GROUPS_PROTOCOL, { link: BOND_LINK_OPTIONS })
    await raw.send(['h', 1, storeId.bytes, newNonce()])
    expect(((await raw.receive(T(5_000))) as unknown[])[0]).toBe('c')
    await raw.send(['v', newNonce(), null, false, false])
    expect(await raw.receive(T(5_000))).toEqual(['x', 'invalid-proof'])
    // Skipping the handshake gets nothing but a refusal: asking for a snapshot is not a hello.
    const probe = await intruder.connect(n0.peerId, GROUPS_PROTOCOL, { link: BOND_LINK_OPTIONS })
    await probe.send(['so', 1])
    expect(await probe.receive(T(5_000))).toEqual(['x', 'malformed'])
    probe.abort()
    const group = groupOf(members[0] as (typeof members)[0])
    expect(group.bonded).toEqual([n1?.peerId])
    // The member counts the refusal once its handshake has failed, just after sending it.
    await vi.waitFor(
      async () =>
        expect(
          await n0.metrics.value('mosaik_groups_bonds_refused_total', {
            group: `counter/${storeId.short}`,
            reason: 'invalid-proof',
            by: 'local',
          }),
        ).toBe(1),
      T(5_000),
    )
    // A node with another secret is another group: it never even tries to bond.
    expect(wrong.client.storeId.equals(storeId)).toBe(false)
    expect(groupOf(wrong).bonded).toEqual([])
    expect(await wrong.client.query.value({}, { consistency: 'local' })).toBe(0)
  })

  it('tickets: only peers whose tickets every validator accepts can bond', async () => {
    const secret = new TextEncoder().encode('ticket secret')
    const validator = new JwtValidator({ keys: [await jwtVerifyingKey('HS256', secret)], issuers: ['ops'] })
    const [n0, n1, n2] = await nodes(3)
    for (const n of [n0, n1]) {
      if (n === undefined) continue
      n.discovery.addTicket(
        await issueJwtTicket(await jwtSigningKey('HS256', secret), n.peerId, {
          issuer: 'ops',
          expiresAt: Date.now() + 3_600_000,
        }),
      )
    }
    const members = [n0, n1, n2].map((n) => join(n, { tickets: [validator] }))
    await until(() => groupOf(members[0] as (typeof members)[0]).bonded.length === 1)
    await until(() => (members[0] ? groupOf(members[0]).bonded : []).includes(n1?.peerId ?? ''))
    await expect(
      until(() => groupOf(members[2] as (typeof members)[0]).bonded.length > 0, 1_500),
    ).rejects.toThrow()
  })
})

describe('autopilot', () => {
  it('removes a voter that has been gone longer than the grace period', async () => {
    const nets = await nodes(3)
    const members = nets.map((n) => join(n, { timing: { removeAfterMs: 1_000 } }))
    const leader = await leaderOf(members)
    await votersReach(leader, 3)
    const victim = members.find((m) => m !== leader) as (typeof members)[0]
    await victim.network.close()
    await until(() => leader.client.members.voters.length === 2, 10_000, 'removal')
    expect(leader.client.members.voters).not.toContain(victim.network.peerId)
    expect(leader.client.members.learners).not.toContain(victim.network.peerId)
    const label = { group: `counter/${leader.client.storeId.short}`, action: 'remove' }
    expect(await leader.network.metrics.value('mosaik_groups_membership_changes_total', label)).toBe(1)
    expect(await leader.client.execute.increment({ by: 1 }, T(5_000))).toBeGreaterThan(0)
  })
})
