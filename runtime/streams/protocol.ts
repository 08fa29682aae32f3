/**
 * The Streams wire protocol, `/mosaik/streams/1`: one link per subscription, opened by the consumer.
 *
 * ```
 * consumer → producer  { t: 'sub', network, stream, signature, name, credits, creditBytes }
 * producer → consumer  { t: 'ok', signature }  or  { t: 'no', reason, message, signature? }
 * producer → consumer  data frames (batch.ts), then possibly { t: 'bye', reason, message }
 * consumer → producer  { t: 'c', n, b }   credit: n more datums, b more payload bytes
 * ```
 *
 * The handshake carries the datum signature so nodes whose schemas differ refuse each other
 * (`schema-mismatch`) before any data flows. Flow control is credit-based: the producer never has
 * more datums (or bytes) in flight than the consumer granted, so a slow consumer only ever fills
 * its own queue on the producer. Every message from a peer is untrusted: parsed here with bounds,
 * anything else is a `ProtocolError`.
 */
import type { Link } from '../network/link.ts'
import { protocolId } from '../network/protocols.ts'
import { ProtocolError } from '../primitives/errors.ts'

export const STREAMS_PROTOCOL: string = protocolId('streams', 1)

/** Bounds on what a peer may put in a control message. */
export const PROTOCOL_LIMITS = {
  nameLength: 256,
  messageLength: 1024,
  /** Largest datum credit a consumer may grant at once (and hold outstanding). */
  maxCredits: 1 << 20,
  /** Largest byte credit a consumer may grant at once (and hold outstanding). */
  maxCreditBytes: 2 ** 32,
} as const

/** Why a producer refused a subscription. */
export type RefuseReason =
  | 'network'
  | 'not-found'
  | 'schema-mismatch'
  | 'unknown-peer'
  | 'capacity'
  | 'not-allowed'
  | 'unauthorized'
  | 'closing'

/** Why a producer ended a subscription it had accepted. */
export type ByeReason = 'closing' | 'too-slow' | 'not-allowed' | 'unauthorized'

const REASON_LENGTH = 64
const REFUSE_REASONS: ReadonlySet<string> = new Set<RefuseReason>([
  'network',
  'not-found',
  'schema-mismatch',
  'unknown-peer',
  'capacity',
  'not-allowed',
  'unauthorized',
  'closing',
])
const BYE_REASONS: ReadonlySet<string> = new Set<ByeReason>([
  'closing',
  'too-slow',
  'not-allowed',
  'unauthorized',
])

export interface SubscribeMessage {
  readonly t: 'sub'
  readonly network: Uint8Array
  readonly stream: Uint8Array
  /** The consumer's datum signature (32 bytes). */
  readonly signature: Uint8Array
  /** The consumer's declaration name, for error messages. */
  readonly name: string
  /** Initial datum credit (the consumer's window). */
  readonly credits: number
  /** Initial byte credit. */
  readonly creditBytes: number
}

export interface AcceptMessage {
  readonly t: 'ok'
  /** The producer's datum signature. */
  readonly signature: Uint8Array
}

export interface RefuseMessage {
  readonly t: 'no'
  readonly reason: RefuseReason
  readonly message: string
  /** The producer's datum signature, sent with `schema-mismatch`. */
  readonly signature?: Uint8Array
}

export interface ByeMessage {
  readonly t: 'bye'
  readonly reason: ByeReason
  readonly message: string
}

export interface CreditMessage {
  readonly t: 'c'
  readonly n: number
  readonly b: number
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError(`${what}: expected a map`)
  }
  return value as Record<string, unknown>
}

function digest(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32) {
    throw new ProtocolError(`stream message field '${field}' is not a 32-byte digest`)
  }
  return value
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) {
    throw new ProtocolError(`stream message field '${field}' is not a string of at most ${max} characters`)
  }
  return value
}

function count(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ProtocolError(`stream message field '${field}' is not an integer in [0, ${max}]`)
  }
  return value
}

/** The first message of a subscription (producer side). */
export function parseSubscribe(value: unknown): SubscribeMessage {
  const m = record(value, 'subscribe')
  if (m.t !== 'sub') throw new ProtocolError('expected a subscribe message')
  return {
    t: 'sub',
    network: digest(m.network, 'network'),
    stream: digest(m.stream, 'stream'),
    signature: digest(m.signature, 'signature'),
    name: text(m.name, 'name', PROTOCOL_LIMITS.nameLength),
    credits: Math.max(1, count(m.credits, 'credits', PROTOCOL_LIMITS.maxCredits)),
    creditBytes: Math.max(1, count(m.creditBytes, 'creditBytes', PROTOCOL_LIMITS.maxCreditBytes)),
  }
}

/** The producer's answer to a subscribe (consumer side). */
export function parseReply(value: unknown): AcceptMessage | RefuseMessage {
  const m = record(value, 'subscribe reply')
  if (m.t === 'ok') return { t: 'ok', signature: digest(m.signature, 'signature') }
  if (m.t !== 'no') throw new ProtocolError('expected an accept or refuse message')
  const reason = text(m.reason, 'reason', REASON_LENGTH)
  if (!REFUSE_REASONS.has(reason)) throw new ProtocolError(`unknown refuse reason '${reason}'`)
  const refuse = {
    t: 'no',
    reason: reason as RefuseReason,
    message: text(m.message, 'message', PROTOCOL_LIMITS.messageLength),
  } as const
  return m.signature === undefined ? refuse : { ...refuse, signature: digest(m.signature, 'signature') }
}

/** A control message from the producer after the handshake (consumer side). */
export function parseBye(value: unknown): ByeMessage {
  const m = record(value, 'producer message')
  if (m.t !== 'bye') throw new ProtocolError('expected a bye message')
  const reason = text(m.reason, 'reason', REASON_LENGTH)
  if (!BYE_REASONS.has(reason)) throw new ProtocolError(`unknown bye reason '${reason}'`)
  return {
    t: 'bye',
    reason: reason as ByeReason,
    message: text(m.message, 'message', PROTOCOL_LIMITS.messageLength),
  }
}

/** A credit grant (producer side). */
export function parseCredit(value: unknown): CreditMessage {
  const m = record(value, 'consumer message')
  if (m.t !== 'c') throw new ProtocolError('expected a credit message')
  return {
    t: 'c',
    n: count(m.n, 'n', PROTOCOL_LIMITS.maxCredits),
    b: count(m.b, 'b', PROTOCOL_LIMITS.maxCreditBytes),
  }
}

/**
 * Refuses a subscription: tells the consumer why and closes the link (the consumer closes its side
 * once it has read the answer). Never throws; a link that fails meanwhile is aborted.
 */
export async function refuse(
  link: Link,
  reason: RefuseReason,
  message: string,
  signature?: Uint8Array,
): Promise<void> {
  const text = clip(message)
  const answer =
    signature === undefined
      ? { t: 'no', reason, message: text }
      : { t: 'no', reason, message: text, signature }
  try {
    await link.send(answer)
    await link.close()
  } catch {
    link.abort()
  }
}

/** A bye message (the reason text cut to what a peer accepts). */
export function bye(reason: ByeReason, message: string): ByeMessage {
  return { t: 'bye', reason, message: clip(message) }
}

/** Cuts a human-readable message to the length peers accept. */
function clip(message: string): string {
  return message.length > PROTOCOL_LIMITS.messageLength
    ? message.slice(0, PROTOCOL_LIMITS.messageLength)
    : message
}
