import { describe, expect, it } from 'vitest'
import { buildResult, medianOfRuns, ratio, ratiosAgainst, row } from '../../../bench/lib/result.ts'
import { ratiosToReference } from '../../../bench/peers/reference.ts'

describe('result rows', () => {
  const rows = [
    row('mosaik', 'throughput', 600_000, 'msgs/s'),
    row('nats', 'throughput', 400_000, 'msgs/s'),
    row('mosaik', 'latency.p50', 0.1, 'ms'),
    row('nats', 'latency.p50', 0.2, 'ms'),
    row('mosaik', 'only-mine', 1, 'x'),
  ]

  it('divides matching rows and skips missing ones', () => {
    expect(
      ratio(rows, { system: 'mosaik', metric: 'throughput' }, { system: 'nats', metric: 'throughput' }),
    ).toBe(1.5)
    expect(
      ratio(rows, { system: 'mosaik', metric: 'only-mine' }, { system: 'nats', metric: 'only-mine' }),
    ).toBeUndefined()
    expect(ratiosAgainst(rows, 'mosaik', 'nats')).toEqual({
      'mosaik/nats throughput': 1.5,
      'mosaik/nats latency.p50': 0.5,
    })
  })

  it('folds repetitions into medians and keeps every run', () => {
    const folded = medianOfRuns([
      [row('nats', 'throughput', 3, 'msgs/s'), row('nats', 'lost', 0, 'msgs')],
      [row('nats', 'throughput', 1, 'msgs/s'), row('nats', 'lost', 0, 'msgs')],
      [row('nats', 'throughput', 2, 'msgs/s')],
    ])
    expect(folded).toEqual([
      { system: 'nats', metric: 'throughput', value: 2, unit: 'msgs/s', runs: [3, 1, 2] },
      { system: 'nats', metric: 'lost', value: 0, unit: 'msgs', runs: [0, 0] },
    ])
    expect(medianOfRuns([[row('a', 'b', 1, 'c')]])).toEqual([row('a', 'b', 1, 'c')])
  })

  it('compares live peer rows with the reference measurements', () => {
    expect(
      ratiosToReference([row('nats', 'throughput', 459_483, 'msgs/s'), row('nats', 'unknown', 1, 'x')]),
    ).toEqual({
      'nats/reference throughput': 1,
    })
  })

  it('builds the common document', () => {
    const result = buildResult({ bench: 'x', params: { n: 1 }, results: rows, notes: [] })
    expect(result).toMatchObject({ bench: 'x', params: { n: 1 }, ratios: {} })
    expect(result.machine.cpus).toBeGreaterThan(0)
    expect(result.machine.node).toBe(process.version)
    expect(Number.isNaN(Date.parse(result.timestamp))).toBe(false)
    expect(result).not.toHaveProperty('notes')
  })
})
