/**
 * Snapshot fetch from several peers (runtime/groups/sync): the byte ranges are pipelined over every
 * peer holding the snapshot, consumed in order into a restore session as they arrive, and verified
 * against the digest; a peer that fails, vanishes or sends a malformed chunk is dropped and the
 * others finish; bytes that do not verify never reach `finish()`.
 *
 * The peers are real MemoryLogStores answering through `serveSnapshot`, as group bonds do.
 */
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeSnapshotConfig } from '../../../runtime/groups/entries.ts'
import { membership } from '../../../runtime/groups/raft/membership.ts'
import { joinSnapshot, snapshotDigest } from '../../../runtime/groups/runtime/snapshot-blob.ts'
import type { RestoreSession } from '../../../runtime/groups/runtime/spec.ts'
import { MemoryLogStore } from '../../../runtime/groups/storage/memory.ts'
import {
  bufferedRestore,
  type FetchOptions,
  fetchSnapshot,
  SnapshotFetch,
  type SnapshotProvider,
  type SnapshotRequest,
  type SyncProblem,
  serveSnapshot,
} from '../../../runtime/groups/sync/snapshot-sync.ts'
import { ClosedError, ProtocolError } from '../../../runtime/primitives/errors.ts'

const MEMBERS = membership(['a', 'b', 'c'])
const WANTED = { index: 10, term: 1, membership: MEMBERS }

/** Machine chunks of random sizes, as a state machine's `snapshot()` would give. */
function machineChunks(count: number, maxBytes = 3_000): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new Uint8Array(randomBytes(1 + ((i * 7_919) % maxBytes))))
}

/** Bytes as hex, to compare Buffers and Uint8Arrays by content. */
function hex(chunks: readonly Uint8Array[]): string[] {
  return chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('hex'))
}

/** A store holding `chunks` as the snapshot at `index`. */
async function storeWith(chunks: readonly Uint8Array[], index = WANTED.index): Promise<MemoryLogStore> {
  const blob = joinSnapshot(chunks)
  const config = encodeSnapshotConfig({
    membership: MEMBERS,
    formation: null,
    digest: snapshotDigest(blob),
    size: blob.length,
  })
  const store = new MemoryLogStore()
  await store.saveSnapshot({ index, term: 1, config }, blob)
  return store
}

/** What a peer does to a chunk request before answering (it may also throw). */
type Behaviour = (request: Extract<SnapshotRequest, { t: 'sc' }>, answered: number) => 'serve' | 'fail'

interface Peer extends SnapshotProvider {
  /** Chunk requests answered. */
  readonly answered: () => number
  /** Most chunk requests it had in flight at once. */
  readonly maxInFlight: () => number
}

/**
 * A peer serving `store` through `serveSnapshot`, answering each request after a turn of the event
 * loop (so requests overlap), `corrupt` applied to the bytes it serves.
 */
function peer(
  name: string,
  store: MemoryLogStore,
  behaviour: Behaviour = () => 'serve',
  corrupt: (data: Uint8Array) => Uint8Array = (data) => data,
): Peer {
  let answered = 0
  let inFlight = 0
  let maxInFlight = 0
  return {
    peer: name,
    answered: () => answered,
    maxInFlight: () => maxInFlight,
    async call(request) {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        await new Promise((resolve) => setImmediate(resolve))
        if (request.t === 'sc' && behaviour(request, answered) === 'fail')
          throw new ClosedError(`${name} went away`)
        const answer = await serveSnapshot(store, { ...request, id: 1 })
        if (answer === null) throw new Error('no answer')
        if (request.t === 'sc') answered++
        return answer.t === 'sC' ? { ...answer, data: corrupt(answer.data) } : answer
      } finally {
        inFlight--
      }
    },
  }
}

/** A session recording what it was given and whether it was finished. */
function recordingSession(): { session: RestoreSession; added: Uint8Array[]; finished: () => boolean } {
  const added: Uint8Array[] = []
  let finished = false
  return {
    session: {
      add: (chunk) => {
        added.push(chunk)
      },
      finish: () => {
        finished = true
      },
    },
    added,
    finished: () => finished,
  }
}

function options(
  providers: readonly SnapshotProvider[],
  session: RestoreSession,
  extra: Partial<FetchOptions> = {},
): FetchOptions & { drops: [string, SyncProblem][] } {
  const drops: [string, SyncProblem][] = []
  return {
    wanted: WANTED,
    providers,
    chunkBytes: 1_024,
    depth: 4,
    begin: () => session,
    dropped: (peerId, why) => drops.push([peerId, why]),
    drops,
    ...extra,
  }
}

describe('snapshot fetch', () => {
  it('pipelines ranges over every peer and feeds the machine chunks in order', async () => {
    const chunks = machineChunks(60)
    const store = await storeWith(chunks)
    const peers = ['a', 'b', 'c'].map((name) => peer(name, store))
    const { session, added, finished } = recordingSession()
    const fetched = await fetchSnapshot(options(peers, session))
    expect(hex(added)).toEqual(hex(chunks))
    expect(hex([Buffer.concat(fetched.data)])).toEqual(hex([joinSnapshot(chunks)]))
    expect(fetched.providers).toBe(3)
    expect(fetched.meta).toEqual({ index: WANTED.index, term: 1, membership: MEMBERS })
    expect(fetched.session).toBe(session)
    expect(finished()).toBe(false)
    for (const p of peers) {
      expect(p.answered()).toBeGreaterThan(0)
      expect(p.maxInFlight()).toBeGreaterThan(1)
      expect(p.maxInFlight()).toBeLessThanOrEqual(4)
    }
  })

  it('one request in flight per peer with depth 1, and a snapshot smaller than a chunk', async () => {
    const small = machineChunks(3, 100)
    const store = await storeWith(small)
    const peers = ['a', 'b'].map((name) => peer(name, store))
    const { session, added } = recordingSession()
    await fetchSnapshot(options(peers, session, { depth: 1 }))
    expect(hex(added)).toEqual(hex(small))
    for (const p of peers) expect(p.maxInFlight()).toBe(1)
  })

  it('a peer vanishing mid-transfer is dropped and the others fetch its ranges', async () => {
    const chunks = machineChunks(80)
    const store = await storeWith(chunks)
    const vanishing = peer('b', store, (_, answered) => (answered >= 3 ? 'fail' : 'serve'))
    const peers = [peer('a', store), vanishing, peer('c', store)]
    const { session, added } = recordingSession()
    const run = options(peers, session)
    const fetched = await fetchSnapshot(run)
    expect(hex(added)).toEqual(hex(chunks))
    expect(fetched.providers).toBe(3)
    expect(vanishing.answered()).toBe(3)
    expect(run.drops).toEqual([['b', 'snapshot-peer-lost']])
  })

  it('a peer answering with a chunk of the wrong size is dropped as malformed', async () => {
    const chunks = machineChunks(40)
    const store = await storeWith(chunks)
    const short = peer('a', store, undefined, (data) => data.subarray(1))
    const { session, added } = recordingSession()
    const run = options([short, peer('b', store)], session)
    const fetched = await fetchSnapshot(run)
    expect(hex(added)).toEqual(hex(chunks))
    expect(fetched.providers).toBe(1)
    expect(run.drops).toEqual([['a', 'snapshot-malformed']])
  })

  it('fails offline when every peer fails before the end, and nothing is finished', async () => {
    const store = await storeWith(machineChunks(40))
    const failing = (name: string) => peer(name, store, (_, answered) => (answered >= 2 ? 'fail' : 'serve'))
    const { session, finished } = recordingSession()
    const run = options([failing('a'), failing('b')], session)
    await expect(fetchSnapshot(run)).rejects.toMatchObject({ code: 'ERR_OFFLINE' })
    expect(run.drops.map(([name]) => name).sort()).toEqual(['a', 'b'])
    expect(finished()).toBe(false)
  })

  it('bytes that do not match the digest are refused', async () => {
    // Flipping a byte of every chunk a peer serves: framing, the machine or the digest catches it.
    const chunks = machineChunks(30)
    const store = await storeWith(chunks)
    const flip = (data: Uint8Array) => {
      const copy = Uint8Array.from(data)
      copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 0xff
      return copy
    }
    let restored = false
    const session = bufferedRestore(() => {
      restored = true
    })
    await expect(fetchSnapshot(options([peer('a', store, undefined, flip)], session))).rejects.toBeInstanceOf(
      ProtocolError,
    )
    expect(restored).toBe(false)
  })

  it('a chunk the machine refuses ends the fetch with a ProtocolError', async () => {
    const store = await storeWith(machineChunks(30))
    let seen = 0
    const session: RestoreSession = {
      add: () => {
        if (++seen === 5) throw new ProtocolError('not a batch of this collection')
      },
      finish: () => {
        throw new Error('must not be called')
      },
    }
    await expect(fetchSnapshot(options([peer('a', store), peer('b', store)], session))).rejects.toMatchObject(
      {
        code: 'ERR_PROTOCOL',
        message: expect.stringContaining('not a batch of this collection'),
      },
    )
  })

  it('a refused chunk stops the transfer: the rest is not fetched', async () => {
    const store = await storeWith(machineChunks(200, 900))
    const only = peer('a', store)
    const session: RestoreSession = {
      add: () => {
        throw new ProtocolError('refused at once')
      },
      finish: () => undefined,
    }
    await expect(fetchSnapshot(options([only], session, { depth: 1 }))).rejects.toMatchObject({
      code: 'ERR_PROTOCOL',
    })
    expect(only.answered()).toBeLessThan(20)
  })

  it('picks the newest snapshot at or after the wanted index that the most peers hold', async () => {
    const older = await storeWith(machineChunks(5), 5)
    const current = machineChunks(10)
    const atTwelve = await storeWith(current, 12)
    const atTen = await storeWith(machineChunks(10), 10)
    const { session, added } = recordingSession()
    const peers = [peer('old', older), peer('ten', atTen), peer('x', atTwelve), peer('y', atTwelve)]
    const fetched = await fetchSnapshot(options(peers, session))
    expect(fetched.meta.index).toBe(12)
    expect(hex(added)).toEqual(hex(current))
    const { session: none } = recordingSession()
    await expect(fetchSnapshot(options([peer('old', older)], none))).rejects.toMatchObject({
      code: 'ERR_OFFLINE',
    })
  })

  it('an offer with a malformed description is ignored and counted', async () => {
    const store = await storeWith(machineChunks(10))
    const lying: SnapshotProvider = {
      peer: 'liar',
      call: async () => ({
        t: 'sO',
        id: 1,
        offer: { index: WANTED.index, term: 1, config: Uint8Array.of(0xc1) },
      }),
    }
    const { session } = recordingSession()
    const run = options([lying, peer('a', store)], session)
    const fetched = await fetchSnapshot(run)
    expect(fetched.providers).toBe(1)
    expect(run.drops).toEqual([['liar', 'snapshot-malformed']])
  })

  it('a peer bonded during the fetch serves ranges too, unless it holds another snapshot', async () => {
    const chunks = machineChunks(80)
    const store = await storeWith(chunks)
    const other = await storeWith(machineChunks(80))
    const late = peer('late', store)
    const stranger = peer('stranger', other)
    const { session, added } = recordingSession()
    let fetch: SnapshotFetch | undefined
    // The first peer offers the others once it has answered a few ranges (they bond meanwhile).
    const first = peer('first', store, (_, answered) => {
      if (answered === 2) for (const p of [late, stranger]) fetch?.offer(p)
      return 'serve'
    })
    fetch = new SnapshotFetch(options([first], session, { depth: 2 }))
    const fetched = await fetch.run()
    expect(hex(added)).toEqual(hex(chunks))
    expect(fetched.providers).toBe(2)
    expect(late.answered()).toBeGreaterThan(0)
    expect(stranger.answered()).toBe(0)
    // Offered before the snapshot is chosen, it joins once it is.
    const { session: again } = recordingSession()
    const early = peer('early', store)
    const second = new SnapshotFetch(options([peer('first', store)], again))
    second.offer(early)
    expect((await second.run()).providers).toBe(2)
    expect(early.answered()).toBeGreaterThan(0)
  })

  it('a peer slow to say what it holds does not hold the fetch up', async () => {
    const chunks = machineChunks(20)
    const store = await storeWith(chunks)
    const { promise: released, resolve: release } = Promise.withResolvers<void>()
    const fast = peer('fast', store)
    let asked = 0
    const slow: SnapshotProvider = {
      peer: 'slow',
      call: async (request) => {
        if (request.t === 'so' && asked++ === 0) await released
        return fast.call(request)
      },
    }
    const { session, added } = recordingSession()
    // It would never finish if it waited for every offer: the slow one is released only after.
    const fetched = await fetchSnapshot(options([slow, fast], session))
    release()
    expect(hex(added)).toEqual(hex(chunks))
    expect(fetched.providers).toBe(1)
  })

  it('any chunk size, depth and failure point gives the same chunks (property)', async () => {
    const chunks = machineChunks(25, 2_000)
    const store = await storeWith(chunks)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8_192 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 20 }),
        async (chunkBytes, depth, failAfter) => {
          const peers = [peer('a', store), peer('b', store, (_, n) => (n >= failAfter ? 'fail' : 'serve'))]
          const { session, added } = recordingSession()
          await fetchSnapshot(options(peers, session, { chunkBytes, depth }))
          expect(hex(added)).toEqual(hex(chunks))
        },
      ),
      { numRuns: 40 },
    )
  })
})
