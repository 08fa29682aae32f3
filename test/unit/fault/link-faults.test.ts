import { describe, expect, it } from 'vitest'
import { FAULT_TABLE, LinkFaults } from '../../fault/harness/link-faults.ts'

const port = (i: number): string => `h${i}`

function rules(faults: LinkFaults): string[] {
  return faults
    .render(port)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('iifname'))
}

describe('LinkFaults', () => {
  it('renders an empty accepting chain that replaces the table in one transaction', () => {
    const script = new LinkFaults().render(port)
    expect(script.split('\n').slice(0, 3)).toEqual([
      `table bridge ${FAULT_TABLE} {}`,
      `delete table bridge ${FAULT_TABLE}`,
      `table bridge ${FAULT_TABLE} {`,
    ])
    expect(script).toContain('type filter hook forward priority 0; policy accept;')
    expect(rules(new LinkFaults())).toEqual([])
  })

  it('blocks directed links for IP only, so ARP keeps one-way blocks one-way', () => {
    const faults = new LinkFaults()
    faults.block(2, 0)
    faults.block(0, 1)
    faults.block(1, 1) // a host's link to itself is not a link
    expect(rules(faults)).toEqual([
      'iifname "h0" oifname "h1" meta protocol { ip, ip6 } drop',
      'iifname "h2" oifname "h0" meta protocol { ip, ip6 } drop',
    ])
    faults.unblock(0, 1)
    expect(faults.snapshot().blocked).toEqual([{ from: 2, to: 0 }])
  })

  it('renders loss with a per-million threshold and leaves it out where the link is blocked', () => {
    const faults = new LinkFaults()
    faults.setLoss(0, 1, 0.25)
    faults.setLoss(1, 0, 0.0000014)
    faults.setLoss(0, 2, 1)
    faults.block(0, 2)
    expect(rules(faults)).toEqual([
      'iifname "h0" oifname "h2" meta protocol { ip, ip6 } drop',
      'iifname "h0" oifname "h1" meta protocol { ip, ip6 } numgen random mod 1000000 < 250000 drop',
      'iifname "h1" oifname "h0" meta protocol { ip, ip6 } numgen random mod 1000000 < 1 drop',
    ])
    faults.setLoss(0, 1, 0)
    expect(faults.snapshot().loss.map((l) => [l.from, l.to])).toEqual([
      [0, 2],
      [1, 0],
    ])
    faults.clear()
    expect(faults.snapshot()).toEqual({ blocked: [], loss: [] })
  })

  it('rejects probabilities outside [0, 1] with a typed error', () => {
    const faults = new LinkFaults()
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      expect(() => faults.setLoss(0, 1, bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    }
  })
})
