/**
 * Events of groups, delivered to `group.subscribe` and `network.groups.subscribe`.
 */
import type { Formation } from '../formation.ts'

/** This node founded a group (it persisted the founding entry). */
export interface GroupFormedEvent {
  readonly type: 'formed'
  readonly group: string
  readonly storeId: string
  readonly formation: Formation
  readonly founders: readonly string[]
}

/**
 * Two groups of the same StoreId that formed apart met; this node's group lost the merge rule
 * (the older formation wins) and this node discarded its state to join the winner. Names what was
 * discarded: the log range, how many entries and commands, their indexes and terms (the first
 * 1000), and where a WAL directory was kept.
 */
export interface GroupMergedEvent {
  readonly type: 'merged'
  readonly group: string
  readonly storeId: string
  /** The formation this node left. */
  readonly discarded: Formation
  /** The formation it joins. */
  readonly winner: Formation
  /** The peer whose status revealed the winner. */
  readonly via: string
  /** Entries discarded (including those covered by a snapshot). */
  readonly entries: number
  /** Commands among the discarded log entries that were still in the log. */
  readonly commands: number
  readonly firstIndex: number
  readonly lastIndex: number
  readonly snapshotIndex: number | null
  readonly indexes: readonly { readonly index: number; readonly term: number; readonly kind: string }[]
  /** Where the discarded WAL directory was moved (durable groups only). */
  readonly preservedAt?: string
}

export type GroupEvent = GroupFormedEvent | GroupMergedEvent
