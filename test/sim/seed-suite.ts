/**
 * Defines the simulator's seed sweep as vitest tests, split into parts so that several test files
 * can run them on separate workers. Default: 500 seeds in all; MOSAIK_LONG=1: 10,000.
 */
import { describe, expect, it } from 'vitest'
import { describeFailure, describeSummary, runSeeds } from './suite.ts'

const TOTAL = process.env.MOSAIK_LONG === '1' ? 10_000 : 500
const CHUNK = 250

/** Registers part `part` (0-based) of `parts` of the sweep, in chunks of 250 seeds per test. */
export function seedSweep(part: number, parts: number): void {
  const per = Math.ceil(TOTAL / parts)
  const first = 1 + part * per
  const last = Math.min(TOTAL, first + per - 1)
  describe(`raft simulator, seeds ${first}–${last}`, () => {
    for (let from = first; from <= last; from += CHUNK) {
      const count = Math.min(CHUNK, last - from + 1)
      it(`seeds ${from}–${from + count - 1}: no invariant or linearizability violation`, () => {
        const summary = runSeeds({ from, count })
        console.log(describeSummary(summary))
        expect(summary.failures.map(describeFailure)).toEqual([])
        expect(summary.opsChecked).toBeGreaterThan(count * 20)
        expect(summary.faults).toBeGreaterThan(count * 5)
      })
    }
  })
}
