/**
 * Messages between the groups benchmark orchestrator and its member processes. Each member is one
 * node of a 3-voter group; the load runs inside the member that leads (as a client next to the
 * leader) and the failover writers inside the survivors. Times are `wallNow()` readings.
 */
import type { Summary } from '../lib/stats.ts'

/** How a member stores its log. */
export type StorageMode = 'memory' | 'wal' | 'wal-fsync'

export interface MemberConfig {
  network: string
  /** Identity seed: a restarted member keeps its peer id (and its WAL). */
  key: string
  bootstrap: string[]
  storage: StorageMode
  /** WAL directory (for the wal modes). */
  dir: string
  valueBytes: number
}

export type MemberIn =
  | { type: 'start'; config: MemberConfig }
  | { type: 'status' }
  /** Closed-loop load: `concurrency` callers executing commands back to back. */
  | { type: 'load'; concurrency: number; warmupMs: number; durationMs: number }
  /** Survivors of a leader kill: one write every `intervalMs`, until one succeeds after `killedAt`. */
  | { type: 'failover-writes'; intervalMs: number; deadlineMs: number; giveUpMs: number }
  | { type: 'failover-go'; killedAt: number }

export type MemberOut =
  | { type: 'started'; peerId: string; addresses: string[]; commandBytes: number }
  | {
      type: 'status'
      isLeader: boolean
      leader: string | null
      voters: number
      committed: number
    }
  | {
      type: 'loaded'
      ops: number
      errors: number
      measuredMs: number
      latency: Summary | null
      cpuMs: number
    }
  | { type: 'failover-ready' }
  /** `at`: when the first write sent after the kill was acknowledged (null: none within giveUpMs). */
  | { type: 'failover-done'; at: number | null; sentAt: number | null; attempts: number; errors: number }
