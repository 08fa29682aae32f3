/**
 * Messages on an established bond (after the handshake), as compact arrays led by a tag. The
 * decoder validates every field and bounds every list; a malformed message is a DecodeError.
 *
 * | tag  | message                                                       |
 * |------|---------------------------------------------------------------|
 * | `r`  | Raft messages (`wire/raft.ts`)                                |
 * | `p`  | ping (liveness while idle)                                    |
 * | `s`  | the sender's status (formation, observer, formation lock)     |
 * | `f`  | commands forwarded to the leader → `fa` (index, term each) or `fe` (refusal) |
 * | `so` | which snapshot do you hold? → `sO` (offer or none)            |
 * | `sc` | a byte range of that snapshot → `sC` (bytes) or `sE` (gone)   |
 * | `fo` | formation offer (the founding entry) → `fr` (accepted?); then `fc` commit or `fx` abort |
 * | `bye`| the sender leaves the group                                   |
 */
import { DecodeError } from '../../primitives/errors.ts'
import { type Formation, parseFormation } from '../formation.ts'

/** What a member says about itself on its bonds. */
export interface BondStatus {
  /** The group it belongs to, or null while it has none (new, or joining one). */
  readonly formation: Formation | null
  /** It never votes (a reader or observer). */
  readonly observer: boolean
  /** It is reserved by a formation offer in progress and takes no other. */
  readonly locked: boolean
}

/** A snapshot a peer holds: enough to fetch and verify it. */
export interface SnapshotOffer {
  readonly index: number
  readonly term: number
  /** The stored config blob (membership, formation, digest, size). */
  readonly config: Uint8Array
}

/** Why a forwarded request was refused. */
export type ForwardRefusal = 'not-leader' | 'too-large' | 'busy' | 'invalid'

export type BondMessage =
  | { readonly t: 'r'; readonly messages: readonly unknown[] }
  | { readonly t: 'p' }
  | { readonly t: 's'; readonly status: BondStatus }
  | { readonly t: 'f'; readonly id: number; readonly commands: readonly Uint8Array[] }
  | { readonly t: 'fa'; readonly id: number; readonly assigned: readonly (readonly [number, number])[] }
  | { readonly t: 'fe'; readonly id: number; readonly reason: ForwardRefusal }
  | { readonly t: 'so'; readonly id: number }
  | { readonly t: 'sO'; readonly id: number; readonly offer: SnapshotOffer | null }
  | {
      readonly t: 'sc'
      readonly id: number
      readonly index: number
      readonly term: number
      readonly offset: number
      readonly length: number
    }
  | { readonly t: 'sC'; readonly id: number; readonly data: Uint8Array }
  | { readonly t: 'sE'; readonly id: number }
  | { readonly t: 'fo'; readonly id: number; readonly entry: Uint8Array }
  | { readonly t: 'fr'; readonly id: number; readonly ok: boolean }
  | { readonly t: 'fc'; readonly id: number }
  | { readonly t: 'fx'; readonly id: number }
  | { readonly t: 'bye' }

/** Most commands in one forwarded batch. */
export const MAX_FORWARD_BATCH = 4096
const REFUSALS: readonly ForwardRefusal[] = ['not-leader', 'too-large', 'busy', 'invalid']

/** The wire form of a message. */
export function encodeBondMessage(m: BondMessage): unknown[] {
  switch (m.t) {
    case 'r':
      return ['r', m.messages]
    case 'p':
    case 'bye':
      return [m.t]
    case 's':
      return ['s', m.status.formation, m.status.observer, m.status.locked]
    case 'f':
      return ['f', m.id, m.commands]
    case 'fa':
      return ['fa', m.id, m.assigned.flat()]
    case 'fe':
      return ['fe', m.id, m.reason]
    case 'so':
    case 'sE':
    case 'fc':
    case 'fx':
      return [m.t, m.id]
    case 'sO':
      return ['sO', m.id, m.offer === null ? null : [m.offer.index, m.offer.term, m.offer.config]]
    case 'sc':
      return ['sc', m.id, m.index, m.term, m.offset, m.length]
    case 'sC':
      return ['sC', m.id, m.data]
    case 'fo':
      return ['fo', m.id, m.entry]
    case 'fr':
      return ['fr', m.id, m.ok]
  }
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DecodeError(`bond message: ${what} is not a non-negative integer`)
  }
  return value
}

function bytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new DecodeError(`bond message: ${what} is not bytes`)
  return value
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new DecodeError(`bond message: ${what} is not a boolean`)
  return value
}

/** Decodes and validates one bond message; throws DecodeError. */
export function decodeBondMessage(value: unknown): BondMessage {
  if (!Array.isArray(value) || typeof value[0] !== 'string')
    throw new DecodeError('bond message: not a tagged array')
  const t = value[0]
  switch (t) {
    case 'r':
      if (!Array.isArray(value[1])) throw new DecodeError('bond message: raft batch is not a list')
      return { t, messages: value[1] }
    case 'p':
    case 'bye':
      return { t }
    case 's':
      return {
        t,
        status: {
          formation: parseFormation(value[1] ?? null),
          observer: bool(value[2], 'observer'),
          locked: bool(value[3], 'locked'),
        },
      }
    case 'f': {
      const commands = value[2]
      if (!Array.isArray(commands) || commands.length === 0 || commands.length > MAX_FORWARD_BATCH) {
        throw new DecodeError('bond message: bad forwarded batch')
      }
      for (const c of commands) bytes(c, 'forwarded command')
      return { t, id: count(value[1], 'id'), commands }
    }
    case 'fa': {
      const flat = value[2]
      if (!Array.isArray(flat) || flat.length % 2 !== 0 || flat.length > 2 * MAX_FORWARD_BATCH) {
        throw new DecodeError('bond message: bad forward acknowledgement')
      }
      const assigned: [number, number][] = []
      for (let i = 0; i < flat.length; i += 2)
        assigned.push([count(flat[i], 'index'), count(flat[i + 1], 'term')])
      return { t, id: count(value[1], 'id'), assigned }
    }
    case 'fe': {
      const reason = value[2] as ForwardRefusal
      if (!REFUSALS.includes(reason)) throw new DecodeError('bond message: unknown refusal')
      return { t, id: count(value[1], 'id'), reason }
    }
    case 'so':
    case 'sE':
    case 'fc':
    case 'fx':
      return { t, id: count(value[1], 'id') }
    case 'sO': {
      const offer = value[2]
      if (offer === null) return { t, id: count(value[1], 'id'), offer: null }
      if (!Array.isArray(offer)) throw new DecodeError('bond message: bad snapshot offer')
      return {
        t,
        id: count(value[1], 'id'),
        offer: {
          index: count(offer[0], 'index'),
          term: count(offer[1], 'term'),
          config: bytes(offer[2], 'config'),
        },
      }
    }
    case 'sc':
      return {
        t,
        id: count(value[1], 'id'),
        index: count(value[2], 'index'),
        term: count(value[3], 'term'),
        offset: count(value[4], 'offset'),
        length: count(value[5], 'length'),
      }
    case 'sC':
      return { t, id: count(value[1], 'id'), data: bytes(value[2], 'chunk') }
    case 'fo':
      return { t, id: count(value[1], 'id'), entry: bytes(value[2], 'founding entry') }
    case 'fr':
      return { t, id: count(value[1], 'id'), ok: bool(value[2], 'ok') }
    default:
      throw new DecodeError(`bond message: unknown tag '${t}'`)
  }
}
