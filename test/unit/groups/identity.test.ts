/**
 * Group identity and secrets: profiles, the consensus settings folded into the StoreId, the bond
 * key and proofs, snapshot blobs and stored entries.
 */
import { describe, expect, it } from 'vitest'
import { bondKey, bondProof, newNonce, proofMatches } from '../../../runtime/groups/bonds/proof.ts'
import { fromLogEntry, isCommandPayload, toLogEntry } from '../../../runtime/groups/entries.ts'
import { groupTiming, storeIdWithConsensus } from '../../../runtime/groups/profiles.ts'
import { joinSnapshot, splitSnapshot } from '../../../runtime/groups/runtime/snapshot-blob.ts'
import { id } from '../../../runtime/primitives/digest.ts'
import { ConfigError, DecodeError } from '../../../runtime/primitives/errors.ts'

const base = id('some store')

describe('timing profiles', () => {
  it('keep the plain StoreId for the lan defaults and fold other consensus settings into it', () => {
    expect(storeIdWithConsensus(base, groupTiming()).equals(base)).toBe(true)
    expect(storeIdWithConsensus(base, groupTiming('lan', { removeAfterMs: 1 })).equals(base)).toBe(true)
    const wan = storeIdWithConsensus(base, groupTiming('wan'))
    const mosaik = storeIdWithConsensus(base, groupTiming('mosaik'))
    const fast = storeIdWithConsensus(base, groupTiming('lan', { electionTicks: 11 }))
    expect(new Set([base.hex, wan.hex, mosaik.hex, fast.hex]).size).toBe(4)
    expect(storeIdWithConsensus(base, groupTiming('wan')).equals(wan)).toBe(true)
  })

  it('refuse unknown profiles and inconsistent values', () => {
    expect(() => groupTiming('moon')).toThrow(ConfigError)
    expect(() => groupTiming('lan', { heartbeatTicks: 10 })).toThrow(ConfigError)
    expect(() => groupTiming('lan', { tickMs: 0 })).toThrow(ConfigError)
    expect(() => groupTiming('lan', { bondTimeoutMs: 10 })).toThrow(ConfigError)
  })
})

describe('bond proofs', () => {
  const storeId = id('store')
  const groupId = id('group')
  const transcript = {
    storeId,
    initiator: 'peer-a',
    acceptor: 'peer-b',
    initiatorNonce: newNonce(),
    acceptorNonce: newNonce(),
  }

  it('verify only with the same secret, role, peers and nonces', () => {
    const key = bondKey(storeId, groupId, 'secret')
    const proof = bondProof(key, 'initiator', transcript)
    expect(proofMatches(proof, bondProof(key, 'initiator', transcript))).toBe(true)
    expect(proofMatches(proof, bondProof(key, 'acceptor', transcript))).toBe(false)
    expect(proofMatches(proof, bondProof(bondKey(storeId, groupId, 'other'), 'initiator', transcript))).toBe(
      false,
    )
    expect(proofMatches(proof, bondProof(bondKey(storeId, groupId), 'initiator', transcript))).toBe(false)
    expect(proofMatches(proof, bondProof(key, 'initiator', { ...transcript, acceptor: 'peer-c' }))).toBe(
      false,
    )
    expect(
      proofMatches(proof, bondProof(key, 'initiator', { ...transcript, acceptorNonce: newNonce() })),
    ).toBe(false)
    expect(proofMatches(proof, 'not bytes')).toBe(false)
    expect(proofMatches(proof, proof.subarray(1))).toBe(false)
  })
})

describe('stored forms', () => {
  it('snapshot blobs split back into their chunks and refuse truncation', () => {
    const chunks = [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]
    const blob = joinSnapshot(chunks)
    expect(splitSnapshot(blob).map((c) => Array.from(c))).toEqual([[1, 2], [], [3]])
    expect(() => splitSnapshot(blob.subarray(0, blob.length - 1))).toThrow(DecodeError)
  })

  it('entries keep their kind in the stored bytes; commands are stored without a copy', () => {
    for (const kind of ['noop', 'config'] as const) {
      const entry = { index: 7, term: 3, kind, data: new Uint8Array([9]) }
      expect(fromLogEntry(toLogEntry(entry))).toEqual(entry)
    }
    const command = { index: 8, term: 3, kind: 'command' as const, data: new Uint8Array([0x92, 1, 2]) }
    expect(toLogEntry(command).data).toBe(command.data)
    expect(fromLogEntry(toLogEntry(command))).toEqual(command)
    expect(isCommandPayload(new Uint8Array([0xc1]))).toBe(false)
    expect(() => fromLogEntry({ index: 1, term: 1, data: new Uint8Array([0xc1, 7]) })).toThrow(DecodeError)
    expect(() => fromLogEntry({ index: 1, term: 1, data: new Uint8Array([0xc1, 0]) })).toThrow(DecodeError)
  })
})
