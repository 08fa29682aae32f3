/**
 * Messages between the link benchmark orchestrator and its receiver and sender processes. Times
 * are `wallNow()` readings, comparable across the processes.
 */
import type { Summary } from '../lib/stats.ts'

export type Transport = 'quic' | 'tcp'

export type ReceiverIn =
  | { type: 'listen' }
  /** Count the next run's datums; report `done` once `count` arrived (or on `report`). */
  | { type: 'expect'; run: string; count: number; warmup: number }
  | { type: 'report'; run: string }

export type ReceiverOut =
  | { type: 'listening'; addresses: Record<Transport, string> }
  | {
      type: 'done'
      run: string
      received: number
      firstAt: number
      lastAt: number
      outOfOrder: number
      latency: Summary | null
    }

export type SenderIn =
  | { type: 'connect'; address: string; run: string }
  /** Send `count` datums as fast as the link's back-pressure allows. */
  | { type: 'throughput'; count: number }
  /** Send `count` datums at `rate` per second. */
  | { type: 'paced'; count: number; rate: number }

export type SenderOut = { type: 'connected' } | { type: 'sent'; startedAt: number; endedAt: number }
