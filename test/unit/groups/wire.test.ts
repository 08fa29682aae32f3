/**
 * The wire codecs of groups: every Raft and bond message survives a round trip, and decoding
 * arbitrary values never throws anything but a DecodeError (fuzzing untrusted input).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Message } from '../../../runtime/groups/raft/types.ts'
import { type BondMessage, decodeBondMessage, encodeBondMessage } from '../../../runtime/groups/wire/bond.ts'
import { decodeRaftMessage, encodeRaftMessage } from '../../../runtime/groups/wire/raft.ts'
import { decode, encode } from '../../../runtime/primitives/codec.ts'
import { DecodeError } from '../../../runtime/primitives/errors.ts'

const n = fc.nat({ max: 2 ** 40 })
const bytes = fc.uint8Array({ maxLength: 40 })
const id = fc.string({ minLength: 1, maxLength: 12 })
/** Command payloads are msgpack: never empty, never starting with 0xc1. */
const commandBytes = fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((d) => d[0] !== 0xc1)
const env = { from: 'a', to: 'b' }

const membership = fc
  .uniqueArray(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'), { minLength: 1 })
  .map((ids) => ({ voters: ids.slice(0, 1).sort(), learners: ids.slice(1).sort() }))

const raftMessage: fc.Arbitrary<Message> = fc.oneof(
  fc
    .record({
      term: n,
      prevIndex: n,
      prevTerm: n,
      commit: n,
      entries: fc.array(
        fc.oneof(
          fc.record({ term: n, kind: fc.constant('noop'), data: bytes }),
          fc.record({ term: n, kind: fc.constant('command'), data: commandBytes }),
        ),
        {
          maxLength: 5,
        },
      ),
    })
    .map(
      (m) =>
        ({
          ...env,
          type: 'append',
          ...m,
          entries: m.entries.map((e, i) => ({ ...e, index: m.prevIndex + i + 1 })),
        }) as Message,
    ),
  fc
    .record({ term: n, reject: fc.boolean(), index: n, hintIndex: n, hintTerm: n })
    .map((m) => ({ ...env, type: 'append-response', ...m }) as Message),
  fc.record({ term: n, commit: n, round: n }).map((m) => ({ ...env, type: 'heartbeat', ...m }) as Message),
  fc.record({ term: n, round: n }).map((m) => ({ ...env, type: 'heartbeat-response', ...m }) as Message),
  fc
    .record({ term: n, pre: fc.boolean(), lastIndex: n, lastTerm: n, transfer: fc.boolean() })
    .map((m) => ({ ...env, type: 'vote', ...m }) as Message),
  fc
    .record({ term: n, pre: fc.boolean(), reject: fc.boolean() })
    .map((m) => ({ ...env, type: 'vote-response', ...m }) as Message),
  fc.record({ term: n, index: n, sterm: n, membership }).map(
    (m) =>
      ({
        ...env,
        type: 'snapshot',
        term: m.term,
        snapshot: { index: m.index, term: m.sterm, membership: m.membership },
      }) as Message,
  ),
  fc.record({ term: n }).map((m) => ({ ...env, type: 'timeout-now', ...m }) as Message),
  fc
    .record({ term: n, requestIds: fc.array(id, { maxLength: 4 }) })
    .map((m) => ({ ...env, type: 'read-index', ...m }) as Message),
  fc
    .record({
      term: n,
      requestIds: fc.array(id, { maxLength: 4 }),
      index: fc.integer({ min: -1, max: 1000 }),
    })
    .map((m) => ({ ...env, type: 'read-index-response', ...m }) as Message),
)

/** Any msgpack-able value, for fuzzing decoders. */
const anything = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.tuple(fc.integer({ min: -1, max: 12 }), fc.anything({ maxDepth: 2 }), fc.anything({ maxDepth: 2 })),
  fc.array(fc.oneof(fc.nat(), fc.boolean(), bytes, fc.constant(null)), { maxLength: 8 }),
)

/** The value with byte strings as plain arrays (Buffer and Uint8Array compare equal). */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value)
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

function throwsOnlyDecodeErrors(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
  }
}

describe('raft messages on the wire', () => {
  it('round-trip through msgpack with the sender and receiver filled in', () => {
    fc.assert(
      fc.property(raftMessage, (m) => {
        const wire = decode(encode(encodeRaftMessage(m)))
        const back = decodeRaftMessage(wire, 'a', 'b')
        expect(plain(back)).toEqual(plain(m))
      }),
    )
  })

  it('refuse anything malformed with a DecodeError', () => {
    fc.assert(
      fc.property(anything, (value) => throwsOnlyDecodeErrors(() => decodeRaftMessage(value, 'a', 'b'))),
    )
    expect(() => decodeRaftMessage([0, 1, 0, 0, 0, [1, 9, new Uint8Array(1)]], 'a', 'b')).toThrow(DecodeError)
    expect(() => decodeRaftMessage([0, -1, 0, 0, 0, []], 'a', 'b')).toThrow(DecodeError)
    expect(() => decodeRaftMessage([4, 1, 'yes', 0, 0, false], 'a', 'b')).toThrow(DecodeError)
  })
})

const bondMessage: fc.Arbitrary<BondMessage> = fc.oneof(
  fc.constant<BondMessage>({ t: 'p' }),
  fc.constant<BondMessage>({ t: 'bye' }),
  fc
    .record({
      formation: fc.option(
        fc.record({
          id: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
          at: fc.nat(),
        }),
        {
          nil: null,
        },
      ),
      observer: fc.boolean(),
      locked: fc.boolean(),
    })
    .map((status) => ({ t: 's', status }) as BondMessage),
  fc
    .record({ id: fc.nat(), commands: fc.array(bytes, { minLength: 1, maxLength: 4 }) })
    .map((m) => ({ t: 'f', ...m }) as BondMessage),
  fc
    .record({ id: fc.nat(), assigned: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }) })
    .map((m) => ({ t: 'fa', ...m }) as BondMessage),
  fc
    .record({ id: fc.nat(), reason: fc.constantFrom('not-leader', 'busy') })
    .map((m) => ({ t: 'fe', ...m }) as BondMessage),
  fc
    .record({
      id: fc.nat(),
      offer: fc.option(fc.record({ index: fc.nat(), term: fc.nat(), config: bytes }), { nil: null }),
    })
    .map((m) => ({ t: 'sO', ...m }) as BondMessage),
  fc
    .record({ id: fc.nat(), index: fc.nat(), term: fc.nat(), offset: fc.nat(), length: fc.nat() })
    .map((m) => ({ t: 'sc', ...m }) as BondMessage),
  fc.record({ id: fc.nat(), data: bytes }).map((m) => ({ t: 'sC', ...m }) as BondMessage),
  fc.record({ id: fc.nat(), entry: bytes }).map((m) => ({ t: 'fo', ...m }) as BondMessage),
  fc.record({ id: fc.nat(), ok: fc.boolean() }).map((m) => ({ t: 'fr', ...m }) as BondMessage),
  fc.record({ id: fc.nat(), t: fc.constantFrom('so', 'sE', 'fc', 'fx') }).map((m) => m as BondMessage),
)

describe('bond messages on the wire', () => {
  it('round-trip through msgpack', () => {
    fc.assert(
      fc.property(bondMessage, (m) => {
        const back = decodeBondMessage(decode(encode(encodeBondMessage(m))))
        expect(plain(back)).toEqual(plain(m))
      }),
    )
  })

  it('refuse anything malformed with a DecodeError', () => {
    const tagged = fc.tuple(
      fc.constantFrom(
        'r',
        'p',
        's',
        'f',
        'fa',
        'fe',
        'so',
        'sO',
        'sc',
        'sC',
        'sE',
        'fo',
        'fr',
        'fc',
        'fx',
        'bye',
        'zz',
      ),
      fc.anything({ maxDepth: 2 }),
      fc.anything({ maxDepth: 2 }),
      fc.anything({ maxDepth: 1 }),
    )
    fc.assert(
      fc.property(fc.oneof(anything, tagged), (value) =>
        throwsOnlyDecodeErrors(() => decodeBondMessage(value)),
      ),
    )
    expect(() => decodeBondMessage(['f', 1, []])).toThrow(DecodeError)
    expect(() => decodeBondMessage(['s', { id: 'x', at: 1 }, false, false])).toThrow(DecodeError)
  })
})
