/**
 * Simulated clients: each runs one operation at a time — a put, a compare-and-swap or a
 * linearizable read of one of a few keys — and records it in a history for the linearizability
 * checker. Writes go to a server that believes it leads and complete when that server applies
 * the (index, term) it was given; reads use ReadIndex on any server. A read without an answer is
 * left out (it had no effect). A write whose index was taken by another entry definitely failed
 * and is left out too.
 *
 * A client that gives up on a write (timeout, crashed server) moves on, but the history settles
 * the write from the log: if its (index, term) was applied anywhere, it took effect at some point
 * between its call and the first application, with that application's outcome; if it was never
 * applied, it took no effect within the history (linearizing it after everything is equivalent).
 * Left as "maybe", such writes make the search exponential (Knossos and porcupine suffer the same).
 */
import type { Entry, PeerId, ReadState } from '../../runtime/groups/raft/types.ts'
import type { ClusterListener, SimCluster } from './cluster.ts'
import type { SimHost } from './host.ts'
import { encodeCommand, type KvCommand } from './kv.ts'
import type { KvOperation } from './linearizability.ts'
import type { Rng } from './rng.ts'

export interface WorkloadOptions {
  clients: number
  keys: number
  /** No new operations start after this virtual time. */
  until: number
  /** A client waits this long before giving up on an operation. */
  timeoutMs: number
  /** Longest pause between a client's operations. */
  thinkMs: number
  readShare: number
  casShare: number
}

interface PendingWrite {
  op: KvOperation
  client: number
  term: number
}

interface PendingRead {
  op: KvOperation
  client: number
  host: SimHost
  life: number
}

export interface WorkloadStats {
  writes: number
  reads: number
  unknown: number
  failed: number
  refused: number
}

export class Workload implements ClusterListener {
  readonly stats: WorkloadStats = { writes: 0, reads: 0, unknown: 0, failed: 0, refused: 0 }
  readonly #cluster: SimCluster
  readonly #rng: Rng
  readonly #options: WorkloadOptions
  readonly #ops: KvOperation[] = []
  readonly #failed = new Set<KvOperation>()
  /** Writes waiting for their server to apply an index, by `host:index` (several terms may wait). */
  readonly #writes = new Map<string, PendingWrite[]>()
  readonly #reads = new Map<string, PendingRead>()
  readonly #readWaits = new Map<PeerId, { requestId: string; index: number }[]>()
  readonly #values = new Map<string, string[]>()
  /** Where each accepted write went in the log. */
  readonly #slots = new Map<KvOperation, { index: number; term: number }>()
  /** The first application of each index anywhere: its term, time and outcome. */
  readonly #firstApplied = new Map<number, { term: number; at: number; effect: boolean | null }>()
  #seq = 0

  constructor(cluster: SimCluster, rng: Rng, options: WorkloadOptions) {
    this.#cluster = cluster
    this.#rng = rng
    this.#options = options
    cluster.listener = this
    for (let c = 0; c < options.clients; c++) this.#next(c)
  }

  /** Every recorded operation that took effect, for the checker (writes settled from the log). */
  history(): KvOperation[] {
    const out: KvOperation[] = []
    for (const op of this.#ops) {
      if (this.#failed.has(op)) continue
      if (op.ret !== Infinity) out.push(op)
      else if (op.input.op !== 'get') {
        const slot = this.#slots.get(op)
        const first = slot === undefined ? undefined : this.#firstApplied.get(slot.index)
        if (first === undefined || first.term !== slot?.term) continue
        out.push({ ...op, ret: first.at, output: op.input.op === 'put' ? true : first.effect })
      }
    }
    return out
  }

  /** Operations still waiting for an answer. */
  get pending(): number {
    let n = this.#reads.size
    for (const list of this.#writes.values()) n += list.length
    return n
  }

  #next(client: number): void {
    this.#cluster.queue.after(this.#rng.float() * this.#options.thinkMs, () => this.#issue(client))
  }

  #issue(client: number): void {
    if (this.#cluster.now >= this.#options.until) return
    const key = `k${this.#rng.int(this.#options.keys)}`
    if (this.#rng.chance(this.#options.readShare)) this.#read(client, key)
    else this.#write(client, key)
  }

  #write(client: number, key: string): void {
    // Clients mostly find the newest leader; sometimes they talk to a deposed one.
    const leaders = this.#cluster.leaders().sort((a, b) => (b.node?.term ?? 0) - (a.node?.term ?? 0))
    const leader = leaders.length > 0 && this.#rng.chance(0.2) ? this.#rng.pick(leaders) : leaders[0]
    if (leader?.node == null) {
      this.#cluster.queue.after(10, () => this.#issue(client))
      return
    }
    const value = `${client}.${this.#seq++}`
    const seen = this.#values.get(key) ?? []
    const cmd: KvCommand = this.#rng.chance(this.#options.casShare)
      ? {
          op: 'cas',
          key,
          expect: seen.length === 0 || this.#rng.chance(0.2) ? null : this.#rng.pick(seen.slice(-4)),
          value,
        }
      : { op: 'put', key, value }
    const result = leader.node.propose(encodeCommand(cmd))
    if (!result.ok) {
      this.stats.refused++
      this.#cluster.queue.after(10, () => this.#issue(client))
      return
    }
    seen.push(value)
    this.#values.set(key, seen)
    const input =
      cmd.op === 'put' ? { op: 'put' as const, value } : { op: 'cas' as const, expect: cmd.expect, value }
    const op: KvOperation = { client, key, input, output: undefined, call: this.#cluster.now, ret: Infinity }
    this.#ops.push(op)
    this.stats.writes++
    this.#slots.set(op, { index: result.index, term: result.term })
    const slot = `${leader.id}:${result.index}`
    const write: PendingWrite = { op, client, term: result.term }
    this.#writes.set(slot, [...(this.#writes.get(slot) ?? []), write])
    this.#cluster.queue.after(this.#options.timeoutMs, () => {
      const list = this.#writes.get(slot) ?? []
      if (!list.includes(write)) return
      this.#writes.set(
        slot,
        list.filter((w) => w !== write),
      )
      this.stats.unknown++
      this.#next(client)
    })
  }

  #read(client: number, key: string): void {
    const host = this.#rng.pick([...this.#cluster.available(), undefined])
    if (host?.node == null) {
      this.#cluster.queue.after(10, () => this.#issue(client))
      return
    }
    const requestId = `r${this.#seq++}`
    const op: KvOperation = {
      client,
      key,
      input: { op: 'get' },
      output: undefined,
      call: this.#cluster.now,
      ret: Infinity,
    }
    this.#ops.push(op)
    this.#reads.set(requestId, { op, client, host, life: host.incarnation })
    host.node.readIndex(requestId)
    this.#cluster.queue.after(this.#options.timeoutMs, () => {
      if (this.#reads.get(requestId)?.op === op) this.#endRead(requestId)
    })
  }

  #endRead(requestId: string, value?: string | null): void {
    const read = this.#reads.get(requestId)
    if (read === undefined) return
    this.#reads.delete(requestId)
    if (value !== undefined) {
      read.op.output = value
      read.op.ret = this.#cluster.now
      this.stats.reads++
    }
    this.#next(read.client)
  }

  // ---------------------------------------------------------------- ClusterListener

  applied(host: SimHost, entry: Entry, effect: boolean | null): void {
    if (!this.#firstApplied.has(entry.index)) {
      this.#firstApplied.set(entry.index, { term: entry.term, at: this.#cluster.now, effect })
    }
    const slot = `${host.id}:${entry.index}`
    for (const write of this.#writes.get(slot) ?? []) {
      if (entry.term === write.term) {
        write.op.output = write.op.input.op === 'put' ? true : effect
        write.op.ret = this.#cluster.now
      } else {
        // Another entry holds this index for good: this write can never commit.
        this.#failed.add(write.op)
        this.stats.failed++
      }
      this.#next(write.client)
    }
    this.#writes.delete(slot)
    this.#serveReads(host)
  }

  restored(host: SimHost): void {
    this.#serveReads(host)
  }

  readState(host: SimHost, read: ReadState): void {
    const pending = this.#reads.get(read.requestId)
    if (pending === undefined || pending.host !== host || pending.life !== host.incarnation) return
    const waits = this.#readWaits.get(host.id) ?? []
    waits.push({ requestId: read.requestId, index: read.index })
    this.#readWaits.set(host.id, waits)
    this.#serveReads(host)
  }

  droppedRead(_host: SimHost, requestId: string): void {
    this.#endRead(requestId)
  }

  crashed(host: SimHost): void {
    for (const [slot, list] of this.#writes) {
      if (!slot.startsWith(`${host.id}:`)) continue
      this.#writes.delete(slot)
      for (const write of list) {
        this.stats.unknown++
        this.#next(write.client)
      }
    }
    for (const [requestId, read] of this.#reads) if (read.host === host) this.#endRead(requestId)
    this.#readWaits.delete(host.id)
  }

  /** Answers reads whose index the host has now applied, from its current state. */
  #serveReads(host: SimHost): void {
    const waits = this.#readWaits.get(host.id)
    if (waits === undefined || waits.length === 0) return
    const keep: { requestId: string; index: number }[] = []
    for (const wait of waits) {
      const read = this.#reads.get(wait.requestId)
      if (read === undefined) continue
      if (host.applied >= wait.index) this.#endRead(wait.requestId, host.kv.get(read.op.key))
      else keep.push(wait)
    }
    this.#readWaits.set(host.id, keep)
  }
}
