/**
 * Where the chat reads input and writes output: a terminal (a prompt, colors, lines printed above
 * the prompt) or JSON lines for scripts and tests (`--json`: each input line is
 * `{"type":"input","line":"…"}`, each output line an event with a `type`).
 */
import { createInterface } from 'node:readline'
import type { Member, Message } from './generated/index.ts'
import { formatMessage, formatWho, notice } from './ui.ts'

export interface ChatIo {
  /** What the user typed, line by line, until end of input. */
  lines(): AsyncIterable<string>
  ready(peerId: string, room: string): void
  message(message: Message, color: number): void
  notice(text: string): void
  who(members: ReadonlyMap<string, Member>, self: string): void
  close(): void
}

/** An interactive terminal (or plain text when stdout is not a terminal). */
export function textIo(): ChatIo {
  const tty = process.stdout.isTTY === true
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty })
  // Iterate from now on: readline drops lines that arrive before an iterator exists, and the user
  // may type while the chat is still joining.
  const typed = rl[Symbol.asyncIterator]()
  rl.setPrompt('> ')
  const print = (line: string): void => {
    if (!tty) return void console.log(line)
    // Print above the prompt, then redraw it with what the user has typed so far.
    process.stdout.write(`\r\x1b[K${line}\n`)
    rl.prompt(true)
  }
  return {
    async *lines() {
      for await (const line of typed) {
        yield line
        if (tty) rl.prompt()
      }
    },
    ready(_, room) {
      print(notice(`you are in '${room}'. Type a message, or /help`))
      if (tty) rl.prompt()
    },
    message: (m, color) => print(formatMessage(m, color)),
    notice: (text) => print(notice(text)),
    who: (members, self) => print(formatWho(members, self)),
    close: () => rl.close(),
  }
}

/** JSON lines in and out. */
export function jsonIo(): ChatIo {
  const rl = createInterface({ input: process.stdin, terminal: false })
  const received = rl[Symbol.asyncIterator]()
  const emit = (event: Record<string, unknown>): void => console.log(JSON.stringify(event))
  return {
    async *lines() {
      for await (const raw of received) {
        let parsed: unknown
        try {
          parsed = JSON.parse(raw)
        } catch {
          emit({ type: 'notice', text: 'input must be JSON: {"type":"input","line":"…"}' })
          continue
        }
        const { type, line } = (parsed ?? {}) as { type?: unknown; line?: unknown }
        if (type === 'input' && typeof line === 'string') yield line
        else emit({ type: 'notice', text: 'expected {"type":"input","line":"…"}' })
      }
    },
    ready: (peerId, room) => emit({ type: 'ready', peerId, room }),
    message: (m) => emit({ type: 'message', from: m.from, seq: m.seq, nickname: m.nickname, text: m.text }),
    notice: (text) => emit({ type: 'notice', text }),
    who: (members, self) =>
      emit({
        type: 'who',
        members: [...members].map(([peerId, m]) => ({ peerId, nickname: m.nickname, self: peerId === self })),
      }),
    close: () => rl.close(),
  }
}
