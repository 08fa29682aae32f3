/**
 * `Catalog`: an immutable snapshot of every known peer's verified entry, plus the local one. Each
 * change produces a new snapshot (persistent map, so that is cheap); holders of an old snapshot
 * keep a consistent view. Iteration is sorted by PeerId, so it is the same on every node.
 */
import { Map as ImmutableMap } from 'immutable'
import type { PeerId } from '../network/identity.ts'
import type { Digest } from '../primitives/digest.ts'
import { isNewer, type PeerEntry, type SignedPeerEntry } from './entry.ts'

/** What an upsert did. */
export type UpsertOutcome = 'discovered' | 'updated' | 'unchanged'

export class Catalog implements Iterable<PeerEntry> {
  /** Bumped on every change; lets watchers tell snapshots apart cheaply. */
  readonly revision: number
  readonly #local: SignedPeerEntry
  readonly #peers: ImmutableMap<PeerId, SignedPeerEntry>
  #sorted: PeerEntry[] | undefined

  private constructor(
    local: SignedPeerEntry,
    peers: ImmutableMap<PeerId, SignedPeerEntry>,
    revision: number,
  ) {
    this.#local = local
    this.#peers = peers
    this.revision = revision
  }

  /** A catalog holding only the local entry. */
  static of(local: SignedPeerEntry): Catalog {
    return new Catalog(local, ImmutableMap(), 0)
  }

  /** This node's own entry. */
  get local(): PeerEntry {
    return this.#local.entry
  }

  /** The network the catalog belongs to. */
  get networkId(): Digest {
    return this.#local.entry.network
  }

  /** Number of other peers (the local node not included). */
  get size(): number {
    return this.#peers.size
  }

  /** Other peers' entries, sorted by PeerId. */
  peers(): readonly PeerEntry[] {
    this.#sorted ??= [...this.#peers.keys()]
      .sort()
      .map((peer) => (this.#peers.get(peer) as SignedPeerEntry).entry)
    return this.#sorted
  }

  [Symbol.iterator](): Iterator<PeerEntry> {
    return this.peers()[Symbol.iterator]()
  }

  /** The entry of `peer` (the local node included). */
  get(peer: PeerId): PeerEntry | undefined {
    return this.signed(peer)?.entry
  }

  has(peer: PeerId): boolean {
    return peer === this.#local.entry.peerId || this.#peers.has(peer)
  }

  /** The entry with the signature it came with, for relaying. */
  signed(peer: PeerId): SignedPeerEntry | undefined {
    return peer === this.#local.entry.peerId ? this.#local : this.#peers.get(peer)
  }

  /** Peers carrying `tag`. */
  withTag(tag: string): PeerEntry[] {
    return this.peers().filter((p) => p.tags.includes(tag))
  }

  /** Peers that produce stream `streamId`. */
  producersOf(streamId: Digest): PeerEntry[] {
    return this.peers().filter((p) => p.streams.some((s) => s.equals(streamId)))
  }

  /** Peers that are members of group (or store) `groupId`. */
  membersOf(groupId: Digest): PeerEntry[] {
    return this.peers().filter((p) => p.groups.some((g) => g.equals(groupId)))
  }

  /** Every signed entry, the local one first: what a catalog sync sends. */
  signedEntries(): SignedPeerEntry[] {
    return [this.#local, ...this.#peers.values()]
  }

  /** With a new local entry. */
  withLocal(local: SignedPeerEntry): Catalog {
    return new Catalog(local, this.#peers, this.revision + 1)
  }

  /**
   * Inserts a verified entry of another peer, or replaces the known one if strictly newer.
   * Returns the new catalog (this one when nothing changed).
   */
  upsert(signed: SignedPeerEntry): { catalog: Catalog; outcome: UpsertOutcome; previous?: PeerEntry } {
    const peer = signed.entry.peerId
    if (peer === this.#local.entry.peerId) return { catalog: this, outcome: 'unchanged' }
    const known = this.#peers.get(peer)
    if (known && !isNewer(signed.entry.version, known.entry.version))
      return { catalog: this, outcome: 'unchanged' }
    const catalog = new Catalog(this.#local, this.#peers.set(peer, signed), this.revision + 1)
    return known ? { catalog, outcome: 'updated', previous: known.entry } : { catalog, outcome: 'discovered' }
  }

  /** Without `peer` (this one if it was not there). */
  remove(peer: PeerId): Catalog {
    if (!this.#peers.has(peer)) return this
    return new Catalog(this.#local, this.#peers.delete(peer), this.revision + 1)
  }
}
