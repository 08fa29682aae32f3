export type {
  BackoffOptions,
  ChannelCondition,
  ChannelInfo,
  ChannelState,
  Consumer,
  ConsumerOptions,
  PeerInfo as StreamPeer,
  Producer,
  ProducerOptions,
  SlowConsumerPolicy,
  StreamStats,
  StreamWhen,
  TrySendResult,
} from '../codegen/streams.ts'
export { STREAMS_PROTOCOL } from './protocol.ts'
export type { DropReason } from './stats.ts'
export { Streams } from './streams.ts'
