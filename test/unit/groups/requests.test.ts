/**
 * Requests between proposal and answer: proposals settle on apply (or fail when overwritten or
 * replaced by a snapshot), forwarded batches resolve with the leader's assignment and fail with
 * typed errors, read barriers retry dropped reads until their deadline.
 */
import { describe, expect, it } from 'vitest'
import type { Bond } from '../../../runtime/groups/bonds/bond.ts'
import { Calls } from '../../../runtime/groups/runtime/calls.ts'
import { Forwarder, Proposals } from '../../../runtime/groups/runtime/proposals.ts'
import { ReadBarriers } from '../../../runtime/groups/runtime/reads.ts'
import type { BondMessage } from '../../../runtime/groups/wire/bond.ts'

describe('Proposals', () => {
  it('resolve with the outcome when (index, term) is applied', async () => {
    const proposals = new Proposals()
    const waiting = proposals.wait(5, 2, Number.POSITIVE_INFINITY)
    proposals.applied(5, 2, { ok: true, result: 'done' })
    expect(await waiting).toEqual({ ok: true, result: 'done' })
    expect(proposals.size).toBe(0)
  })

  it('fail as not applied when a new leader overwrote the index', async () => {
    const proposals = new Proposals()
    const waiting = proposals.wait(5, 2, Number.POSITIVE_INFINITY)
    proposals.applied(5, 3, { ok: true, result: undefined })
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_OFFLINE', details: { outcome: 'not-applied' } })
  })

  it('fail with an unknown outcome when a snapshot replaced the state past the index', async () => {
    const proposals = new Proposals()
    const below = proposals.wait(5, 2, Number.POSITIVE_INFINITY)
    const above = proposals.wait(9, 2, Number.POSITIVE_INFINITY)
    proposals.restored(7)
    await expect(below).rejects.toMatchObject({ code: 'ERR_OFFLINE', details: { outcome: 'unknown' } })
    proposals.applied(9, 2, { ok: true, result: 1 })
    expect(await above).toMatchObject({ ok: true })
  })

  it('time out at the deadline (swept by expire) and on abort, leaving nothing behind', async () => {
    const proposals = new Proposals()
    const late = proposals.wait(1, 1, 100)
    proposals.expire(99)
    expect(proposals.size).toBe(1)
    proposals.expire(100)
    await expect(late).rejects.toMatchObject({ code: 'ERR_TIMEOUT', details: { outcome: 'unknown' } })
    const controller = new AbortController()
    const aborted = proposals.wait(2, 1, Number.POSITIVE_INFINITY, controller.signal)
    controller.abort(new Error('stop'))
    await expect(aborted).rejects.toThrow('stop')
    expect(proposals.size).toBe(0)
  })
})

/** A bond that records what is sent and lets the test answer. */
function fakeBond(peer: string, calls: Calls, answer: (m: BondMessage) => BondMessage | null): Bond {
  return {
    peer,
    send(message: BondMessage) {
      const reply = answer(message)
      if (reply !== null)
        queueMicrotask(() => calls.settle(peer, reply as Extract<BondMessage, { id: number }>))
      return true
    },
  } as unknown as Bond
}

describe('Forwarder', () => {
  it('sends one batch per turn and resolves each command with its (index, term)', async () => {
    const calls = new Calls()
    const sent: BondMessage[] = []
    const bond = fakeBond('leader', calls, (m) => {
      sent.push(m)
      if (m.t !== 'f') return null
      return { t: 'fa', id: m.id, assigned: m.commands.map((_, i) => [10 + i, 3] as const) }
    })
    const forwarder = new Forwarder({ leaderBond: () => bond, calls, forwardTimeoutMs: 1_000 })
    const deadline = Date.now() + 1_000
    const results = await Promise.all([1, 2, 3].map((n) => forwarder.submit(new Uint8Array([n]), deadline)))
    expect(results).toEqual([
      [10, 3],
      [11, 3],
      [12, 3],
    ])
    expect(sent.filter((m) => m.t === 'f')).toHaveLength(1)
  })

  it('fails with NotLeader when only non-leaders answered before the deadline', async () => {
    const calls = new Calls()
    const { promise: asked, resolve: ask } = Promise.withResolvers<void>()
    const bond = fakeBond('follower', calls, (m) => {
      if (m.t !== 'f') return null
      ask()
      return { t: 'fe', id: m.id, reason: 'not-leader' }
    })
    const forwarder = new Forwarder({ leaderBond: () => bond, calls, forwardTimeoutMs: 1_000 })
    const pending = forwarder.submit(new Uint8Array([1]), Date.now() + 20)
    await asked
    // The refusal is settled in microtasks; one macrotask turn lets all of them run.
    await new Promise((resolve) => setImmediate(resolve))
    // Expire as if 30 ms had passed: deadlines are checked against the time expire() is given.
    forwarder.expire(Date.now() + 30)
    await expect(pending).rejects.toMatchObject({ code: 'ERR_NOT_LEADER' })
  })

  it('fails at once with an unknown outcome when the leader changes under a batch', async () => {
    const calls = new Calls()
    const bond = fakeBond('old', calls, () => null)
    const forwarder = new Forwarder({ leaderBond: () => bond, calls, forwardTimeoutMs: 10_000 })
    const pending = forwarder.submit(new Uint8Array([1]), Date.now() + 10_000)
    await new Promise((resolve) => setImmediate(resolve))
    forwarder.leaderChanged('old')
    await expect(pending).rejects.toMatchObject({ code: 'ERR_OFFLINE', details: { outcome: 'unknown' } })
    calls.close(new Error('done'))
  })

  it('fails with Offline when no leader is known before the deadline', async () => {
    const forwarder = new Forwarder({
      leaderBond: () => undefined,
      calls: new Calls(),
      forwardTimeoutMs: 1_000,
    })
    const pending = forwarder.submit(new Uint8Array([1]), Date.now())
    forwarder.expire(Date.now() + 1)
    await expect(pending).rejects.toMatchObject({ code: 'ERR_OFFLINE' })
  })
})

describe('ReadBarriers', () => {
  it('resolve confirmed reads and ask again for dropped ones', async () => {
    const reads = new ReadBarriers()
    const asked: string[] = []
    const ask = (id: string) => asked.push(id)
    const first = reads.request(Date.now() + 1_000, ask)
    reads.settle([], [asked[0] as string])
    reads.retry(Date.now(), ask)
    expect(asked).toHaveLength(2)
    reads.settle([{ requestId: asked[1] as string, index: 42 }], [])
    expect(await first).toBe(42)
  })

  it('fail with Offline after the deadline, and ask again after the core was replaced', async () => {
    const reads = new ReadBarriers()
    const asked: string[] = []
    const late = reads.request(Date.now() - 1, (id) => asked.push(id))
    reads.retry(Date.now(), (id) => asked.push(id))
    await expect(late).rejects.toMatchObject({ code: 'ERR_OFFLINE' })
    const kept = reads.request(Date.now() + 1_000, (id) => asked.push(id))
    reads.reissueAll()
    reads.retry(Date.now(), (id) => asked.push(id))
    reads.settle([{ requestId: asked.at(-1) as string, index: 7 }], [])
    expect(await kept).toBe(7)
  })
})
