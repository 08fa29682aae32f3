/**
 * What producers and consumers share on one network: the network itself, the stream metrics and a
 * logger, plus the timing constants of the protocol.
 */
import type { StreamDescriptor } from '../codegen/descriptors.ts'
import type { Network } from '../network/network.ts'
import { Digest } from '../primitives/digest.ts'
import { DEFAULT_MAX_FRAME_SIZE } from '../primitives/framing.ts'
import type { Logger } from '../primitives/logger.ts'
import type { StreamsMetrics } from './metrics.ts'

export interface StreamsContext {
  readonly network: Network
  readonly metrics: StreamsMetrics
  readonly logger: Logger
}

/** Timing of subscriptions, in ms. */
export const TIMING = {
  /** Dialing a producer. */
  connect: 5_000,
  /** Waiting for the other side's handshake message. */
  handshake: 5_000,
  /** How long a closing producer keeps delivering what it accepted before dropping the rest. */
  drain: 2_000,
} as const

/** Default buffer size: the producer's per-consumer queue and the consumer's credit window. */
export const DEFAULT_BUFFER_SIZE = 1024
/** Upper bound on the buffer size option. */
export const MAX_BUFFER_SIZE = 1 << 20
/** Byte credit a consumer grants besides its datum window, so big datums cannot exhaust memory. */
export const WINDOW_BYTES = 16 * 1024 * 1024
/** Largest encoded datum: it must fit one link frame with the batch header. */
export const MAX_DATUM_BYTES = DEFAULT_MAX_FRAME_SIZE - 64

/** The identity facts of a descriptor the runtime works with. */
export interface StreamIdentity {
  readonly name: string
  readonly streamId: Digest
  readonly signature: Digest
}

export function identityOf(descriptor: StreamDescriptor): StreamIdentity {
  return {
    name: descriptor.name,
    streamId: Digest.fromHex(descriptor.streamId),
    signature: Digest.fromHex(descriptor.datum.signature),
  }
}
