/**
 * Group members in separate processes (`node.child.ts`) for the process tests: spawning with a
 * fixed identity and optional WAL, status polling, and the messages they print.
 */

import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { scaled } from '../../../runtime/primitives/time.ts'
import { type ManagedProcess, nodeSpec, type ProcessSet } from '../../fault/harness/process.ts'
import type { NodeConfig } from './node.child.ts'

export const CHILD = join(import.meta.dirname, 'node.child.ts')

export type ChildMessage =
  | { type: 'ready'; peerId: string; addresses: string[]; storeId: string; groupId: string }
  | {
      type: 'status'
      leader: string | null
      isLeader: boolean
      term: number
      committed: number
      count: number
      duplicates: number
      members: { voters: string[]; learners: string[] }
      bonded: string[]
    }
  | { type: 'acked'; id: string; index: number; term: number; at: number }
  | { type: 'failed'; id: string; code: string; at: number }
  | { type: 'load-stopped' }
  | { type: 'ids'; ids: string[] }
  | { type: 'read-failed'; code: string }
  | { type: 'forged'; ok: boolean; reason?: string }
  | { type: 'closed' }

export type Child = ManagedProcess<ChildMessage>

/** A temporary directory removed by `cleanup`. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Per-node settings shared by one test: the network name and a fresh identity seed per node. */
export function nodeConfig(network: string, index: number, overrides: Partial<NodeConfig> = {}): NodeConfig {
  return {
    network,
    key: `${network}-node-${index}`,
    listen: ['/ip4/127.0.0.1/udp/0/quic-v1', '/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    secret: 'process test secret',
    // Local settings only (the StoreId and the Raft timing stay the lan profile's).
    timing: { formationDelayMs: 300, promoteAfterMs: 300 },
    ...overrides,
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`
}

/** Starts a member process and waits until it is up. */
export async function spawnMember(
  set: ProcessSet,
  config: NodeConfig,
  name: string,
): Promise<{ child: Child; ready: Extract<ChildMessage, { type: 'ready' }> }> {
  const child = set.spawn<ChildMessage>(nodeSpec(CHILD, [JSON.stringify(config)], { name }))
  const ready = (await child.waitFor((m) => m.type === 'ready', { timeout: scaled(30_000) })) as Extract<
    ChildMessage,
    { type: 'ready' }
  >
  return { child, ready }
}

/** Asks for a status and returns it. */
export async function statusOf(child: Child): Promise<Extract<ChildMessage, { type: 'status' }>> {
  child.send({ type: 'status' })
  return (await child.waitFor((m) => m.type === 'status', {
    since: 'now',
    timeout: scaled(10_000),
  })) as Extract<ChildMessage, { type: 'status' }>
}

/** Polls statuses until `check` holds for all. */
export async function untilStatus(
  children: readonly Child[],
  check: (statuses: Extract<ChildMessage, { type: 'status' }>[]) => boolean,
  timeout = 30_000,
): Promise<Extract<ChildMessage, { type: 'status' }>[]> {
  const deadline = Date.now() + scaled(timeout)
  for (;;) {
    const statuses = await Promise.all(children.map(statusOf))
    if (check(statuses)) return statuses
    if (Date.now() > deadline) throw new Error(`status condition not met: ${JSON.stringify(statuses)}`)
    await delay(100)
  }
}

/** Reads every id a member holds (linearizable). */
export async function idsOf(child: Child): Promise<string[]> {
  child.send({ type: 'read', consistency: 'linearizable' })
  const answer = await child.waitFor((m) => m.type === 'ids' || m.type === 'read-failed', {
    since: 'now',
    timeout: scaled(15_000),
  })
  if (answer.type !== 'ids') throw new Error(`read failed: ${JSON.stringify(answer)}`)
  return answer.ids
}
