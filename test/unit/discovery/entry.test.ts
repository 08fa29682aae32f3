import { generateKeyPair } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { Catalog } from '../../../runtime/discovery/catalog.ts'
import { openDeparture, signDeparture } from '../../../runtime/discovery/departure.ts'
import { decodeSlotRecord } from '../../../runtime/discovery/dht/slots.ts'
import {
  ENTRY_LIMITS,
  openEntry,
  type PeerEntry,
  type SignedPeerEntry,
  signEntry,
} from '../../../runtime/discovery/entry.ts'
import { parseAnnounce, parsePing, parseSync } from '../../../runtime/discovery/protocol.ts'
import { nextRtt } from '../../../runtime/discovery/rtt.ts'
import { Signer } from '../../../runtime/network/identity.ts'
import { decode, encode, encodeCanonical } from '../../../runtime/primitives/codec.ts'
import { id } from '../../../runtime/primitives/digest.ts'
import { RejectedError } from '../../../runtime/primitives/errors.ts'

const network = id('entry-tests')
const now = 1_800_000_000_000
const check = { network, now, maxTimeDrift: 50_000, purgeAfter: 300_000 }
let signer: Signer
let peerId: string

function entry(overrides: Partial<PeerEntry> = {}): PeerEntry {
  return {
    peerId,
    network,
    version: { start: now - 1000, update: now },
    addresses: ['/ip4/127.0.0.1/udp/4001/quic-v1'],
    tags: ['a', 'b'],
    streams: [id('stream-1')],
    groups: [id('group-1')],
    tickets: [{ class: id('mosaik.tickets.jwt.v1'), data: new Uint8Array([1, 2, 3]) }],
    ...overrides,
  }
}

function reason(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof RejectedError) return err.reason
    throw err
  }
  return 'accepted'
}

/** Re-encodes a signed body with `change` applied, keeping the old signature (a forgery). */
function tamper(
  envelope: { body: Uint8Array; sig: Uint8Array },
  change: (fields: Record<string, unknown>) => void,
) {
  const fields = decode(envelope.body) as Record<string, unknown>
  change(fields)
  return { body: encodeCanonical(fields), sig: envelope.sig }
}

beforeAll(async () => {
  const key = await generateKeyPair('Ed25519')
  signer = new Signer(key)
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
  peerId = peerIdFromPrivateKey(key).toString()
})

describe('signed PeerEntry', () => {
  it('round-trips through the wire and verifies', () => {
    const signed = signEntry(entry(), signer)
    const opened = openEntry(decode(encode(signed.envelope)), check) as SignedPeerEntry
    expect(opened.entry.peerId).toBe(peerId)
    expect(opened.entry.tags).toEqual(['a', 'b'])
    expect(opened.entry.streams[0]?.equals(id('stream-1'))).toBe(true)
    expect(opened.entry.tickets[0]?.data).toEqual(new Uint8Array([1, 2, 3]))
    expect(Buffer.from(opened.envelope.body).equals(signed.envelope.body)).toBe(true)
  })

  it('signs canonical bytes: the same entry always gives the same body', () => {
    expect(signEntry(entry(), signer).envelope.body).toEqual(signEntry(entry(), signer).envelope.body)
  })

  it('refuses tampered fields, another network, future and stale stamps', () => {
    const signed = signEntry(entry(), signer)
    expect(
      reason(() =>
        openEntry(
          tamper(signed.envelope, (f) => (f.tags = ['evil'])),
          check,
        ),
      ),
    ).toBe('signature')
    expect(reason(() => openEntry(signed.envelope, { ...check, network: id('other') }))).toBe('network')
    const future = signEntry(entry({ version: { start: now, update: now + 60_000 } }), signer)
    expect(reason(() => openEntry(future.envelope, check))).toBe('future')
    const stale = signEntry(entry({ version: { start: 0, update: now - 400_000 } }), signer)
    expect(reason(() => openEntry(stale.envelope, check))).toBe('stale')
  })

  it('skips entries that are not newer than the known version without checking their signature', () => {
    const signed = signEntry(entry(), signer)
    const forged = tamper(signed.envelope, (f) => (f.tags = ['evil']))
    const known = () => signed.entry.version
    expect(openEntry(forged, { ...check, known })).toBeUndefined()
    expect(reason(() => openEntry(forged, check))).toBe('signature')
  })

  it('refuses an entry signed by someone else than the peer it names', async () => {
    const other = new Signer(await generateKeyPair('Ed25519'))
    const forged = signEntry(entry(), other)
    expect(reason(() => openEntry(forged.envelope, check))).toBe('signature')
  })

  it('refuses oversized fields before looking further', () => {
    const many = Array.from({ length: ENTRY_LIMITS.addresses + 1 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`)
    expect(reason(() => openEntry(signEntry(entry({ addresses: many }), signer).envelope, check))).toBe(
      'oversized',
    )
    const huge = { body: new Uint8Array(ENTRY_LIMITS.bodyBytes + 1), sig: new Uint8Array(64) }
    expect(reason(() => openEntry(huge, check))).toBe('oversized')
  })

  it('never throws anything but RejectedError on arbitrary input (fuzz)', () => {
    const valid = signEntry(entry(), signer).envelope
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ body: fc.uint8Array({ maxLength: 300 }), sig: fc.uint8Array({ maxLength: 70 }) }),
          fc.uint8Array({ minLength: 1, maxLength: valid.body.length }).map((noise) => {
            const body = Uint8Array.from(valid.body)
            noise.forEach((flip, i) => {
              const at = (i * 7) % body.length
              body[at] = (body[at] as number) ^ flip
            })
            return { body, sig: valid.sig }
          }),
        ),
        (value) => {
          // reason() re-throws anything that is not a RejectedError, failing the property.
          // Only the untouched envelope may pass (noise of all zeros leaves it untouched); compare bytes,
          // not types: the valid envelope holds Buffers, the fuzzed one Uint8Arrays.
          if (reason(() => openEntry(value, check)) === 'accepted') {
            const accepted = value as typeof valid
            expect(Buffer.from(accepted.body).equals(Buffer.from(valid.body))).toBe(true)
            expect(Buffer.from(accepted.sig).equals(Buffer.from(valid.sig))).toBe(true)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('wire decoders', () => {
  it('discovery messages and DHT slot records never throw anything but RejectedError (fuzz)', () => {
    const value = fc.oneof(
      fc.anything(),
      fc.record({
        t: fc.constantFrom('entry', 'depart', 'entries', 'end', 'ping', 'pong'),
        e: fc.anything(),
        d: fc.anything(),
      }),
    )
    fc.assert(
      fc.property(value, fc.uint8Array({ maxLength: 1200 }), (message, bytes) => {
        for (const parse of [parseAnnounce, parseSync, parsePing]) reason(() => parse(message))
        const record = decodeSlotRecord(bytes)
        if (record) expect(typeof record.peerId).toBe('string')
      }),
      { numRuns: 1_000 },
    )
  })
})

describe('departure', () => {
  it('verifies signature, network and freshness', () => {
    const departure = signDeparture(peerId, network, { start: 1, update: 2 }, now, signer)
    expect(openDeparture(departure.envelope, network, now + 1000, 50_000).version).toEqual({
      start: 1,
      update: 2,
    })
    expect(reason(() => openDeparture(departure.envelope, id('x'), now, 50_000))).toBe('network')
    expect(reason(() => openDeparture(departure.envelope, network, now + 60_000, 50_000))).toBe('stale')
    const forged = tamper(departure.envelope, (f) => (f.at = now + 1))
    expect(reason(() => openDeparture(forged, network, now, 50_000))).toBe('signature')
    // An entry is never accepted as a departure (domain separation by kind).
    expect(reason(() => openDeparture(signEntry(entry(), signer).envelope, network, now, 50_000))).toBe(
      'malformed',
    )
  })
})

describe('Catalog', () => {
  it('keeps the newest version per peer, iterates sorted, and is immutable', async () => {
    const local = signEntry(entry(), signer)
    const otherKey = await generateKeyPair('Ed25519')
    const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
    const otherId = peerIdFromPrivateKey(otherKey).toString()
    const otherSigner = new Signer(otherKey)
    const v1 = signEntry(entry({ peerId: otherId, version: { start: 1, update: 5 } }), otherSigner)
    const v2 = signEntry(
      entry({ peerId: otherId, version: { start: 1, update: 6 }, tags: ['new'] }),
      otherSigner,
    )
    const empty = Catalog.of(local)
    const one = empty.upsert(v1)
    expect(one.outcome).toBe('discovered')
    expect(empty.size).toBe(0)
    const two = one.catalog.upsert(v2)
    expect(two.outcome).toBe('updated')
    expect(two.previous?.tags).toEqual(['a', 'b'])
    expect(two.catalog.upsert(v1).outcome).toBe('unchanged')
    expect(two.catalog.get(otherId)?.tags).toEqual(['new'])
    expect(two.catalog.upsert(local).outcome).toBe('unchanged')
    expect(two.catalog.remove(otherId).size).toBe(0)
    expect(two.catalog.withTag('new').map((p) => p.peerId)).toEqual([otherId])
    expect(two.catalog.producersOf(id('stream-1'))).toHaveLength(1)
  })
})

describe('RTT smoothing (RFC 6298)', () => {
  it('starts at the first sample and moves by 1/8', () => {
    const first = nextRtt(undefined, 8)
    expect(first).toMatchObject({ srtt: 8, rttvar: 4 })
    const second = nextRtt(first, 16)
    expect(second.srtt).toBe(9)
    expect(second.rttvar).toBe(5)
  })
})
