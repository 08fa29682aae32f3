/**
 * State sync: a node that is behind the leader's compacted log fetches a snapshot from several
 * peers in parallel, then the leader replays the tail of the log to it.
 *
 * Replicas snapshot at the same indexes and their machines are deterministic, so peers holding the
 * snapshot at one index hold the same bytes (their offers carry its digest). The fetcher asks every
 * bonded peer what it holds, picks the newest snapshot at or after the wanted index that the most
 * peers hold (without waiting long for slow answers), and spreads its byte ranges over those peers
 * with several requests in flight per peer (`ChunkTransfer`), lowest ranges first; peers that answer
 * or bond later join if they hold the same snapshot. A peer that fails, times out or answers with a
 * malformed chunk is dropped and its ranges go to the others.
 *
 * The bytes are consumed in order as they arrive (`InOrderAssembly`): hashed, cut into the
 * machine's chunks and handed to a `RestoreSession`, so decoding and validating the state overlaps
 * the transfer. Nothing is installed until every byte arrived and the digest matched.
 */
import { OfflineError } from '../../primitives/errors.ts'
import type { Bond } from '../bonds/bond.ts'
import { decodeSnapshotConfig, type SnapshotDescription } from '../entries.ts'
import type { SnapshotMeta } from '../raft/types.ts'
import type { Calls } from '../runtime/calls.ts'
import type { RestoreSession } from '../runtime/spec.ts'
import type { LogStore } from '../storage/types.ts'
import type { BondMessage } from '../wire/bond.ts'
import { InOrderAssembly } from './assembly.ts'
import { ChunkTransfer } from './transfer.ts'

/** Largest chunk a provider serves in one answer. */
export const MAX_SYNC_CHUNK = 1024 * 1024
/** Largest snapshot a node fetches. */
export const MAX_SYNC_SNAPSHOT = 8 * 1024 * 1024 * 1024
/** Chunk requests in flight per peer unless the caller says otherwise. */
export const DEFAULT_SYNC_DEPTH = 4

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

/** A request of the snapshot protocol, before it gets a call id. */
export type SnapshotRequest =
  | { readonly t: 'so' }
  | {
      readonly t: 'sc'
      readonly index: number
      readonly term: number
      readonly offset: number
      readonly length: number
    }

/** A peer that may hold a snapshot: asks it and resolves with its (unchecked) answer. */
export interface SnapshotProvider {
  readonly peer: string
  call(request: SnapshotRequest): Promise<BondMessage>
}

/** A provider over a group bond: requests are calls with a deadline of `requestMs`. */
export function bondProvider(bond: Bond, calls: Calls, requestMs: number): SnapshotProvider {
  return {
    peer: bond.peer,
    call: (request) => calls.call(bond, (id) => ({ ...request, id }), requestMs),
  }
}

/** A snapshot fetched from peers, verified, its chunks handed to the restore session. */
export interface FetchedSnapshot {
  readonly meta: SnapshotMeta
  readonly description: SnapshotDescription
  /** The snapshot's bytes, in order (for the store). */
  readonly data: readonly Uint8Array[]
  /** The session that received every chunk: `finish()` installs the state. */
  readonly session: RestoreSession
  /** How many peers served chunks. */
  readonly providers: number
}

/**
 * Why a peer was dropped during a fetch (a stable word, for metrics): it answered with something
 * that is not what was asked for, or it failed, timed out or no longer holds the snapshot.
 */
export type SyncProblem = 'snapshot-malformed' | 'snapshot-peer-lost'

/** What a fetch needs: the wanted index, the peers to ask, and where the state goes. */
export interface FetchOptions {
  /** The core asked for this index or later. */
  readonly wanted: SnapshotMeta
  readonly providers: readonly SnapshotProvider[]
  readonly chunkBytes: number
  /** Chunk requests in flight per peer (default `DEFAULT_SYNC_DEPTH`). */
  readonly depth?: number
  /** Starts restoring the chosen snapshot, taken at `index`: it gets the machine's chunks in order. */
  readonly begin: (index: number) => RestoreSession
  /** Called once for each peer dropped during the fetch. */
  readonly dropped?: (peer: string, why: SyncProblem) => void
}

interface Candidate {
  readonly index: number
  readonly term: number
  readonly description: SnapshotDescription
  readonly providers: SnapshotProvider[]
}

/**
 * Fetches the best snapshot at or after `wanted.index` from the providers. Rejects with
 * OfflineError when no peer holds one or every peer failed before the end, with ProtocolError when
 * the bytes do not match the digest or the machine refused a chunk.
 */
export function fetchSnapshot(options: FetchOptions): Promise<FetchedSnapshot> {
  return new SnapshotFetch(options).run()
}

/**
 * One fetch (see `fetchSnapshot`), which peers that become reachable while it runs can join
 * (`offer`): a late joiner bonds with the group's members one after another, and the first bond is
 * often the only one when the sync starts.
 */
export class SnapshotFetch {
  readonly #options: FetchOptions
  #candidate: Candidate | undefined
  #transfer: ChunkTransfer | undefined
  /** Providers offered before the snapshot was chosen. */
  readonly #early: SnapshotProvider[] = []

  constructor(options: FetchOptions) {
    this.#options = options
  }

  /** Runs the fetch (once). */
  async run(): Promise<FetchedSnapshot> {
    const options = this.#options
    const candidate = await chooseSnapshot(options, (late) => this.offer(late))
    const { description } = candidate
    const session = options.begin(candidate.index)
    let transfer: ChunkTransfer | undefined
    const assembly = new InOrderAssembly(description.size, session, (error) => transfer?.abort(error))
    transfer = new ChunkTransfer({
      size: description.size,
      chunkBytes: Math.max(1, Math.min(options.chunkBytes, MAX_SYNC_CHUNK)),
      depth: Math.max(1, options.depth ?? DEFAULT_SYNC_DEPTH),
      providers: candidate.providers,
      request: (provider, offset, length) =>
        provider.call({ t: 'sc', index: candidate.index, term: candidate.term, offset, length }),
      accept: (offset, bytes) => assembly.add(offset, bytes),
      ...(options.dropped === undefined ? {} : { dropped: options.dropped }),
    })
    this.#candidate = candidate
    this.#transfer = transfer
    for (const provider of this.#early.splice(0)) void this.#join(provider)
    const served = await transfer.run()
    const data = await assembly.finish(description.digest, candidate.index)
    return {
      meta: { index: candidate.index, term: candidate.term, membership: description.membership },
      description,
      data,
      session,
      providers: served,
    }
  }

  /** A peer reachable since the fetch started: it serves ranges too if it holds the same snapshot. */
  offer(provider: SnapshotProvider): void {
    if (this.#transfer === undefined) this.#early.push(provider)
    else void this.#join(provider)
  }

  async #join(provider: SnapshotProvider): Promise<void> {
    const candidate = this.#candidate as Candidate
    if (candidate.providers.some((known) => known.peer === provider.peer)) return
    let answer: BondMessage
    try {
      answer = await provider.call({ t: 'so' })
    } catch {
      return
    }
    const offer = answer.t === 'sO' ? answer.offer : null
    if (offer === null || offer.index !== candidate.index || offer.term !== candidate.term) return
    if (describe(offer.config)?.digest === candidate.description.digest) this.#transfer?.add(provider)
  }
}

/** The description in an offer's config blob, or undefined when it is malformed. */
function describe(config: Uint8Array): SnapshotDescription | undefined {
  try {
    return decodeSnapshotConfig(config)
  } catch {
    return undefined
  }
}

/** After the first usable offer, how long the other peers have to answer before the choice (ms). */
const OFFER_GRACE_MS = 50

interface Answer {
  readonly provider: SnapshotProvider
  readonly answer: BondMessage
}

/**
 * Asks every provider what it holds. Resolves once all answered or failed, or `OFFER_GRACE_MS`
 * after the first offer of a snapshot at or after the wanted index: one slow peer must not hold the
 * sync up for a whole request deadline. Providers answering later go to `late`.
 */
function askOffers(options: FetchOptions, late: (provider: SnapshotProvider) => void): Promise<Answer[]> {
  const { providers, wanted } = options
  return new Promise((resolve) => {
    const answers: Answer[] = []
    let pending = providers.length
    let decided = false
    let grace: NodeJS.Timeout | undefined
    const decide = (): void => {
      if (decided) return
      decided = true
      clearTimeout(grace)
      resolve(answers)
    }
    if (pending === 0) decide()
    for (const provider of providers) {
      provider
        .call({ t: 'so' })
        .then(
          (answer) => {
            if (decided) return late(provider)
            answers.push({ provider, answer })
            const usable = answer.t === 'sO' && answer.offer !== null && answer.offer.index >= wanted.index
            if (usable) grace ??= setTimeout(decide, OFFER_GRACE_MS)
          },
          () => undefined,
        )
        .finally(() => {
          if (--pending === 0) decide()
        })
    }
  })
}

/** Asks the providers what they hold and picks the newest snapshot the most peers hold. */
async function chooseSnapshot(
  options: FetchOptions,
  late: (provider: SnapshotProvider) => void,
): Promise<Candidate> {
  const byKey = new Map<string, Candidate>()
  for (const { provider, answer } of await askOffers(options, late)) {
    if (answer.t !== 'sO' || answer.offer === null || answer.offer.index < options.wanted.index) continue
    const description = describe(answer.offer.config)
    if (description === undefined) {
      options.dropped?.(provider.peer, 'snapshot-malformed')
      continue
    }
    if (description.size > MAX_SYNC_SNAPSHOT) continue
    const key = `${answer.offer.index}:${answer.offer.term}:${description.digest}`
    const known = byKey.get(key)
    if (known) known.providers.push(provider)
    else
      byKey.set(key, {
        index: answer.offer.index,
        term: answer.offer.term,
        description,
        providers: [provider],
      })
  }
  const best = [...byKey.values()].sort(
    (a, b) => b.index - a.index || b.providers.length - a.providers.length,
  )[0]
  if (best === undefined)
    throw new OfflineError(`no peer holds a snapshot at or after index ${options.wanted.index}`)
  return best
}

/** A session that keeps the chunks and hands them all to `restore` at the end. */
export function bufferedRestore(restore: (chunks: readonly Uint8Array[]) => void): RestoreSession {
  const chunks: Uint8Array[] = []
  return {
    add: (chunk) => {
      chunks.push(chunk)
    },
    finish: () => restore(chunks),
  }
}
