/**
 * Messages between the streams benchmark orchestrator and its sender and receiver processes (the
 * same for mosaik and for the raw libp2p stream). The sender listens; the receiver connects to it,
 * as a consumer subscribes to a producer. Times are `wallNow()` readings, comparable across processes.
 */
import type { Summary } from '../lib/stats.ts'

/** How both processes run their node. */
export interface NodeSettings {
  /**
   * Listen addresses on 127.0.0.1: `both` is mosaik's default setup (QUIC and TCP; Streams moves
   * data over TCP), `quic`/`tcp` pins one. The raw stream uses TCP for `both`.
   */
  transport: 'both' | 'quic' | 'tcp'
  /** Producer buffer and consumer credit window (mosaik only). */
  bufferSize: number
}

export type SenderIn =
  | { type: 'listen'; settings: NodeSettings }
  /** Resolve once the receiver's subscription is up. */
  | { type: 'await-receiver' }
  /** Send `count` datums as fast as back-pressure allows. */
  | { type: 'throughput'; count: number }
  /** Send `count` datums at `rate` per second. */
  | { type: 'paced'; count: number; rate: number }

export type SenderOut =
  | { type: 'listening'; network: string; addresses: string[] }
  | { type: 'receiver-ready' }
  /** `cpuMs`: CPU time (user + system) the sender process spent on the run. */
  | { type: 'published'; count: number; startedAt: number; endedAt: number; cpuMs: number }

export type ReceiverIn =
  | { type: 'connect'; settings: NodeSettings; network: string; addresses: string[] }
  /** The next run: `expected` datums numbered from 0; those below `warmup` are not sampled. */
  | { type: 'expect'; expected: number; warmup: number }
  /** Report now with what arrived (the run timed out: loss). */
  | { type: 'report' }

export type ReceiverOut =
  | { type: 'connected' }
  | { type: 'expecting' }
  | {
      type: 'done'
      received: number
      lastReceiveAt: number
      /** Deliveries whose seq was not the one after the previous delivery. */
      outOfOrder: number
      latency: Summary | null
      /** CPU time (user + system) the receiver process spent from the run's start to its report. */
      cpuMs: number
    }
