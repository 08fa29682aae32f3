/**
 * The chat's terminal side, without any network: parsing what the user types, formatting lines,
 * noticing who joined or left, and showing each message once even though it arrives twice (live on
 * the stream and in the replicated history).
 */
import { styleText } from 'node:util'
import type { Member, Message } from './generated/index.ts'

/** Terminal colors a member can pick (`Member.color` indexes this). */
export const PALETTE = ['cyan', 'green', 'yellow', 'magenta', 'blue', 'red'] as const

/** Longest message text (the `Message` schema allows 2000 characters). */
export const MAX_TEXT = 2000

/** What a typed line asks for. */
export type Input =
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'nick'; readonly nickname: string }
  | { readonly kind: 'who' }
  | { readonly kind: 'help' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'invalid'; readonly reason: string }

export const HELP = [
  'type a line to send it to the room',
  '/nick <name>  change your nickname (1-32 characters)',
  '/who          list who is in the room',
  '/quit         leave (Ctrl-D works too)',
].join('\n')

/** Parses one line typed by the user. */
export function parseInput(line: string): Input {
  const text = line.trim()
  if (text === '') return { kind: 'empty' }
  if (!text.startsWith('/')) {
    return text.length > MAX_TEXT
      ? { kind: 'invalid', reason: `a message is at most ${MAX_TEXT} characters` }
      : { kind: 'say', text }
  }
  const [command = '', ...rest] = text.split(/\s+/)
  const argument = rest.join(' ')
  switch (command) {
    case '/nick':
      return argument.length >= 1 && argument.length <= 32
        ? { kind: 'nick', nickname: argument }
        : { kind: 'invalid', reason: 'usage: /nick <name> (1-32 characters)' }
    case '/who':
      return { kind: 'who' }
    case '/help':
      return { kind: 'help' }
    case '/quit':
      return { kind: 'quit' }
    default:
      return { kind: 'invalid', reason: `unknown command ${command}; /help lists them` }
  }
}

/** A palette index derived from a peer id, for members who did not pick a color. */
export function defaultColor(peerId: string): number {
  let sum = 0
  for (const char of peerId) sum = (sum + (char.codePointAt(0) ?? 0)) % PALETTE.length
  return sum
}

function paint(color: number, text: string): string {
  return styleText(PALETTE[color] ?? 'white', text)
}

/** `hh:mm` in local time. */
export function clock(ms: number): string {
  const at = new Date(ms)
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`
}

/** One chat line: `hh:mm nick: text`, the nickname in the sender's color (on a TTY). */
export function formatMessage(message: Message, color: number): string {
  return `${clock(message.sentAt)} ${paint(color, message.nickname)}: ${message.text}`
}

/** A notice from the chat itself (joins, leaves, errors), dimmed on a TTY. */
export function notice(text: string): string {
  return styleText('dim', `-- ${text}`)
}

/** Who joined, left or changed nickname between two versions of the members map. */
export function diffMembers(
  before: ReadonlyMap<string, Member>,
  after: ReadonlyMap<string, Member>,
): string[] {
  const lines: string[] = []
  for (const [peer, member] of after) {
    const previous = before.get(peer)
    if (!previous) lines.push(`${member.nickname} joined`)
    else if (previous.nickname !== member.nickname) {
      lines.push(`${previous.nickname} is now ${member.nickname}`)
    }
  }
  for (const [peer, member] of before) if (!after.has(peer)) lines.push(`${member.nickname} left`)
  return lines
}

/** The `/who` answer: nicknames in join order. */
export function formatWho(members: ReadonlyMap<string, Member>, self: string): string {
  const list = [...members]
    .sort(([, a], [, b]) => a.joinedAt - b.joinedAt)
    .map(([peer, m]) => paint(m.color, m.nickname) + (peer === self ? ' (you)' : ''))
  return `${list.length} in the room: ${list.join(', ')}`
}

/**
 * Shows each message once although it may come twice: live on the stream, and in the replicated
 * history (which is what makes a message reach a peer whose stream channel was not up yet). Keeps
 * the most recent `perSender` message numbers of each sender.
 */
export class SeenMessages {
  readonly #perSender: number
  readonly #seen = new Map<string, Set<number>>()

  constructor(perSender = 1024) {
    this.#perSender = perSender
  }

  /** True the first time a message is offered; records it. */
  accept(message: Message): boolean {
    const seqs = this.#seen.get(message.from) ?? new Set<number>()
    this.#seen.set(message.from, seqs)
    if (seqs.has(message.seq)) return false
    seqs.add(message.seq)
    // A Set iterates in insertion order, so the first entry is the oldest one recorded.
    if (seqs.size > this.#perSender) seqs.delete(seqs.values().next().value as number)
    return true
  }
}
