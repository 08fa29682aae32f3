/**
 * Raft's safety properties, checked after every simulator step (Raft paper figure 3, Ongaro's
 * thesis, and the invariant set of openraft's turmoil fuzzer):
 * - election safety: at most one leader per term;
 * - log matching: entries with the same index and term are identical, and so are their
 *   predecessors (checked inductively: every (index, term) always has the same content and the
 *   same predecessor term);
 * - leader append-only: a leader never rewrites its own log;
 * - leader completeness: a new leader holds every entry committed during an earlier term;
 * - acknowledged entries kept: a follower never loses an entry it acknowledged to the leader of
 *   its current term (not by a crash, not by installing a snapshot);
 * - state-machine safety: no two servers commit or apply different entries at one index, and
 *   every replica's state after applying index i (or installing a snapshot at i) is the same;
 * - monotonic commit, term and vote: commit never decreases within a life and the durable commit,
 *   term and vote never go back (a vote is never changed within a term).
 */
import type { Entry, HardState, PeerId, Ready, SnapshotMeta } from '../../runtime/groups/raft/types.ts'
import type { SimHost } from './host.ts'
import type { KvSnapshot } from './kv.ts'
import { KvStore } from './kv.ts'

export interface Violation {
  invariant: string
  detail: string
  /** Virtual time of the step that broke it. */
  at: number
}

interface Canonical {
  content: string
  prevTerm: number | undefined
}

function fingerprint(entry: Entry): string {
  return `${entry.kind}:${String.fromCharCode(...entry.data)}`
}

export class InvariantChecker {
  readonly violations: Violation[] = []
  readonly #now: () => number
  readonly #leaders = new Map<number, PeerId>()
  readonly #canonical = new Map<string, Canonical>()
  readonly #committedTerm = new Map<number, number>()
  /** The term in which each index was first seen committed (by the leader that committed it). */
  readonly #committedDuring = new Map<number, number>()
  #highestCommitted = 0
  readonly #appliedContent = new Map<number, string>()
  readonly #stateAfter = new Map<number, string>()
  readonly #seen = new Map<PeerId, { incarnation: number; commit: number; leaderTerm: number }>()
  readonly #durable = new Map<PeerId, HardState>()

  constructor(now: () => number) {
    this.#now = now
  }

  /** How many terms had a leader. */
  get elections(): number {
    return this.#leaders.size
  }

  get ok(): boolean {
    return this.violations.length === 0
  }

  #fail(invariant: string, detail: string): void {
    if (this.violations.length < 20) this.violations.push({ invariant, detail, at: this.#now() })
  }

  /** New entries of a host's log, as handed to storage. */
  taken(host: SimHost, rd: Ready): void {
    const node = host.node
    if (node === null || rd.entries.length === 0) return
    const first = (rd.entries[0] as Entry).index
    if (
      node.role === 'leader' &&
      first <= host.durable.entries.length + (host.durable.snapshot?.meta.index ?? 0)
    ) {
      const storedTerm = host.durable.entries.find((e) => e.index === first)?.term
      if (storedTerm === node.term) {
        this.#fail('leader append-only', `${host.id} (leader, term ${node.term}) rewrites its entry ${first}`)
      }
    }
    let prevTerm = node.termAt(first - 1)
    for (const entry of rd.entries) {
      const key = `${entry.index}:${entry.term}`
      const content = fingerprint(entry)
      const known = this.#canonical.get(key)
      if (known === undefined) {
        this.#canonical.set(key, { content, prevTerm })
      } else {
        if (known.content !== content) {
          this.#fail('log matching', `${host.id}: entry ${key} differs from the same entry elsewhere`)
        }
        if (prevTerm !== undefined && known.prevTerm !== undefined && known.prevTerm !== prevTerm) {
          this.#fail(
            'log matching',
            `${host.id}: entry ${key} follows term ${prevTerm}, elsewhere ${known.prevTerm}`,
          )
        }
      }
      prevTerm = entry.term
    }
  }

  persisted(host: SimHost): void {
    const now = host.durable.hardState
    const before = this.#durable.get(host.id)
    if (before !== undefined) {
      if (now.term < before.term)
        this.#fail('monotonic term', `${host.id}: durable term ${before.term} → ${now.term}`)
      if (now.term === before.term && before.vote !== null && now.vote !== before.vote) {
        this.#fail('one vote per term', `${host.id}: changed its vote in term ${now.term}`)
      }
      if (now.commit < before.commit) {
        this.#fail('monotonic commit', `${host.id}: durable commit ${before.commit} → ${now.commit}`)
      }
    }
    this.#durable.set(host.id, { ...now })
  }

  applied(host: SimHost, entry: Entry): void {
    const content = fingerprint(entry)
    const known = this.#appliedContent.get(entry.index)
    if (known === undefined) this.#appliedContent.set(entry.index, content)
    else if (known !== content)
      this.#fail('state-machine safety', `${host.id} applied a different entry ${entry.index}`)
    const committed = this.#committedTerm.get(entry.index)
    if (committed !== undefined && committed !== entry.term) {
      this.#fail(
        'state-machine safety',
        `${host.id} applied ${entry.index}:${entry.term}, committed term ${committed}`,
      )
    }
    this.#checkState(host.id, entry.index, host.kv.digest())
  }

  restored(host: SimHost, meta: SnapshotMeta, data: KvSnapshot): void {
    const committed = this.#committedTerm.get(meta.index)
    if (committed !== undefined && committed !== meta.term) {
      this.#fail(
        'state-machine safety',
        `${host.id} installed snapshot ${meta.index}:${meta.term}, committed ${committed}`,
      )
    }
    this.#checkState(host.id, meta.index, new KvStore(data).digest())
  }

  #checkState(id: PeerId, index: number, digest: string): void {
    const known = this.#stateAfter.get(index)
    if (known === undefined) this.#stateAfter.set(index, digest)
    else if (known !== digest)
      this.#fail('state-machine safety', `${id}: state after ${index} differs from other replicas`)
  }

  /** Runs after every simulator step over the live hosts. */
  afterStep(hosts: Iterable<SimHost>): void {
    const hostsById = new Map<PeerId, SimHost>()
    for (const host of hosts) hostsById.set(host.id, host)
    for (const host of hostsById.values()) {
      const node = host.node
      if (node === null) continue
      const seen = this.#seen.get(host.id)
      const fresh = seen === undefined || seen.incarnation !== host.incarnation
      const state = fresh ? { incarnation: host.incarnation, commit: node.commit, leaderTerm: 0 } : seen
      if (node.commit < state.commit) {
        this.#fail('monotonic commit', `${host.id}: commit ${state.commit} → ${node.commit}`)
      }
      this.#recordCommitted(host, fresh ? node.status().firstIndex - 1 : state.commit)
      state.commit = Math.max(state.commit, node.commit)
      if (node.role === 'leader' && state.leaderTerm !== node.term) {
        state.leaderTerm = node.term
        this.#newLeader(host)
      }
      if (node.role === 'leader') this.#acknowledgedKept(host, hostsById)
      this.#seen.set(host.id, state)
    }
  }

  #recordCommitted(host: SimHost, from: number): void {
    const node = host.node
    if (node === null) return
    for (let i = from + 1; i <= node.commit; i++) {
      const term = node.termAt(i)
      if (term === undefined) continue
      const known = this.#committedTerm.get(i)
      if (known === undefined) {
        this.#committedTerm.set(i, term)
        this.#committedDuring.set(i, node.term)
      } else if (known !== term) {
        this.#fail(
          'state-machine safety',
          `${host.id} committed ${i}:${term}, already committed with term ${known}`,
        )
      }
      if (i > this.#highestCommitted) this.#highestCommitted = i
    }
  }

  /**
   * What a follower acknowledged to the leader of its current term stays in its log (it was
   * durable before the acknowledgement and nothing in that term may remove it).
   */
  #acknowledgedKept(leader: SimHost, hosts: ReadonlyMap<PeerId, SimHost>): void {
    const node = leader.node
    if (node === null) return
    for (const progress of node.status().progress) {
      const peer = hosts.get(progress.id)?.node
      if (peer == null || peer.term !== node.term || progress.match === 0) continue
      const theirs = peer.termAt(progress.match)
      const ours = node.termAt(progress.match)
      const compacted = progress.match < peer.status().firstIndex
      if (!compacted && (theirs === undefined || (ours !== undefined && theirs !== ours))) {
        this.#fail(
          'acknowledged entries kept',
          `${progress.id} lost entry ${progress.match} it acknowledged to ${leader.id}`,
        )
      }
    }
  }

  #newLeader(host: SimHost): void {
    const node = host.node
    if (node === null) return
    const other = this.#leaders.get(node.term)
    if (other !== undefined && other !== host.id) {
      this.#fail('election safety', `${host.id} and ${other} both lead term ${node.term}`)
    }
    this.#leaders.set(node.term, host.id)
    // Entries committed during an earlier term must be in the new leader's log. (A leader of an
    // old term can still win late, with votes granted before a newer term committed anything.)
    const from = node.status().firstIndex
    for (let i = from; i <= this.#highestCommitted; i++) {
      const committed = this.#committedTerm.get(i)
      const during = this.#committedDuring.get(i) ?? Number.POSITIVE_INFINITY
      if (committed !== undefined && during < node.term && node.termAt(i) !== committed) {
        this.#fail(
          'leader completeness',
          `${host.id} leads term ${node.term} without committed entry ${i}:${committed}`,
        )
        return
      }
    }
  }
}
