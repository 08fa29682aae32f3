/**
 * The leader's membership decisions, one step at a time: absent members are removed after the
 * grace period, bonded peers join as learners, caught-up and stable learners become voters while
 * the voter count stays odd and within the cap, observers never vote.
 */
import { describe, expect, it } from 'vitest'
import {
  type AutopilotInput,
  nextMembershipChange,
  type PeerView,
} from '../../../runtime/groups/autopilot/autopilot.ts'
import type { PeerProgress } from '../../../runtime/groups/raft/types.ts'

const NOW = 100_000

function alive(since = 0, observer = false): PeerView {
  return { alive: true, observer, aliveSince: since, absentSince: null }
}

function absent(since: number): PeerView {
  return { alive: false, observer: false, aliveSince: null, absentSince: since }
}

function progress(id: string, match: number): PeerProgress {
  return { id, voter: false, match, next: match + 1, state: 'replicate', recentActive: true }
}

function input(overrides: Partial<AutopilotInput>): AutopilotInput {
  return {
    self: 'a',
    membership: { voters: ['a'], learners: [] },
    progress: [],
    commit: 10,
    peers: new Map(),
    now: NOW,
    promoteAfterMs: 1_000,
    removeAfterMs: 15_000,
    maxVoters: 5,
    ...overrides,
  }
}

describe('autopilot', () => {
  it('adds every live bonded peer as a learner in one step', () => {
    const change = nextMembershipChange(
      input({
        peers: new Map([
          ['c', alive()],
          ['b', alive()],
        ]),
      }),
    )
    expect(change).toMatchObject({ action: 'add-learners', peers: ['b', 'c'] })
    expect(change?.next).toEqual({ voters: ['a'], learners: ['b', 'c'] })
  })

  it('keeps an odd voter count: one eligible learner waits, two are promoted one at a time', () => {
    const one = input({
      membership: { voters: ['a'], learners: ['b'] },
      progress: [progress('b', 10)],
      peers: new Map([['b', alive()]]),
    })
    expect(nextMembershipChange(one)).toBeNull()
    const two = input({
      membership: { voters: ['a'], learners: ['b', 'c'] },
      progress: [progress('b', 10), progress('c', 12)],
      peers: new Map([
        ['b', alive()],
        ['c', alive()],
      ]),
    })
    const first = nextMembershipChange(two)
    expect(first).toMatchObject({ action: 'promote', peers: ['c'] })
    const next = nextMembershipChange({ ...two, membership: first?.next ?? two.membership })
    expect(next).toMatchObject({
      action: 'promote',
      peers: ['b'],
      next: { voters: ['a', 'b', 'c'], learners: [] },
    })
  })

  it('promotes only caught-up learners bonded for long enough', () => {
    const base = {
      membership: { voters: ['a', 'b'], learners: ['c'] },
      progress: [progress('b', 10), progress('c', 9)],
    }
    expect(
      nextMembershipChange(
        input({
          ...base,
          peers: new Map([
            ['b', alive()],
            ['c', alive()],
          ]),
        }),
      ),
    ).toBeNull()
    const caughtUp = { ...base, progress: [progress('b', 10), progress('c', 10)] }
    const recent = new Map([
      ['b', alive()],
      ['c', alive(NOW - 500)],
    ])
    expect(nextMembershipChange(input({ ...caughtUp, peers: recent }))).toBeNull()
    const stable = new Map([
      ['b', alive()],
      ['c', alive(NOW - 1_000)],
    ])
    expect(nextMembershipChange(input({ ...caughtUp, peers: stable }))).toMatchObject({
      action: 'promote',
      peers: ['c'],
    })
  })

  it('never promotes observers and demotes a voter that became one', () => {
    const observers = input({
      membership: { voters: ['a'], learners: ['b', 'c'] },
      progress: [progress('b', 10), progress('c', 10)],
      peers: new Map([
        ['b', alive(0, true)],
        ['c', alive(0, true)],
      ]),
    })
    expect(nextMembershipChange(observers)).toBeNull()
    const demote = input({
      membership: { voters: ['a', 'b', 'c'], learners: [] },
      peers: new Map([
        ['b', alive(0, true)],
        ['c', alive()],
      ]),
    })
    expect(nextMembershipChange(demote)).toMatchObject({
      action: 'demote',
      next: { voters: ['a', 'c'], learners: ['b'] },
    })
  })

  it('caps voters at maxVoters', () => {
    const learners = ['b', 'c', 'd', 'e', 'f', 'g']
    const full = input({
      membership: { voters: ['a', 'b', 'c', 'd', 'e'], learners: ['f', 'g'] },
      progress: learners.map((id) => progress(id, 10)),
      peers: new Map(learners.map((id) => [id, alive()])),
    })
    expect(nextMembershipChange(full)).toBeNull()
  })

  it('removes a voter only after the grace period, and never the leader', () => {
    const members = { voters: ['a', 'b', 'c'], learners: [] }
    const soon = input({
      membership: members,
      peers: new Map([
        ['b', absent(NOW - 14_999)],
        ['c', alive()],
      ]),
    })
    expect(nextMembershipChange(soon)).toBeNull()
    const late = input({
      membership: members,
      peers: new Map([
        ['b', absent(NOW - 15_000)],
        ['c', alive()],
      ]),
    })
    expect(nextMembershipChange(late)).toMatchObject({
      action: 'remove',
      peers: ['b'],
      next: { voters: ['a', 'c'] },
    })
    const self = input({
      membership: members,
      peers: new Map([
        ['a', absent(0)],
        ['b', alive()],
        ['c', alive()],
      ]),
    })
    expect(nextMembershipChange(self)).toBeNull()
  })

  it('removes absent learners', () => {
    const change = nextMembershipChange(
      input({
        membership: { voters: ['a'], learners: ['b', 'c'] },
        peers: new Map([
          ['b', absent(0)],
          ['c', absent(0)],
        ]),
      }),
    )
    expect(change).toMatchObject({ action: 'remove', next: { voters: ['a'], learners: [] } })
  })
})
