/**
 * The demo's closing report: who ran, who led, what traded, and every trader's balance, with the
 * check that cash and units are conserved (every fill moves them from one trader to another).
 */
import type { Balance } from '../orderbook/src/generated/index.ts'
import type { MarketSummary } from '../orderbook/src/matcher.ts'

export interface NodeInfo {
  readonly name: string
  readonly role: 'matcher' | 'trader'
  readonly peerId: string
  /** Traders: distinct fills this node saw on the `fills` stream. */
  readonly fillsSeen?: number
}

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** Cents as a signed amount: `+1,234.50`, `-0.25`, `0.00`. */
export function formatCents(cents: number): string {
  const text = money.format(Math.abs(cents) / 100)
  return cents > 0 ? `+${text}` : cents < 0 ? `-${text}` : text
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n)
}

/** A peer id shortened for display: its last 8 characters. */
export function shortPeer(peerId: string): string {
  return `…${peerId.slice(-8)}`
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? []
  return rows.map((row) =>
    row
      .map((cell, col) =>
        rightAligned.has(col) ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0),
      )
      .join('   ')
      .trimEnd(),
  )
}

/** The summary as lines of text. */
export function formatSummary(market: MarketSummary, nodes: readonly NodeInfo[]): string[] {
  const leader = nodes.find((n) => n.peerId === market.leader)
  const matchers = nodes.filter((n) => n.role === 'matcher')
  const traders = nodes.filter((n) => n.role === 'trader')
  const { stats, depth } = market
  const bid = depth.bids[0]
  const ask = depth.asks[0]
  const level = (l: { price: number; qty: number } | undefined): string =>
    l ? `${formatCents(l.price).replace(/^\+/, '')} × ${l.qty}` : '—'

  const balances = new Map<string, Balance>(market.balances)
  const rows = [['trader', 'cash', 'units', 'fills seen']]
  let cash = 0
  let units = 0
  for (const trader of traders) {
    const b = balances.get(trader.name)
    cash += b?.cash ?? 0
    units += b?.units ?? 0
    rows.push([trader.name, formatCents(b?.cash ?? 0), signed(b?.units ?? 0), String(trader.fillsSeen ?? 0)])
  }
  rows.push(['total', formatCents(cash), signed(units), ''])
  const conserved = cash === 0 && units === 0 ? 'conserved ✓' : 'NOT conserved ✗'

  return [
    `  peers      ${nodes.length} processes: ${matchers.length} matchers (${matchers.map((m) => m.name).join(', ')}), ${traders.length} traders (${traders.map((t) => t.name).join(', ')})`,
    `  leader     ${leader ? `${leader.name} (${shortPeer(leader.peerId)})` : market.leader ? shortPeer(market.leader) : 'none'} · voters ${market.voters.length}`,
    `  orders     ${stats.placed} placed · ${stats.resting} resting in the book`,
    `  fills      ${stats.fills} fills · ${stats.volume} units traded`,
    `  book       best bid ${level(bid)} · best ask ${level(ask)}`,
    '  balances',
    ...table(rows, new Set([1, 2, 3])).map((line) => `    ${line}`),
    `  check      cash and units ${conserved}`,
  ]
}
