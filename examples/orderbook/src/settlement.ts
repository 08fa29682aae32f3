/**
 * Settling fills into the replicated `balances` Map exactly once, with no coordinator. Every
 * balance records `settled`, the seq of the last fill it includes. A settler goes through fills in
 * seq order and, for each trader, adds the fills above `settled` with one compare-and-swap. If
 * another settler got there first the swap fails, the settler re-reads and finds less (or nothing)
 * left to add. So several settlers — say, an old and a new matcher leader — never count a fill
 * twice, and none is skipped as long as one of them keeps going.
 */
import type { MapWriter } from 'mosaik/codegen-v1'
import type { Balance, Fill } from './generated/index.ts'

/** A trader before any fill. */
export const EMPTY_BALANCE: Balance = { cash: 0, units: 0, settled: 0 }

/**
 * `balance` plus the fills of `trader` whose seq is above `balance.settled`, or undefined when no
 * such fill is in `fills` (sorted by seq).
 */
export function applyFills(
  balance: Balance | undefined,
  trader: string,
  fills: readonly Fill[],
): Balance | undefined {
  const start = balance ?? EMPTY_BALANCE
  let next: Balance | undefined
  for (const fill of fills) {
    if (fill.seq <= start.settled || (fill.buyer !== trader && fill.seller !== trader)) continue
    const current = next ?? start
    // A trader on both sides of a fill pays itself: both legs apply and cancel out.
    const bought = fill.buyer === trader ? fill.qty : 0
    const sold = fill.seller === trader ? fill.qty : 0
    next = {
      cash: current.cash + (sold - bought) * fill.price,
      units: current.units + bought - sold,
      settled: fill.seq,
    }
  }
  return next
}

/** Traders named in `fills`, in order of first appearance. */
function tradersOf(fills: readonly Fill[]): string[] {
  return [...new Set(fills.flatMap((f) => [f.buyer, f.seller]))]
}

/**
 * Adds `fills` (consecutive, sorted by seq, following everything this settler settled before) to
 * the balances. Resolves once every trader's balance includes them; returns the writes it made.
 */
export async function settle(balances: MapWriter<string, Balance>, fills: readonly Fill[]): Promise<number> {
  const writes = await Promise.all(
    tradersOf(fills).map(async (trader) => {
      for (;;) {
        const current = balances.get(trader)
        const next = applyFills(current, trader, fills)
        if (next === undefined) return 0
        if ((await balances.compareAndSwap(trader, current, next)).applied) return 1
      }
    }),
  )
  return writes.reduce<number>((a, b) => a + b, 0)
}
