export { STREAMS_PROTOCOL } from './protocol.ts'
export type { DropReason } from './stats.ts'
export { Streams } from './streams.ts'
