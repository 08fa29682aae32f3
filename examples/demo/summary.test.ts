import { describe, expect, it } from 'vitest'
import { formatCents, formatSummary } from './summary.ts'

describe('demo summary', () => {
  it('formats signed amounts of cents', () => {
    expect(formatCents(123_450)).toBe('+1,234.50')
    expect(formatCents(-25)).toBe('-0.25')
    expect(formatCents(0)).toBe('0.00')
  })

  it('reports leader, orders, fills, book and balances, and checks conservation', () => {
    const lines = formatSummary(
      {
        leader: 'peer-m2-ABCDEFGH',
        voters: ['peer-m1', 'peer-m2', 'peer-m3'],
        stats: { placed: 10, cancelled: 0, resting: 4, fills: 3, volume: 12 },
        depth: { bids: [{ price: 9_990, qty: 5, orders: 2 }], asks: [{ price: 10_010, qty: 1, orders: 1 }] },
        balances: [
          ['ann', { cash: -12_000, units: 12, settled: 3 }],
          ['bob', { cash: 12_000, units: -12, settled: 3 }],
        ],
      },
      [
        { name: 'm1', role: 'matcher', peerId: 'peer-m1' },
        { name: 'm2', role: 'matcher', peerId: 'peer-m2-ABCDEFGH' },
        { name: 'ann', role: 'trader', peerId: 'peer-a', fillsSeen: 3 },
        { name: 'bob', role: 'trader', peerId: 'peer-b', fillsSeen: 3 },
      ],
    )
    expect(lines.join('\n')).toBe(
      [
        '  peers      4 processes: 2 matchers (m1, m2), 2 traders (ann, bob)',
        '  leader     m2 (…ABCDEFGH) · voters 3',
        '  orders     10 placed · 4 resting in the book',
        '  fills      3 fills · 12 units traded',
        '  book       best bid 99.90 × 5 · best ask 100.10 × 1',
        '  balances',
        '    trader      cash   units   fills seen',
        '    ann      -120.00     +12            3',
        '    bob      +120.00     -12            3',
        '    total       0.00       0',
        '  check      cash and units conserved ✓',
      ].join('\n'),
    )
  })
})
