/**
 * Messages between the collections benchmark orchestrator and its member processes. Each member
 * is one node; it opens Map collections by name as writer or reader and runs what it is told.
 */

/** Group timing of the benchmark's collections (consensus settings: equal on every member). */
export interface BenchTiming {
  readonly snapshotEvery: number
  readonly compactionMargin: number
  readonly electionTicks?: number
}

export type MemberIn =
  | { type: 'start'; network: string; bootstrap: string[] }
  /** Opens the Map `name` (integer keys and values) in `role`; answers `opened` once online. */
  | { type: 'open'; name: string; role: 'writer' | 'reader'; timing: BenchTiming }
  /** `count` inserts with `concurrency` in flight, keys from `from`; answers `inserted`. */
  | { type: 'insert'; name: string; from: number; count: number; concurrency: number }
  /** Fills with `entries` entries, `per` per extend command, then passes a snapshot point. */
  | { type: 'fill'; name: string; entries: number; per: number }
  /** Answers `members` with the group's voters and learners as this node sees them. */
  | { type: 'members'; name: string }
  /** Reads random keys through the handle for `ms` ms; answers `reads`. */
  | { type: 'read'; name: string; ms: number }
  /** Waits until the local version reaches `version`; answers `reached`. */
  | { type: 'reach'; name: string; version: number }

export type MemberOut =
  | { type: 'ready'; peerId: string; addresses: string[] }
  | { type: 'opened'; name: string; ms: number; version: number }
  | { type: 'inserted'; name: string; count: number; ms: number; version: number; latencies: number[] }
  | { type: 'filled'; name: string; version: number; ms: number; snapshotTakeMs: number }
  | { type: 'members'; voters: number; learners: number }
  | { type: 'reads'; name: string; perSecond: number; size: number }
  /**
   * `ms`: from opening the collection to caught up; `fetchMs` and `restoreMs`: the group's last
   * snapshot sync phases (asking peers to verified bytes; building the state).
   */
  | {
      type: 'reached'
      name: string
      size: number
      snapshotBytes: number
      ms: number
      fetchMs: number
      restoreMs: number
    }
