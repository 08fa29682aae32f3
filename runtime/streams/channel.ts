/**
 * The public view of one producer↔consumer channel (`ChannelInfo`), shared by both ends: the peer
 * as it was when the channel opened, the channel state and its counters.
 */
import type { ChannelInfo, ChannelState, PeerInfo, StreamStats } from '../codegen/streams.ts'
import type { Digest } from '../primitives/digest.ts'
import { StatsCounter } from './stats.ts'

export class ChannelRecord implements ChannelInfo {
  readonly streamId: Digest
  peer: PeerInfo
  state: ChannelState = 'connecting'
  /** This channel's counters; they forward to the producer's or consumer's aggregate. */
  readonly counter: StatsCounter

  constructor(streamId: Digest, peer: PeerInfo, aggregate: StatsCounter) {
    this.streamId = streamId
    this.peer = peer
    this.counter = new StatsCounter(aggregate)
  }

  get stats(): StreamStats {
    return this.counter.snapshot()
  }

  /** A frozen copy for callers of `consumers()` / `producers()`. */
  view(): ChannelInfo {
    return Object.freeze({ streamId: this.streamId, peer: this.peer, state: this.state, stats: this.stats })
  }
}
