/**
 * State sync: a node that is behind the leader's compacted log fetches a snapshot from several
 * peers in parallel, then the leader replays the tail of the log to it.
 *
 * Replicas snapshot at the same indexes and their machines are deterministic, so peers holding the
 * snapshot at one index hold the same bytes (their offers carry its digest). The fetcher asks every
 * bonded peer what it holds, picks the newest snapshot at or after the wanted index that the most
 * peers hold, and spreads its byte ranges over those peers, one request in flight per peer; a peer
 * that fails or times out is dropped and its range goes to the others. The assembled bytes are
 * checked against the digest before the core sees them.
 */
import { OfflineError, ProtocolError } from '../../primitives/errors.ts'
import type { Bond } from '../bonds/bond.ts'
import { decodeSnapshotConfig, type SnapshotDescription } from '../entries.ts'
import type { SnapshotMeta } from '../raft/types.ts'
import type { Calls } from '../runtime/calls.ts'
import { snapshotDigest } from '../runtime/snapshot-blob.ts'
import type { LogStore } from '../storage/types.ts'
import type { BondMessage } from '../wire/bond.ts'

/** Largest chunk a provider serves in one answer. */
export const MAX_SYNC_CHUNK = 1024 * 1024
/** Largest snapshot a node fetches. */
export const MAX_SYNC_SNAPSHOT = 8 * 1024 * 1024 * 1024

/** Answers a peer's `so` (what do you hold?) or `sc` (a range of it) from the local store. */
export async function serveSnapshot(store: LogStore, request: BondMessage): Promise<BondMessage | null> {
  const held = store.snapshot
  if (request.t === 'so') {
    return {
      t: 'sO',
      id: request.id,
      offer: held === null ? null : { index: held.index, term: held.term, config: held.config },
    }
  }
  if (request.t !== 'sc') return null
  const { id, index, term, offset, length } = request
  if (held === null || held.index !== index || held.term !== term) return { t: 'sE', id }
  if (length === 0 || length > MAX_SYNC_CHUNK || offset + length > held.size) return { t: 'sE', id }
  try {
    return { t: 'sC', id, data: await store.readSnapshot(offset, length) }
  } catch {
    return { t: 'sE', id }
  }
}

/** A snapshot assembled from peers, verified. */
export interface FetchedSnapshot {
  readonly meta: SnapshotMeta
  readonly description: SnapshotDescription
  readonly data: Uint8Array
  /** How many peers served chunks. */
  readonly providers: number
}

export interface FetchOptions {
  /** The core asked for this index or later. */
  readonly wanted: SnapshotMeta
  readonly bonds: readonly Bond[]
  readonly calls: Calls
  readonly chunkBytes: number
  readonly requestMs: number
}

interface Candidate {
  readonly index: number
  readonly term: number
  readonly description: SnapshotDescription
  readonly peers: Bond[]
}

/** Fetches the best snapshot at or after `wanted.index` from the bonded peers. */
export async function fetchSnapshot(options: FetchOptions): Promise<FetchedSnapshot> {
  const candidate = await chooseSnapshot(options)
  const { description } = candidate
  const chunkBytes = Math.max(1, Math.min(options.chunkBytes, MAX_SYNC_CHUNK))
  const count = Math.ceil(description.size / chunkBytes)
  const chunks: (Uint8Array | undefined)[] = new Array(count)
  const queue = Array.from({ length: count }, (_, i) => i)
  const served = new Set<string>()
  const worker = async (bond: Bond): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const offset = next * chunkBytes
      const length = Math.min(chunkBytes, description.size - offset)
      const chunk = next
      try {
        const answer = await options.calls.call(
          bond,
          (id) => ({ t: 'sc', id, index: candidate.index, term: candidate.term, offset, length }),
          options.requestMs,
        )
        if (answer.t !== 'sC' || answer.data.length !== length) throw new ProtocolError('bad snapshot chunk')
        chunks[chunk] = answer.data
        served.add(bond.peer)
      } catch {
        queue.unshift(chunk)
        return
      }
    }
  }
  await Promise.all(candidate.peers.map(worker))
  if (queue.length > 0)
    throw new OfflineError('every peer serving the snapshot failed before it was complete')
  const data = Buffer.concat(chunks as Uint8Array[], description.size)
  if (snapshotDigest(data) !== description.digest) {
    throw new ProtocolError(`snapshot ${candidate.index} assembled from peers does not match its digest`)
  }
  return {
    meta: { index: candidate.index, term: candidate.term, membership: description.membership },
    description,
    data,
    providers: served.size,
  }
}

/** Asks every peer what it holds and picks the newest snapshot the most peers hold. */
async function chooseSnapshot(options: FetchOptions): Promise<Candidate> {
  const answers = await Promise.allSettled(
    options.bonds.map(async (bond) => ({
      bond,
      answer: await options.calls.call(bond, (id) => ({ t: 'so', id }), options.requestMs),
    })),
  )
  const byKey = new Map<string, Candidate>()
  for (const settled of answers) {
    if (settled.status !== 'fulfilled') continue
    const { bond, answer } = settled.value
    if (answer.t !== 'sO' || answer.offer === null || answer.offer.index < options.wanted.index) continue
    let description: SnapshotDescription
    try {
      description = decodeSnapshotConfig(answer.offer.config)
    } catch {
      continue
    }
    if (description.size > MAX_SYNC_SNAPSHOT) continue
    const key = `${answer.offer.index}:${answer.offer.term}:${description.digest}`
    const known = byKey.get(key)
    if (known) known.peers.push(bond)
    else byKey.set(key, { index: answer.offer.index, term: answer.offer.term, description, peers: [bond] })
  }
  const best = [...byKey.values()].sort((a, b) => b.index - a.index || b.peers.length - a.peers.length)[0]
  if (best === undefined)
    throw new OfflineError(`no peer holds a snapshot at or after index ${options.wanted.index}`)
  return best
}
