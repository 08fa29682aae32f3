/**
 * Messages between `npm run demo` and the orderbook node processes it starts, over Node's IPC
 * channel. Commands arrive from another process, so they are checked before use.
 */
import type { MarketSummary } from './matcher.ts'

/** What a node reports to the demo. */
export type NodeEvent =
  | {
      readonly type: 'ready'
      readonly role: 'matcher' | 'trader'
      readonly name: string
      readonly peerId: string
      /** Where this node can be dialed (for `--bootstrap` of nodes started by hand). */
      readonly addresses: readonly string[]
    }
  /** Peers in this node's catalog. */
  | { readonly type: 'peers'; readonly count: number }
  | { readonly type: 'leader'; readonly leader: string }
  /** This matcher follows a leader of both the book and the balances. */
  | { readonly type: 'online' }
  /** This trader's fills stream is subscribed at every matcher. */
  | { readonly type: 'following'; readonly matchers: number }
  /** Orders this trader has sent. */
  | { readonly type: 'sent'; readonly count: number }
  /** This trader's distinct fills seen on the stream, and how many were its own. */
  | { readonly type: 'fills'; readonly seen: number; readonly own: number }
  /** This matcher settled and published fills up to seq `through`. */
  | { readonly type: 'published'; readonly through: number }
  | ({ readonly type: 'summary' } & MarketSummary)
  | { readonly type: 'status'; readonly sent: number; readonly seen: number; readonly own: number }
  /** Something failed and is being retried. */
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'error'; readonly message: string }

/** What the demo asks a node to do. */
export type NodeCommand =
  | { readonly type: 'trade'; readonly count: number; readonly seed: number }
  | { readonly type: 'summary' }
  | { readonly type: 'status' }
  | { readonly type: 'stop' }

/** Most orders one `trade` command may ask for. */
export const MAX_TRADE = 1_000_000

/** Checks a command received over IPC. */
export function parseCommand(
  raw: unknown,
): NodeCommand | { readonly type: 'invalid'; readonly reason: string } {
  if (typeof raw !== 'object' || raw === null) return { type: 'invalid', reason: 'a command is an object' }
  const message = raw as Record<string, unknown>
  switch (message.type) {
    case 'summary':
    case 'status':
    case 'stop':
      return { type: message.type }
    case 'trade': {
      const { count, seed } = message
      if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > MAX_TRADE) {
        return { type: 'invalid', reason: `trade.count must be an integer in 0..${MAX_TRADE}` }
      }
      if (!Number.isInteger(seed)) return { type: 'invalid', reason: 'trade.seed must be an integer' }
      return { type: 'trade', count: count as number, seed: seed as number }
    }
    default:
      return { type: 'invalid', reason: `unknown command ${JSON.stringify(message.type)}` }
  }
}
