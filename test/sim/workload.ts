/**
 * Simulated clients: each runs one operation at a time — a put, a compare-and-swap or a
 * linearizable read of one of a few keys — and records it in a history for the linearizability
 * checker. Writes go to a server that believes it leads and complete when that server applies
 * the (index, term) it was given; reads use ReadIndex on any server. A client that gives up
 * records the write's outcome as unknown (it may still take effect); a read without an answer
 * is left out (it had no effect). A write whose index was taken by another entry definitely
 * failed and is left out too.
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
  #seq = 0

  constructor(cluster: SimCluster, rng: Rng, options: WorkloadOptions) {
    this.#cluster = cluster
    this.#rng = rng
    this.#options = options
    cluster.listener = this
    for (let c = 0; c < options.clients; c++) this.#next(c)
  }

  /** Every recorded operation that may have taken effect, for the checker. */
  history(): KvOperation[] {
    return this.#ops.filter((op) => !this.#failed.has(op) && (op.input.op !== 'get' || op.ret !== Infinity))
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
