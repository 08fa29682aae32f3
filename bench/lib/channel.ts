/**
 * A typed message channel between a benchmark orchestrator and its child processes, carried as
 * newline-delimited JSON over the child's stdin (parent → child) and stdout (child → parent).
 * Protocol lines start with a marker, so anything else a library prints to stdout is passed
 * through as log output instead of breaking the channel. Every message is an object with a string
 * `type`; `{ type: 'error' }` from a child fails every pending and future receive.
 */
import { ClosedError, isMosaikError, ProtocolError, TimeoutError } from '../../runtime/primitives/errors.ts'
import { type WaitOptions, waitFor } from '../../runtime/primitives/watch.ts'

/** Any channel message: an object with a string discriminant. */
export interface Message {
  type: string
}

/** What a child sends when it fails; the parent turns it into a rejected receive. */
export interface ErrorMessage {
  type: 'error'
  message: string
  stack?: string
}

const MARKER = '@bench '
/** A single protocol line may not exceed this many characters (a guard against a runaway child). */
export const MAX_LINE_LENGTH = 16 * 1024 * 1024

/** One protocol line, newline included. */
export function encodeMessage(message: Message): string {
  return `${MARKER}${JSON.stringify(message)}\n`
}

/**
 * Parses one line: a message for a protocol line, undefined for any other text. A protocol line
 * that is not a JSON object with a string `type` is a ProtocolError.
 */
export function parseLine(line: string): Message | undefined {
  if (!line.startsWith(MARKER)) return undefined
  let value: unknown
  try {
    value = JSON.parse(line.slice(MARKER.length))
  } catch (cause) {
    throw new ProtocolError(`malformed channel message: ${(cause as Error).message}`, { cause })
  }
  if (typeof value !== 'object' || value === null || typeof (value as Message).type !== 'string') {
    throw new ProtocolError('channel message without a string type')
  }
  return value as Message
}

/** Reassembles lines from text chunks, refusing a line longer than `maxLength`. */
export class LineSplitter {
  readonly #maxLength: number
  #pending = ''

  constructor(maxLength = MAX_LINE_LENGTH) {
    this.#maxLength = maxLength
  }

  /** The complete lines in `chunk` plus what was pending (without their newlines). */
  push(chunk: string): string[] {
    const text = this.#pending + chunk
    const lines = text.split('\n')
    this.#pending = lines.pop() ?? ''
    if (this.#pending.length > this.#maxLength) {
      this.#pending = ''
      throw new ProtocolError(`channel line longer than ${this.#maxLength} characters`)
    }
    return lines
  }

  /** Text after the last newline, returned once at end of stream. */
  flush(): string | undefined {
    const rest = this.#pending
    this.#pending = ''
    return rest === '' ? undefined : rest
  }
}

interface Waiter {
  types: readonly string[]
  resolve: (message: Message) => void
}

/**
 * Incoming messages, waited on by type. A message nobody waits for yet is queued, so a receive
 * never misses a message that arrived before it was called.
 */
export class Inbox<In extends Message> {
  readonly #name: string
  readonly #queue: Message[] = []
  readonly #waiters = new Set<Waiter>()
  readonly #failures = new Set<(err: Error) => void>()
  #failed: Error | undefined

  constructor(name: string) {
    this.#name = name
  }

  /** Delivers a message to the oldest waiter for its type, or queues it. */
  push(message: Message): void {
    if (this.#failed) return
    if (message.type === 'error') {
      const { message: text, stack } = message as ErrorMessage
      const err = new Error(`${this.#name} failed: ${text}`)
      if (stack) err.stack = `${err.message}\n--- child stack ---\n${stack}`
      this.fail(err)
      return
    }
    for (const waiter of this.#waiters) {
      if (waiter.types.includes(message.type)) {
        waiter.resolve(message)
        return
      }
    }
    this.#queue.push(message)
  }

  /** Rejects every pending and future receive with `err` (first failure wins). */
  fail(err: Error): void {
    if (this.#failed) return
    this.#failed = err
    for (const reject of [...this.#failures]) reject(err)
  }

  /**
   * The next message of `type` (or of any of several types), queued or future. Abort a receive
   * you stop caring about through `options.signal`, or it will take the next such message.
   */
  receive<T extends In['type']>(
    type: T | readonly T[],
    options: WaitOptions = {},
  ): Promise<Extract<In, { type: T }>> {
    const types: readonly string[] = typeof type === 'string' ? [type] : type
    const index = this.#queue.findIndex((m) => types.includes(m.type))
    if (index >= 0) {
      const [message] = this.#queue.splice(index, 1)
      return Promise.resolve(message as Extract<In, { type: T }>)
    }
    if (this.#failed) return Promise.reject(this.#failed)
    const waiting = waitFor<Extract<In, { type: T }>>(options, (resolve, reject) => {
      const waiter: Waiter = { types, resolve: (m) => resolve(m as Extract<In, { type: T }>) }
      this.#waiters.add(waiter)
      this.#failures.add(reject)
      return () => {
        this.#waiters.delete(waiter)
        this.#failures.delete(reject)
      }
    })
    return waiting.catch((err: unknown) => {
      if (!isMosaikError(err, 'ERR_TIMEOUT')) throw err
      throw new TimeoutError(
        `${this.#name}: no '${types.join("' or '")}' message within ${options.timeout} ms`,
      )
    })
  }

  /** Fails pending receives because the other side went away. */
  close(reason = 'channel closed'): void {
    this.fail(new ClosedError(`${this.#name}: ${reason}`))
  }
}
