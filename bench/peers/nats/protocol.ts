/**
 * Messages between the NATS baseline orchestrator and its publisher and subscriber processes.
 * Times are `wallNow()` readings (ms since the epoch), comparable across the processes.
 */
import type { Summary } from '../../lib/stats.ts'

export type SubscriberIn =
  | {
      type: 'subscribe'
      server: string
      subject: string
      /** Deliveries expected; the subscriber reports `done` when it has them all. */
      expected: number
      /** Messages with seq below this are counted but not sampled for latency. */
      warmup: number
    }
  /** Report now on the run for `subject` with what arrived so far (the run timed out: loss). */
  | { type: 'report'; subject: string }
  /** Echo every request on `subject` back to its sender (request/reply RTT cross-check). */
  | { type: 'respond'; server: string; subject: string }

export type SubscriberOut =
  | { type: 'subscribed' }
  | { type: 'responding' }
  | {
      type: 'done'
      received: number
      firstReceiveAt: number
      lastReceiveAt: number
      /** Deliveries whose seq was not the one after the previous delivery. */
      outOfOrder: number
      /** One-way latency (receive − send) of the sampled deliveries. */
      latency: Summary | null
    }

export type PublisherIn =
  | { type: 'connect'; server: string }
  /** Publish `count` datums as fast as flush-based back-pressure allows. */
  | { type: 'throughput'; subject: string; count: number; flushEvery: number }
  /** Publish `count` datums at `rate` per second. */
  | { type: 'paced'; subject: string; count: number; rate: number }
  /** `count` closed-loop requests to `subject`, each timed with hrtime. */
  | { type: 'rtt'; subject: string; count: number }

export type PublisherOut =
  | { type: 'connected' }
  | { type: 'published'; count: number; startedAt: number; endedAt: number }
  | { type: 'rtt-done'; rtt: Summary }
