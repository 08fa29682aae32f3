/**
 * JSON-lines messages between a test and its child processes: each line is one JSON object with a
 * string `type`. Lines come from another process, so they are untrusted: the splitter bounds line
 * length and the parser accepts only objects with a string `type`.
 */
import { StringDecoder } from 'node:string_decoder'

/** One message on the channel. Test code narrows it by `type` with its own union. */
export interface Message {
  type: string
  [field: string]: unknown
}

/** Default limit on one line; longer lines are dropped (and counted) rather than buffered. */
export const MAX_LINE_CHARS = 1024 * 1024

/** Splits a byte stream into UTF-8 lines, dropping any line longer than `maxLineChars`. */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8')
  readonly #maxLineChars: number
  #partial = ''
  #discarding = false
  /** Lines dropped for exceeding the limit. */
  oversized = 0

  constructor(maxLineChars = MAX_LINE_CHARS) {
    this.#maxLineChars = maxLineChars
  }

  /** Returns the complete lines in `chunk` (without their line ends). */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk as Buffer)
    const pieces = text.split('\n')
    const lines: string[] = []
    for (let i = 0; i < pieces.length - 1; i++) {
      const line = this.#partial + (pieces[i] as string)
      this.#partial = ''
      if (this.#discarding) {
        // The end of a line already counted as oversized.
        this.#discarding = false
      } else if (line.length > this.#maxLineChars) {
        this.oversized++
      } else {
        lines.push(line.endsWith('\r') ? line.slice(0, -1) : line)
      }
    }
    if (!this.#discarding) this.#partial += pieces[pieces.length - 1] as string
    if (this.#partial.length > this.#maxLineChars) {
      this.#partial = ''
      this.#discarding = true
      this.oversized++
    }
    return lines
  }

  /** The unterminated last line, if any, at end of stream. */
  end(): string[] {
    const rest = this.#partial + this.#decoder.end()
    this.#partial = ''
    return rest === '' || this.#discarding ? [] : [rest]
  }
}

/** Parses one line as a message; undefined if it is not a JSON object with a string `type`. */
export function parseMessage(line: string): Message | undefined {
  if (!line.startsWith('{')) return undefined
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  return typeof (value as { type?: unknown }).type === 'string' ? (value as Message) : undefined
}

/** Serializes a message as one line (with its newline). */
export function formatMessage(message: Message): string {
  return `${JSON.stringify(message)}\n`
}
