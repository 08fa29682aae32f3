/**
 * Formation: founding entries and their ids, the merge rule, and the coordinator/founder protocol
 * of `FormationAgent` with its effects recorded.
 */
import { describe, expect, it } from 'vitest'
import { FormationAgent, type FormationPeer } from '../../../runtime/groups/autopilot/formation.ts'
import {
  type FoundingEntry,
  formationWins,
  foundingEntry,
  readFoundingEntry,
} from '../../../runtime/groups/formation.ts'
import { decodeMembership } from '../../../runtime/groups/raft/membership.ts'
import type { BondMessage } from '../../../runtime/groups/wire/bond.ts'

describe('founding entries', () => {
  it('derive one formation id from the bytes every founder persists', () => {
    const entry = foundingEntry(['c', 'a', 'b'], 'a', 1_000)
    const read = readFoundingEntry(entry.data)
    expect(read.formation).toEqual(entry.formation)
    expect(read.membership).toEqual({ voters: ['a', 'b', 'c'], learners: [] })
    expect(decodeMembership(entry.data)).toEqual({ voters: ['a', 'b', 'c'], learners: [] })
    expect(foundingEntry(['a'], 'a', 1_000).formation.id).not.toBe(
      foundingEntry(['a'], 'a', 1_001).formation.id,
    )
  })

  it('merge rule: the older formation wins, then the smaller id, the same from both sides', () => {
    const old = { id: 'f'.repeat(64), at: 1 }
    const young = { id: '0'.repeat(64), at: 2 }
    expect(formationWins(old, young)).toBe(true)
    expect(formationWins(young, old)).toBe(false)
    const twin = { id: '1'.repeat(64), at: 1 }
    expect(formationWins(twin, old)).toBe(true)
    expect(formationWins(old, twin)).toBe(false)
  })
})

function status(overrides: Partial<FormationPeer['status']> = {}): FormationPeer['status'] {
  return { formation: null, observer: false, locked: false, ...overrides }
}

function agent(self: string, minVoters = 1) {
  const sent: [string, BondMessage][] = []
  const founded: FoundingEntry[] = []
  const formation = new FormationAgent(
    { self, observer: false, minVoters, maxVoters: 5, formationDelayMs: 1_000, handshakeMs: 500 },
    {
      send: (peer, message) => {
        sent.push([peer, message])
        return true
      },
      found: async (entry) => {
        founded.push(entry)
        return true
      },
      lockChanged: () => {},
    },
    0,
  )
  return { formation, sent, founded }
}

describe('FormationAgent', () => {
  it('a lone node founds alone after the delay when minVoters is 1', async () => {
    const { formation, founded } = agent('a')
    formation.evaluate(999, [])
    expect(founded).toHaveLength(0)
    formation.evaluate(1_000, [])
    await Promise.resolve()
    expect(founded[0]?.membership.voters).toEqual(['a'])
  })

  it('waits for minVoters free peers and lets only the smallest id coordinate', async () => {
    const a = agent('a', 3)
    const peers = [{ peer: 'b', status: status() }]
    a.formation.evaluate(2_000, peers)
    expect(a.sent).toHaveLength(0)
    const all = [...peers, { peer: 'c', status: status() }]
    a.formation.evaluate(2_000, all)
    expect(a.sent.map(([peer, m]) => [peer, m.t])).toEqual([
      ['b', 'fo'],
      ['c', 'fo'],
    ])
    const b = agent('b', 3)
    b.formation.evaluate(2_000, [
      { peer: 'a', status: status() },
      { peer: 'c', status: status() },
    ])
    expect(b.sent).toHaveLength(0)
  })

  it('never founds while a peer already belongs to a group', () => {
    const { formation, sent, founded } = agent('a')
    formation.evaluate(5_000, [{ peer: 'b', status: status({ formation: { id: 'f'.repeat(64), at: 1 } }) }])
    expect(sent).toHaveLength(0)
    expect(founded).toHaveLength(0)
  })

  it('commits an offer every founder accepted, on every founder, with one founding entry', async () => {
    const a = agent('a', 2)
    const b = agent('b', 2)
    a.formation.evaluate(2_000, [{ peer: 'b', status: status() }])
    const [, offer] = a.sent[0] as [string, Extract<BondMessage, { t: 'fo' }>]
    b.formation.onOffer('a', offer.id, offer.entry, true, 2_000)
    const [, reply] = b.sent[0] as [string, Extract<BondMessage, { t: 'fr' }>]
    expect(reply.ok).toBe(true)
    expect(b.formation.locked).toBe(true)
    a.formation.onReply('b', reply.id, reply.ok)
    await new Promise((r) => setImmediate(r))
    const commit = a.sent.find(([, m]) => m.t === 'fc')?.[1] as { id: number } | undefined
    expect(commit).toBeDefined()
    b.formation.onCommit('a', commit?.id ?? -1)
    await Promise.resolve()
    expect(a.founded[0]?.formation).toEqual(b.founded[0]?.formation)
    expect(a.founded[0]?.membership.voters).toEqual(['a', 'b'])
  })

  it('aborts on a refusal and unlocks the founders that accepted', () => {
    const a = agent('a', 3)
    const b = agent('b', 3)
    a.formation.evaluate(2_000, [
      { peer: 'b', status: status() },
      { peer: 'c', status: status() },
    ])
    const [, offer] = a.sent[0] as [string, Extract<BondMessage, { t: 'fo' }>]
    b.formation.onOffer('a', offer.id, offer.entry, true, 2_000)
    a.formation.onReply('b', offer.id, true)
    a.formation.onReply('c', offer.id, false)
    const aborts = a.sent.filter(([, m]) => m.t === 'fx').map(([peer]) => peer)
    expect(aborts).toEqual(['b', 'c'])
    b.formation.onAbort('a', offer.id)
    expect(b.formation.locked).toBe(false)
    expect(a.founded).toHaveLength(0)
  })

  it('refuses offers when taken, not empty, or not named a founder', () => {
    const b = agent('b', 2)
    const entry = foundingEntry(['a', 'b'], 'a', 5)
    b.formation.onOffer('a', 1, entry.data, false, 0)
    b.formation.onOffer('a', 2, foundingEntry(['a', 'c'], 'a', 5).data, true, 0)
    b.formation.onOffer('a', 3, new Uint8Array([1, 2, 3]), true, 0)
    expect(b.sent.map(([, m]) => (m as { ok: boolean }).ok)).toEqual([false, false, false])
    b.formation.onOffer('a', 4, entry.data, true, 0)
    b.formation.onOffer('c', 5, foundingEntry(['b', 'c'], 'c', 5).data, true, 0)
    expect(b.sent.slice(3).map(([, m]) => (m as { ok: boolean }).ok)).toEqual([true, false])
    b.formation.evaluate(10_000, [])
    expect(b.formation.locked).toBe(false)
  })
})
