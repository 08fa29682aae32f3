/** Messages between the etcd baseline orchestrator and its load-generating client process. */
import type { Summary } from '../../lib/stats.ts'

export interface LoadJob {
  type: 'load'
  /** Client URLs; several means etcd3 picks a random one per call (followers forward). */
  endpoints: string[]
  op: 'put' | 'range'
  concurrency: number
  warmupMs: number
  durationMs: number
  /** Keys cycle through this many names. */
  keySpace: number
  valueBytes: number
}

export interface FailoverJob {
  /** Connect to the survivors (before the kill), then wait for `failover-go`. */
  type: 'failover-prepare'
  endpoints: string[]
  intervalMs: number
  callDeadlineMs: number
  giveUpMs: number
}

export type LoadClientIn =
  | LoadJob
  | FailoverJob
  /** The leader was SIGKILLed at `killedAt` (wallNow); start firing puts. */
  | { type: 'failover-go'; killedAt: number }

export type LoadClientOut =
  | {
      type: 'loaded'
      /** Operations that completed inside the measured window. */
      ops: number
      errors: number
      measuredMs: number
      latency: Summary | null
      firstError?: string
    }
  | { type: 'failover-ready' }
  | {
      type: 'failover-done'
      firstSuccessAt: number
      /** When the first successful put was sent (it may have waited for the election). */
      firstSuccessSentAt: number
      attempts: number
      errors: number
    }
