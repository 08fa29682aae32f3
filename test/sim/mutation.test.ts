/**
 * Proof that the simulator can fail: against a core broken on purpose, it must report
 * violations. Each broken core runs seeds until the first failing one, within a budget far above
 * the measured rate (voteWithoutLogCheck fails ~40% of seeds, readWithoutQuorum ~4%,
 * sendBeforePersist ~1%).
 *
 * The fourth mutation, commitEarlierTerms (no current-term commit rule), needs the precise
 * schedule of Raft's figure 8, which random schedules essentially never produce (none in 4,500
 * seeds, even with the leader-storm fault); figure8.test.ts scripts that schedule and shows the
 * same invariant checker catching it.
 */
import { describe, expect, it } from 'vitest'
import type { RaftDebugFlags } from '../../runtime/groups/raft/config.ts'
import { runSeeds } from './suite.ts'

const cases: [keyof RaftDebugFlags, number, string][] = [
  ['voteWithoutLogCheck', 50, 'leader completeness'],
  ['readWithoutQuorum', 400, 'linearizability'],
  ['sendBeforePersist', 1500, ''],
]

describe('mutation check: the simulator finds deliberately planted bugs', () => {
  for (const [flag, budget, expected] of cases) {
    it(`${flag} is caught within ${budget} seeds`, () => {
      const summary = runSeeds({ from: 1, count: budget, debug: { [flag]: true }, maxFailures: 1 })
      expect(summary.failures.length).toBe(1)
      const found = summary.failures[0]?.violations.map((v) => v.invariant) ?? []
      if (expected !== '') expect(found).toContain(expected)
      expect(summary.failures[0]?.replay).toContain(`--mutate ${flag}`)
    })
  }
})
