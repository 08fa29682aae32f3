/**
 * Raft messages on a bond. The sender and receiver are the two ends of the bond (authenticated by
 * the transport and the bond handshake), so they are not sent: the receiver fills them in, which
 * also makes a spoofed sender impossible. Each message is a compact array led by a type code;
 * entries are laid out flat (`term, kind, data` per entry) because their indexes follow from
 * `prevIndex`. Everything decoded is validated: integer ranges, booleans, byte strings, bounded
 * lists; anything else is a DecodeError and the message is dropped.
 */
import { DecodeError } from '../../primitives/errors.ts'
import { entryKindCode, entryKindOf, isCommandPayload } from '../entries.ts'
import { membership as normalizedMembership } from '../raft/membership.ts'
import type { Entry, Message, MessageType, PeerId } from '../raft/types.ts'

const CODES: Readonly<Record<MessageType, number>> = {
  append: 0,
  'append-response': 1,
  heartbeat: 2,
  'heartbeat-response': 3,
  vote: 4,
  'vote-response': 5,
  snapshot: 6,
  'timeout-now': 7,
  'read-index': 8,
  'read-index-response': 9,
}

/** Most read request ids in one message and the longest id. */
const MAX_READ_IDS = 65_536
const MAX_READ_ID_LENGTH = 64

/** The wire form of one message (without sender and receiver). */
export function encodeRaftMessage(m: Message): unknown[] {
  switch (m.type) {
    case 'append': {
      const flat: unknown[] = new Array(m.entries.length * 3)
      let i = 0
      for (const e of m.entries) {
        flat[i++] = e.term
        flat[i++] = entryKindCode(e.kind)
        flat[i++] = e.data
      }
      return [CODES.append, m.term, m.prevIndex, m.prevTerm, m.commit, flat]
    }
    case 'append-response':
      return [CODES[m.type], m.term, m.reject, m.index, m.hintIndex, m.hintTerm]
    case 'heartbeat':
      return [CODES[m.type], m.term, m.commit, m.round]
    case 'heartbeat-response':
      return [CODES[m.type], m.term, m.round]
    case 'vote':
      return [CODES[m.type], m.term, m.pre, m.lastIndex, m.lastTerm, m.transfer]
    case 'vote-response':
      return [CODES[m.type], m.term, m.pre, m.reject]
    case 'snapshot':
      return [
        CODES[m.type],
        m.term,
        m.snapshot.index,
        m.snapshot.term,
        m.snapshot.membership.voters,
        m.snapshot.membership.learners,
      ]
    case 'timeout-now':
      return [CODES[m.type], m.term]
    case 'read-index':
      return [CODES[m.type], m.term, m.requestIds]
    case 'read-index-response':
      return [CODES[m.type], m.term, m.requestIds, m.index]
  }
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DecodeError(`raft message: ${what} is not a non-negative integer`)
  }
  return value
}

function flag(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new DecodeError(`raft message: ${what} is not a boolean`)
  return value
}

function readIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_READ_IDS)
    throw new DecodeError('raft message: bad read ids')
  for (const id of value) {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_READ_ID_LENGTH) {
      throw new DecodeError('raft message: bad read id')
    }
  }
  return value as string[]
}

function entries(value: unknown, prevIndex: number): Entry[] {
  if (!Array.isArray(value) || value.length % 3 !== 0) throw new DecodeError('raft message: bad entry list')
  const out: Entry[] = new Array(value.length / 3)
  for (let i = 0, k = 0; i < value.length; i += 3, k++) {
    const term = count(value[i], 'entry term')
    const kind = entryKindOf(value[i + 1])
    const data = value[i + 2]
    if (kind === undefined) throw new DecodeError('raft message: unknown entry kind')
    if (!(data instanceof Uint8Array)) throw new DecodeError('raft message: entry data is not bytes')
    if (kind === 'command' && !isCommandPayload(data))
      throw new DecodeError('raft message: malformed command entry')
    out[k] = { index: prevIndex + k + 1, term, kind, data }
  }
  return out
}

/**
 * Decodes and validates one message from `from` to `to`. Throws DecodeError for anything that is
 * not a well-formed message.
 */
export function decodeRaftMessage(value: unknown, from: PeerId, to: PeerId): Message {
  if (!Array.isArray(value) || value.length < 2) throw new DecodeError('raft message: not an array')
  const term = count(value[1], 'term')
  const envelope = { from, to, term }
  switch (value[0]) {
    case CODES.append: {
      const prevIndex = count(value[2], 'prevIndex')
      return {
        ...envelope,
        type: 'append',
        prevIndex,
        prevTerm: count(value[3], 'prevTerm'),
        commit: count(value[4], 'commit'),
        entries: entries(value[5], prevIndex),
      }
    }
    case CODES['append-response']:
      return {
        ...envelope,
        type: 'append-response',
        reject: flag(value[2], 'reject'),
        index: count(value[3], 'index'),
        hintIndex: count(value[4], 'hintIndex'),
        hintTerm: count(value[5], 'hintTerm'),
      }
    case CODES.heartbeat:
      return {
        ...envelope,
        type: 'heartbeat',
        commit: count(value[2], 'commit'),
        round: count(value[3], 'round'),
      }
    case CODES['heartbeat-response']:
      return { ...envelope, type: 'heartbeat-response', round: count(value[2], 'round') }
    case CODES.vote:
      return {
        ...envelope,
        type: 'vote',
        pre: flag(value[2], 'pre'),
        lastIndex: count(value[3], 'lastIndex'),
        lastTerm: count(value[4], 'lastTerm'),
        transfer: flag(value[5], 'transfer'),
      }
    case CODES['vote-response']:
      return {
        ...envelope,
        type: 'vote-response',
        pre: flag(value[2], 'pre'),
        reject: flag(value[3], 'reject'),
      }
    case CODES.snapshot: {
      if (!Array.isArray(value[4]) || !Array.isArray(value[5])) {
        throw new DecodeError('raft message: bad snapshot membership')
      }
      let membership: ReturnType<typeof normalizedMembership>
      try {
        membership = normalizedMembership(value[4] as string[], value[5] as string[])
      } catch (cause) {
        throw new DecodeError('raft message: bad snapshot membership', { cause })
      }
      return {
        ...envelope,
        type: 'snapshot',
        snapshot: {
          index: count(value[2], 'snapshot index'),
          term: count(value[3], 'snapshot term'),
          membership,
        },
      }
    }
    case CODES['timeout-now']:
      return { ...envelope, type: 'timeout-now' }
    case CODES['read-index']:
      return { ...envelope, type: 'read-index', requestIds: readIds(value[2]) }
    case CODES['read-index-response']: {
      const index = value[3]
      if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < -1) {
        throw new DecodeError('raft message: bad read index')
      }
      return { ...envelope, type: 'read-index-response', requestIds: readIds(value[2]), index }
    }
    default:
      throw new DecodeError(`raft message: unknown type ${String(value[0])}`)
  }
}

/** Raft messages in one bond frame are cut at this many entry bytes (frames stay well below 4 MiB). */
const FRAME_ENTRY_BYTES = 2 * 1024 * 1024

/** The wire forms of `messages` grouped by receiver, in order, cut into frames of bounded size. */
export function raftFrames(messages: readonly Message[]): Map<PeerId, unknown[][]> {
  const out = new Map<PeerId, { frames: unknown[][]; bytes: number }>()
  for (const m of messages) {
    const size = m.type === 'append' ? m.entries.reduce((n, e) => n + e.data.length + 8, 0) : 0
    let peer = out.get(m.to)
    if (peer === undefined) {
      peer = { frames: [[]], bytes: 0 }
      out.set(m.to, peer)
    }
    let frame = peer.frames.at(-1) as unknown[]
    if (frame.length > 0 && peer.bytes + size > FRAME_ENTRY_BYTES) {
      frame = []
      peer.frames.push(frame)
      peer.bytes = 0
    }
    frame.push(encodeRaftMessage(m))
    peer.bytes += size
  }
  return new Map([...out].map(([peer, { frames }]) => [peer, frames]))
}
