/**
 * Child process of the kill -9 test: appends to the WAL in `argv[2]` from many concurrent writers,
 * moves the term, the commit index and snapshots along, and prints each ack only once `sync()`
 * says it is durable. It runs until it is killed.
 */
import { WalLogStore } from '../../../runtime/groups/storage/index.ts'
import { type Ack, entryData, formatAck, snapshotData } from './workload.ts'

const dir = process.argv[2] as string
const writers = Number(process.argv[3] ?? 64)
const store = await WalLogStore.open({ dir, segmentBytes: 32 * 1024 })
const config = new TextEncoder().encode('voters: self')

function ack(value: Ack): void {
  process.stdout.write(`${formatAck(value)}\n`)
}

let term = store.hardState.term
let acked = 0

async function writer(): Promise<never> {
  for (;;) {
    const index = store.lastIndex + 1
    const entryTerm = term
    store.append([{ index, term: entryTerm, data: entryData(index, entryTerm) }])
    await store.sync()
    ack({ kind: 'entry', index, term: entryTerm })
    acked++
  }
}

/** Every few hundred entries: commit what is durable; now and then a new term or a snapshot + compaction. */
async function maintenance(): Promise<never> {
  for (let round = 1; ; round++) {
    const target = acked + 300
    while (acked < target) await new Promise((resolve) => setImmediate(resolve))
    const durable = store.lastIndex
    await store.sync()
    const newTerm = round % 3 === 0 ? term + 1 : term
    store.setHardState({
      term: newTerm,
      vote: newTerm === store.hardState.term ? store.hardState.vote : 'self',
      commit: durable,
    })
    await store.sync()
    if (newTerm !== term) {
      term = newTerm
      ack({ kind: 'term', term })
    }
    ack({ kind: 'commit', commit: durable })
    if (round % 2 === 0) {
      await store.saveSnapshot(
        { index: durable, term: store.term(durable) as number, config },
        snapshotData(durable),
      )
      ack({ kind: 'snapshot', index: durable })
      await store.compact(Math.max(durable - 100, store.firstIndex - 1))
    }
  }
}

if (term === 0) {
  term = 1
  store.setHardState({ term, vote: 'self', commit: store.hardState.commit })
  await store.sync()
  ack({ kind: 'term', term })
}
await Promise.all([maintenance(), ...Array.from({ length: writers }, writer)])
