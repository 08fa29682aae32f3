/**
 * Producer and consumer options: validated, with mosaik's defaults filled in (buffer 1024,
 * disconnect slow consumers, no consumer limit, producer online with one consumer, consumer online
 * at once, exponential reconnect backoff).
 */
import type {
  BackoffOptions,
  ConsumerOptions,
  ProducerOptions,
  SlowConsumerPolicy,
} from '../codegen/streams.ts'
import { InvalidInputError } from '../primitives/errors.ts'
import type { TicketValidator } from '../tickets/ticket.ts'
import type { AccessPolicy } from './access.ts'
import { resolveBackoff } from './backoff.ts'
import { DEFAULT_BUFFER_SIZE, MAX_BUFFER_SIZE } from './context.ts'
import { type ResolvedCondition, resolveCondition } from './when.ts'

const POLICIES: ReadonlySet<string> = new Set<SlowConsumerPolicy>(['block', 'drop-oldest', 'disconnect'])

export interface ResolvedProducerOptions {
  readonly bufferSize: number
  readonly policy: SlowConsumerPolicy
  readonly maxConsumers: number
  readonly access: AccessPolicy
  readonly online: ResolvedCondition
}

export interface ResolvedConsumerOptions {
  readonly bufferSize: number
  readonly access: AccessPolicy
  readonly backoff: Required<BackoffOptions>
  readonly online: ResolvedCondition
}

function bufferSize(value: number | undefined): number {
  const size = value ?? DEFAULT_BUFFER_SIZE
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_BUFFER_SIZE) {
    throw new InvalidInputError(
      `bufferSize must be an integer in [1, ${MAX_BUFFER_SIZE}], got ${String(size)}`,
    )
  }
  return size
}

function access(require: unknown, tickets: unknown): AccessPolicy {
  if (require !== undefined && typeof require !== 'function') {
    throw new InvalidInputError('require must be a function (peer) => boolean')
  }
  if (tickets !== undefined && !Array.isArray(tickets)) {
    throw new InvalidInputError('tickets must be an array of ticket validators')
  }
  return {
    require: require as AccessPolicy['require'],
    tickets: tickets as readonly TicketValidator[] | undefined,
  }
}

export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const policy = options.slowConsumer ?? 'disconnect'
  if (!POLICIES.has(policy)) {
    throw new InvalidInputError(
      `slowConsumer must be 'block', 'drop-oldest' or 'disconnect', got '${policy}'`,
    )
  }
  const maxConsumers = options.maxConsumers ?? Number.POSITIVE_INFINITY
  if (!(maxConsumers >= 0) || (Number.isFinite(maxConsumers) && !Number.isSafeInteger(maxConsumers))) {
    throw new InvalidInputError(`maxConsumers must be a non-negative integer, got ${String(maxConsumers)}`)
  }
  return {
    bufferSize: bufferSize(options.bufferSize),
    policy,
    maxConsumers,
    access: access(options.require, options.tickets),
    online: resolveCondition(options.onlineWhen, 1),
  }
}

export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  return {
    bufferSize: bufferSize(options.bufferSize),
    access: access(options.require, options.tickets),
    backoff: resolveBackoff(options.backoff),
    online: resolveCondition(options.onlineWhen, 0),
  }
}
