/**
 * The Raft core alone: three cores in one process, messages delivered at once (no network, no
 * encoding, no disk), a trivial state machine. Measures proposals committed per second on the
 * leader when the client keeps `in-flight` proposals outstanding (each commit is replaced by a
 * new proposal), so batching happens the way it does in the runtime: everything proposed between
 * two Readies travels in one append. This is the ceiling the Groups runtime can approach.
 *
 * `npm run -s bench -- raft-core [--seconds S] [--entry-bytes B] [--in-flight a,b,c]`
 */
import { bootstrapState } from '../../runtime/groups/raft/bootstrap.ts'
import { membership } from '../../runtime/groups/raft/membership.ts'
import { RaftNode } from '../../runtime/groups/raft/node.ts'
import type { Message } from '../../runtime/groups/raft/types.ts'
import { InvalidInputError } from '../../runtime/primitives/errors.ts'
import { defineBenchmark } from '../lib/benchmark.ts'
import { type ResultRow, round, row } from '../lib/result.ts'

const IDS = ['n1', 'n2', 'n3']

/** Three in-memory cores with a zero-latency, in-order message queue and instant "disk". */
class Trio {
  readonly nodes = new Map<string, RaftNode>()
  readonly #queue: Message[] = []
  committed = 0
  readies = 0

  constructor() {
    let seed = 1
    for (const id of IDS) {
      const state = bootstrapState(membership(IDS))
      const random = () => {
        seed = (seed * 16807) % 2147483647
        return seed / 2147483647
      }
      this.nodes.set(id, new RaftNode({ id, random, state, config: { maxSizePerMsg: 4 << 20 } }))
    }
  }

  /** Drains every core's Readies and delivers messages until everything is quiet. */
  pump(): void {
    for (;;) {
      let busy = false
      for (const node of this.nodes.values()) {
        while (node.hasReady()) {
          busy = true
          const rd = node.ready()
          this.readies++
          for (const m of rd.messages) this.#queue.push(m)
          for (const m of rd.messagesAfterPersist) this.#queue.push(m)
          if (node.role === 'leader') for (const e of rd.committed) if (e.kind === 'command') this.committed++
          if (rd.snapshotDue !== null) node.snapshotSaved(rd.snapshotDue)
          node.advance()
        }
      }
      if (this.#queue.length === 0 && !busy) return
      const batch = this.#queue.splice(0)
      for (const m of batch) this.nodes.get(m.to)?.step(m)
    }
  }

  leader(): RaftNode {
    for (let i = 0; i < 1000; i++) {
      for (const node of this.nodes.values()) if (node.role === 'leader' && node.commit > 1) return node
      for (const node of this.nodes.values()) node.tick()
      this.pump()
    }
    throw new Error('no leader elected')
  }
}

/** Keeps `inFlight` proposals outstanding on the leader for `ms`; returns commits per second. */
function measure(inFlight: number, entryBytes: number, ms: number): { perSecond: number; perReady: number } {
  const trio = new Trio()
  const leader = trio.leader()
  const data = new Uint8Array(entryBytes).fill(7)
  const run = (until: number) => {
    while (performance.now() < until) {
      const outstanding = leader.lastIndex - leader.commit
      for (let i = outstanding; i < inFlight; i++) {
        if (!leader.propose(data).ok) throw new Error('proposal refused')
      }
      trio.pump()
    }
  }
  run(performance.now() + Math.min(300, ms / 4))
  const committed0 = trio.committed
  const readies0 = trio.readies
  const start = performance.now()
  run(start + ms)
  const seconds = (performance.now() - start) / 1000
  const commits = trio.committed - committed0
  return { perSecond: commits / seconds, perReady: commits / Math.max(1, trio.readies - readies0) }
}

function parseList(raw: string): number[] {
  const values = raw.split(',').map((s) => Number(s.trim()))
  if (values.some((v) => !Number.isSafeInteger(v) || v < 1)) {
    throw new InvalidInputError(`--in-flight expects positive integers separated by commas, got '${raw}'`)
  }
  return values
}

export default defineBenchmark({
  name: 'raft-core',
  description:
    'Raft core ceiling: 3 in-process cores, zero-latency delivery, proposals committed/s with batching',
  flags: {
    seconds: { type: 'number', default: 2, description: 'measuring time per setting', integer: false },
    'entry-bytes': { type: 'number', default: 128, description: 'bytes per proposal' },
    'in-flight': {
      type: 'string',
      default: '1,16,256,4096',
      description: 'outstanding proposals, comma-separated',
    },
  },
  full: { seconds: 5 },
  async run(flags, { log }) {
    const results: ResultRow[] = []
    for (const inFlight of parseList(flags['in-flight'])) {
      const { perSecond, perReady } = measure(inFlight, flags['entry-bytes'], flags.seconds * 1000)
      log(`${inFlight} in flight: ${Math.round(perSecond)} commits/s`)
      results.push(row('mosaik', `commits/s @${inFlight} in flight`, Math.round(perSecond), 'commits/s'))
      results.push(
        row('mosaik', `commits per Ready (3 cores) @${inFlight} in flight`, round(perReady, 1), 'entries'),
      )
    }
    return {
      results,
      notes: [
        'in-process ceiling: no network, encoding, disk or state machine; the runtime adds all of those',
      ],
    }
  },
})
