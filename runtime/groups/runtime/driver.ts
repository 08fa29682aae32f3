/**
 * The driver of one Raft core over a `LogStore` and a state machine: it runs the Ready contract of
 * the core (`raft/types.ts` Ready) in one loop, so only one Ready is in flight at a time:
 * 1. send the messages that need not wait for the disk;
 * 2. write the snapshot being installed, the new entries and the hard state to the store, then
 *    wait for `sync()` — everything that arrived meanwhile (proposals, peer messages) goes into the
 *    next Ready, so one fsync covers a whole batch (group commit);
 * 3. send the messages that had to wait, restore the machine from an installed snapshot, apply the
 *    committed entries, hand out reads, and `advance()`.
 *
 * Snapshots are taken at deterministic points — right after applying an index that is a multiple
 * of `snapshotEvery` — so all replicas hold byte-identical snapshots at the same indexes, which is
 * what lets a lagging node fetch one snapshot from several peers in parallel.
 */
import { InvalidInputError, StorageError } from '../../primitives/errors.ts'
import {
  coreSnapshotMeta,
  decodeSnapshotConfig,
  encodeSnapshotConfig,
  fromLogEntry,
  type SnapshotDescription,
  toLogEntry,
} from '../entries.ts'
import type { Formation } from '../formation.ts'
import type { RaftConfig } from '../raft/config.ts'
import { decodeMembership, NO_MEMBERS } from '../raft/membership.ts'
import { RaftNode } from '../raft/node.ts'
import type {
  Entry,
  HardState,
  Membership,
  Message,
  PersistedState,
  ReadState,
  Ready,
  SnapshotMeta,
  SoftState,
} from '../raft/types.ts'
import type { LogStore, SnapshotData } from '../storage/types.ts'
import { encodeSnapshot, snapshotDigest, splitSnapshot } from './snapshot-blob.ts'

/** What applying one committed command produced. */
export type ApplyOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: unknown }

/** The state machine as the driver sees it (the group adapts the user's machine to this). */
export interface DriverMachine {
  /** Applies a committed command entry's payload; a throw is that command's (deterministic) failure. */
  apply(payload: Uint8Array, index: number, term: number): unknown
  /** The state now as snapshot chunks (deterministic bytes for equal states); may be lazy. */
  snapshot(): Iterable<Uint8Array>
  /** Replaces the state with the one in `chunks`, taken at `index`. */
  restore(chunks: readonly Uint8Array[], index: number): void
}

/** What the driver reports to its group. */
export interface DriverEvents {
  /** Messages to deliver to peers (any order between peers, in order per peer). */
  send(messages: readonly Message[]): void
  /** A committed entry was applied (commands carry the outcome; config/noop entries `null`). */
  applied(entry: Entry, outcome: ApplyOutcome | null): void
  /** Entries (and a snapshot being installed) are now durable, before anything is applied. */
  persisted(entries: readonly Entry[], installed: SnapshotDescription | null): void
  /** A Ready was fully handled: the applied and commit indexes now. */
  settled(applied: number, commit: number): void
  /** Role, term or leader changed. */
  soft(state: SoftState): void
  /** Confirmed and dropped linearizable reads (confirmed ones are applied at their index already). */
  reads(confirmed: readonly ReadState[], dropped: readonly string[]): void
  /** The core wants a snapshot at `meta.index` or later fetched from peers (`install` when done). */
  fetchSnapshot(meta: SnapshotMeta): void
  /** The machine was replaced by a snapshot at `index`. */
  restored(index: number): void
  /** A snapshot was saved locally (for metrics). */
  snapshotSaved(index: number, bytes: number): void
  /** The store failed; the group must stop (the store is poisoned). */
  failed(error: unknown): void
}

/** Options of the core that the runtime owns. */
export type CoreConfig = Partial<RaftConfig>

export interface DriverInit {
  readonly id: string
  readonly store: LogStore
  readonly machine: DriverMachine
  readonly events: DriverEvents
  readonly config: CoreConfig
  readonly snapshotEvery: number
  readonly compactionMargin: number
  /** The group's formation, written into every snapshot's description. */
  readonly formation: () => Formation | null
  readonly random?: () => number
}

/** Wake-ups in microtasks before the driver waits for a turn of the event loop. */
const MICROTASK_BURST = 8

/** A snapshot fetched from peers, waiting for the core to take it. */
interface PendingInstall {
  readonly meta: SnapshotMeta
  readonly description: SnapshotDescription
  readonly data: SnapshotData
  /** Replaces the machine's state with the snapshot's. */
  readonly restore: () => void
}

export class RaftDriver {
  readonly id: string
  readonly store: LogStore
  readonly #node: RaftNode
  readonly #init: DriverInit
  #applied = 0
  /** The term and vote last made durable. */
  #voted: { term: number; vote: string | null }
  /** The core's latest hard state (its commit index may be ahead of the store's). */
  #hard: HardState
  /** The membership of the latest applied config entry (or of the restored snapshot). */
  #membership: Membership
  #scheduled = false
  /** Microtask wake-ups since the event loop last turned. */
  #burst = 0
  #turnWatched = false
  #running: Promise<void> | null = null
  #failed = false
  #closed = false
  #savingSnapshot = false
  /** The newest captured snapshot waiting to be saved. */
  #nextSnapshot: {
    meta: SnapshotMeta
    formation: Formation | null
    chunks: Iterable<Uint8Array>
  } | null = null
  readonly #installs = new Map<number, PendingInstall>()

  private constructor(init: DriverInit, node: RaftNode, restored: Restored) {
    this.id = init.id
    this.store = init.store
    this.#init = init
    this.#node = node
    this.#applied = restored.applied
    this.#membership = restored.membership
    this.#voted = { term: restored.state.hardState.term, vote: restored.state.hardState.vote }
    this.#hard = { ...restored.state.hardState }
  }

  /**
   * Starts a driver from what `store` holds: restores the machine from the stored snapshot (if any)
   * and starts the core from the stored hard state and entries. The entries between the snapshot
   * and the stored commit index are applied again by the first Readies.
   */
  static async open(init: DriverInit, initial?: readonly Uint8Array[]): Promise<RaftDriver> {
    const restored = await restoreFromStore(init.store, init.machine, initial)
    return new RaftDriver(init, newNode(init, restored.state), restored)
  }

  /** The core (read it; change it only through the driver's methods). */
  get node(): RaftNode {
    return this.#node
  }

  /** Index of the last entry applied to the machine. */
  get applied(): number {
    return this.#applied
  }

  /** True when the store has no log and no snapshot: the node has never been part of a group. */
  get empty(): boolean {
    return this.store.lastIndex === 0 && this.store.snapshot === null
  }

  // ------------------------------------------------------------------ inputs

  tick(): void {
    if (this.#closed) return
    this.#node.tick()
    this.schedule()
  }

  step(message: Message): void {
    if (this.#closed) return
    this.#node.step(message)
    this.schedule()
  }

  /**
   * Wakes the loop in a microtask: after the code running now (a batch of peer messages, every
   * caller resumed by the last apply) has added its input, so one Ready still covers them all, but
   * without waiting for a turn of the event loop. After `MICROTASK_BURST` wake-ups without a turn
   * (a single-voter group commits without any I/O, so its callers could otherwise keep the loop in
   * microtasks forever), the next one waits for a turn, letting sockets and timers run.
   */
  schedule(): void {
    if (this.#scheduled || this.#closed || this.#failed) return
    this.#scheduled = true
    if (this.#burst >= MICROTASK_BURST) {
      setImmediate(this.#wake)
      return
    }
    this.#burst++
    queueMicrotask(this.#wake)
    if (!this.#turnWatched) {
      this.#turnWatched = true
      setImmediate(this.#turned)
    }
  }

  /** The event loop turned: microtask wake-ups are allowed again. */
  readonly #turned = (): void => {
    this.#turnWatched = false
    this.#burst = 0
  }

  /**
   * Offers a snapshot fetched from peers: its bytes, and `restore`, which replaces the machine's
   * state with it (typically a restore session fed while the bytes arrived). Returns false (and
   * drops it) when the core does not take it; otherwise the next Ready writes the bytes to the
   * store and calls `restore`.
   */
  install(
    meta: SnapshotMeta,
    description: SnapshotDescription,
    data: SnapshotData,
    restore: () => void,
  ): boolean {
    if (this.#closed) return false
    if (!this.#node.installSnapshot(meta)) return false
    this.#installs.set(meta.index, { meta, description, data, restore })
    this.schedule()
    return true
  }

  /** Stops the loop for good (the store is closed by its owner). */
  async close(): Promise<void> {
    this.#closed = true
    while (this.#running) await this.#running
  }

  // ------------------------------------------------------------------ the loop

  readonly #wake = (): void => {
    this.#scheduled = false
    if (this.#running || this.#closed || this.#failed) return
    this.#running = this.#loop().finally(() => {
      this.#running = null
      // A wake-up that came while the loop was finishing must not be lost.
      if (!this.#closed && !this.#failed && this.#node.hasReady()) this.schedule()
    })
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#closed && this.#node.hasReady()) {
        await this.#handle(this.#node.ready())
      }
    } catch (err) {
      this.#failed = true
      this.#init.events.failed(err)
    }
  }

  async #handle(rd: Ready): Promise<void> {
    const node = this.#node
    const { events } = this.#init
    if (rd.softState !== null) events.soft(rd.softState)
    if (rd.messages.length > 0) events.send(rd.messages)
    const install = rd.snapshot === null ? undefined : this.#takeInstall(rd.snapshot)
    if (install !== undefined) await this.#writeInstall(install)
    if (rd.entries.length > 0) this.store.append(rd.entries.map(toLogEntry))
    // A new commit index alone need not be durable (a restarted node learns it again from the
    // leader), and writing it would cost the store a flush of its own: it is written with the next
    // entries, snapshot, term or vote, which must be durable before anything else happens.
    if (rd.hardState !== null) this.#hard = rd.hardState
    const voted = this.#hard.term !== this.#voted.term || this.#hard.vote !== this.#voted.vote
    if (install !== undefined || rd.entries.length > 0 || voted) {
      this.store.setHardState(this.#hard)
      await this.store.sync()
      this.#voted = { term: this.#hard.term, vote: this.#hard.vote }
    }
    if (this.#closed) return
    if (install !== undefined || rd.entries.length > 0)
      events.persisted(rd.entries, install?.description ?? null)
    if (rd.messagesAfterPersist.length > 0) events.send(rd.messagesAfterPersist)
    if (install !== undefined) {
      install.restore()
      this.#applied = install.meta.index
      this.#membership = install.meta.membership
      events.restored(install.meta.index)
    }
    for (const entry of rd.committed) this.#apply(entry)
    if (rd.fetchSnapshot !== null) events.fetchSnapshot(rd.fetchSnapshot)
    node.advance()
    events.settled(this.#applied, node.commit)
    if (rd.readStates.length > 0 || rd.droppedReads.length > 0) events.reads(rd.readStates, rd.droppedReads)
  }

  #takeInstall(meta: SnapshotMeta): PendingInstall {
    const install = this.#installs.get(meta.index)
    if (install === undefined)
      throw new InvalidInputError(`snapshot ${meta.index} to install was never fetched`)
    this.#installs.clear()
    return install
  }

  async #writeInstall(install: PendingInstall): Promise<void> {
    const { meta, description, data } = install
    const config = encodeSnapshotConfig({ ...description, membership: meta.membership })
    await this.store.saveSnapshot({ index: meta.index, term: meta.term, config }, data)
  }

  #apply(entry: Entry): void {
    if (entry.index !== this.#applied + 1) {
      throw new StorageError(`applying entry ${entry.index} after ${this.#applied}: the log has a gap`)
    }
    let outcome: ApplyOutcome | null = null
    if (entry.kind === 'command') {
      try {
        outcome = { ok: true, result: this.#init.machine.apply(entry.data, entry.index, entry.term) }
      } catch (error) {
        outcome = { ok: false, error }
      }
    }
    if (entry.kind === 'config') this.#membership = decodeMembership(entry.data)
    this.#applied = entry.index
    this.#init.events.applied(entry, outcome)
    if (entry.index % this.#init.snapshotEvery === 0) this.#takeSnapshot(entry)
  }

  /**
   * Captures the machine now (between two entries: O(1) for a machine whose `snapshot()` is lazy
   * over a persistent copy of its state) and encodes and saves it in the background, in slices that
   * let the event loop run. While a save runs, the newest capture waits and is saved next; older
   * ones are superseded.
   */
  #takeSnapshot(entry: Entry): void {
    const meta: SnapshotMeta = { index: entry.index, term: entry.term, membership: this.#membership }
    this.#nextSnapshot = { meta, formation: this.#init.formation(), chunks: this.#init.machine.snapshot() }
    if (!this.#savingSnapshot) void this.#saveSnapshots()
  }

  async #saveSnapshots(): Promise<void> {
    this.#savingSnapshot = true
    try {
      for (let next = this.#nextSnapshot; next !== null && !this.#closed; next = this.#nextSnapshot) {
        this.#nextSnapshot = null
        const { meta, formation, chunks } = next
        const encoded = await encodeSnapshot(chunks, () => this.#closed)
        if (encoded === null) return
        const { pieces, digest, size } = encoded
        const config = encodeSnapshotConfig({ membership: meta.membership, formation, digest, size })
        await this.store.saveSnapshot({ index: meta.index, term: meta.term, config }, pieces)
        if (this.#closed) return
        this.#node.snapshotSaved(meta)
        this.#init.events.snapshotSaved(meta.index, size)
        const through = meta.index - this.#init.compactionMargin
        if (through > this.store.firstIndex - 1) await this.store.compact(through)
      }
    } catch (err) {
      if (!this.#closed) this.#init.events.failed(err)
    } finally {
      this.#savingSnapshot = false
    }
  }
}

function newNode(init: DriverInit, state: PersistedState): RaftNode {
  return new RaftNode({
    id: init.id,
    random: init.random ?? Math.random,
    // Snapshots are the driver's (deterministic indexes), never the core's own schedule.
    config: { ...init.config, snapshotEntries: 0, compactionMargin: init.compactionMargin },
    state,
  })
}

/** Reads the durable state for the core and restores the machine from the stored snapshot. */
async function restoreFromStore(
  store: LogStore,
  machine: DriverMachine,
  initial?: readonly Uint8Array[],
): Promise<Restored> {
  const stored = store.snapshot
  let snapshot: SnapshotMeta | null = null
  if (stored !== null) {
    snapshot = coreSnapshotMeta(stored)
    const description = decodeSnapshotConfig(stored.config)
    const data = await store.readSnapshot()
    if (snapshotDigest(data) !== description.digest) {
      throw new StorageError(`stored snapshot ${stored.index} does not match its digest`)
    }
    machine.restore(splitSnapshot(data), stored.index)
  } else if (initial !== undefined) {
    machine.restore(initial, 0)
  }
  // The store keeps a margin of entries before its snapshot; the core starts right after it.
  const first = Math.max(store.firstIndex, (snapshot?.index ?? 0) + 1)
  const entries = store.lastIndex >= first ? store.entries(first, store.lastIndex + 1).map(fromLogEntry) : []
  return {
    state: { hardState: { ...store.hardState }, snapshot, entries },
    applied: snapshot?.index ?? 0,
    membership: snapshot?.membership ?? NO_MEMBERS,
  }
}

interface Restored {
  readonly state: PersistedState
  readonly applied: number
  readonly membership: Membership
}
