/**
 * One member of the collections benchmark: a node that opens Map collections and writes or follows
 * them as its orchestrator says (see protocol.ts). Keys and values are integers.
 */
import type { CollectionOptions, MapReader, MapWriter } from '../../runtime/codegen-v1.ts'
import { Network } from '../../runtime/network/network.ts'
import { isMosaikError } from '../../runtime/primitives/errors.ts'
import { testNetworkOptions } from '../../runtime/testing/networks.ts'
import { runChild } from '../lib/child.ts'
import type { MemberIn, MemberOut } from './protocol.ts'
import { benchMap } from './setup.ts'

type Handle = MapReader<number, number> & Partial<MapWriter<number, number>>

runChild<MemberIn, MemberOut>(async (parent) => {
  const start = await parent.receive('start')
  const network = await Network.create(start.network, testNetworkOptions({ bootstrap: start.bootstrap }))
  parent.scope.defer(() => network.close())
  parent.send({ type: 'ready', peerId: network.peerId, addresses: network.addresses })
  const handles = new Map<string, Handle>()
  /** When each collection was opened (performance.now). */
  const openedAt = new Map<string, number>()
  const writer = (name: string): MapWriter<number, number> => {
    const handle = handles.get(name)
    if (handle?.insert === undefined) throw new Error(`no writer of ${name} here`)
    return handle as MapWriter<number, number>
  }
  const groupOf = (name: string) => {
    const group = network.groups.get((handles.get(name) as Handle).storeId)
    if (group === undefined) throw new Error(`${name} is not open`)
    return group
  }

  for (;;) {
    const message = await parent.receive(['open', 'insert', 'fill', 'members', 'read', 'reach'], {
      timeout: 3_600_000,
    })
    switch (message.type) {
      case 'open': {
        const began = performance.now()
        const handle = benchMap(message.name)
        const options = { timing: message.timing } as CollectionOptions
        const opened =
          message.role === 'writer' ? handle.writer(network, options) : handle.reader(network, options)
        handles.set(message.name, opened)
        openedAt.set(message.name, began)
        await opened.when.online({ timeout: 60_000 })
        parent.send({
          type: 'opened',
          name: message.name,
          ms: performance.now() - began,
          version: opened.version,
        })
        break
      }
      case 'insert': {
        const w = writer(message.name)
        const latencies: number[] = []
        let next = 0
        let version = 0
        const began = performance.now()
        const worker = async () => {
          for (let i = next++; i < message.count; i = next++) {
            const t = performance.now()
            version = Math.max(version, await w.insert(message.from + i, i))
            if (latencies.length < 100_000) latencies.push(performance.now() - t)
          }
        }
        await Promise.all(Array.from({ length: message.concurrency }, worker))
        const ms = performance.now() - began
        parent.send({ type: 'inserted', name: message.name, count: message.count, ms, version, latencies })
        break
      }
      case 'fill': {
        const w = writer(message.name)
        const began = performance.now()
        for (let from = 0; from < message.entries; from += message.per) {
          const length = Math.min(message.per, message.entries - from)
          const chunk = Array.from({ length }, (_, i) => [from + i, (from + i) * 7] as const)
          await retryOffline(() => w.extend(chunk))
        }
        // Single writes until this node saved a snapshot past the fill, so a joiner needs one.
        const takeBefore = performance.now()
        let version = w.version
        while (!(await hasSnapshot(network, w))) version = await retryOffline(() => w.insert(-1, version))
        parent.send({
          type: 'filled',
          name: message.name,
          version,
          ms: takeBefore - began,
          snapshotTakeMs: performance.now() - takeBefore,
        })
        break
      }
      case 'members': {
        const { voters, learners } = groupOf(message.name).members
        parent.send({ type: 'members', voters: voters.length, learners: learners.length })
        break
      }
      case 'read': {
        const handle = handles.get(message.name) as Handle
        const size = handle.size
        // Untimed: the first read builds the state's point index (a one-time cost).
        handle.get(0)
        let reads = 0
        let found = 0
        const began = performance.now()
        let elapsed = 0
        while (elapsed < message.ms) {
          for (let i = 0; i < 10_000; i++) if (handle.get(((reads + i) * 7_919) % size) !== undefined) found++
          reads += 10_000
          elapsed = performance.now() - began
        }
        if (found === 0) throw new Error('reads found nothing')
        parent.send({ type: 'reads', name: message.name, perSecond: reads / (elapsed / 1000), size })
        break
      }
      case 'reach': {
        const handle = handles.get(message.name) as Handle
        const began = performance.now()
        await handle.when.reaches(message.version, { timeout: 600_000 })
        const done = performance.now()
        const opened = openedAt.get(message.name) ?? began
        const snapshotBytes = await network.metrics.value(
          'mosaik_groups_snapshot_bytes_total',
          snapshotLabel(handle, 'fetched'),
        )
        const phaseMs = async (phase: string) =>
          1000 *
          (await network.metrics.value('mosaik_groups_snapshot_sync_seconds', {
            group: groupLabel(handle),
            phase,
          }))
        parent.send({
          type: 'reached',
          name: message.name,
          size: handle.size,
          snapshotBytes,
          ms: done - opened,
          fetchMs: await phaseMs('fetch'),
          restoreMs: await phaseMs('restore'),
        })
        break
      }
    }
  }
})

/**
 * Runs `write` again when it failed with OfflineError: the command was not applied (e.g. replaced
 * after a leader change while the members were busy snapshotting), so a retry cannot apply it twice.
 */
async function retryOffline<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write()
    } catch (err) {
      if (!isMosaikError(err, 'ERR_OFFLINE') || attempt >= 5) throw err
    }
  }
}

/** The `group` label of the collection's group metrics. */
function groupLabel(handle: Handle): string {
  return `${handle.name}/${handle.storeId.short}`
}

function snapshotLabel(handle: Handle, kind: string): Record<string, string> {
  return { group: groupLabel(handle), kind }
}

/** True once this node saved a snapshot of the collection (counted by the group's metrics). */
async function hasSnapshot(network: Network, handle: Handle): Promise<boolean> {
  return (
    (await network.metrics.value('mosaik_groups_snapshot_transfers_total', snapshotLabel(handle, 'saved'))) >
    0
  )
}
