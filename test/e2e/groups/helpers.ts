/**
 * Helpers of the in-process group scenarios: nodes on loopback, Counter clients joined through the
 * generated handle with fast timings, and cleanup after each test.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { afterEach } from 'vitest'
import type { GroupClient, GroupOptions } from '../../../runtime/codegen-v1.ts'
import type { GroupTiming } from '../../../runtime/groups/profiles.ts'
import type { Group } from '../../../runtime/groups/runtime/group.ts'
import type { Network } from '../../../runtime/network/network.ts'
import { scaled } from '../../../runtime/primitives/time.ts'
import { closeAll, createNetworks, discoverAll } from '../../../runtime/testing/index.ts'
import { type CounterCommands, CounterMachine, type CounterQueries, counter } from './counter.ts'

/**
 * Timings for tests on a loaded 2-core machine: 25 ms ticks, elections after 300–600 ms, a 300 ms
 * formation delay, promotion after 300 ms, removal after 3 s.
 */
export const FAST: Partial<GroupTiming> = {
  tickMs: 25,
  heartbeatTicks: 2,
  electionTicks: 12,
  formationDelayMs: 300,
  promoteAfterMs: 300,
  removeAfterMs: 3_000,
  bondPingMs: 100,
  bondTimeoutMs: 1_500,
}

/** A test wait: `ms` scaled by MOSAIK_TIME_FACTOR. */
export const T = (ms: number) => ({ timeout: scaled(ms) })

export type Counter = GroupClient<CounterCommands, CounterQueries>

export interface Member {
  network: Network
  machine: CounterMachine
  client: Counter
}

const networks: Network[] = []

afterEach(async () => {
  await closeAll(networks.splice(0))
})

/** `count` nodes of one fresh network (closed after the test); `meshed` makes them know each other. */
export async function nodes(count: number, meshed = true): Promise<Network[]> {
  const created = await createNetworks(count)
  networks.push(...created)
  if (meshed && count > 1) await discoverAll(created)
  return created
}

/** Options of the generated `join`, plus the runtime's `timing` (FAST unless given). */
export type JoinOptions = GroupOptions & { timing?: Partial<GroupTiming> }

/** Joins the Counter group on `network` through the generated handle. */
export function join(
  network: Network | undefined,
  options: JoinOptions = {},
  machine = new CounterMachine(),
): Member {
  if (network === undefined) throw new Error('no such node')
  const client = counter.join(network, machine, {
    ...options,
    timing: { ...FAST, ...options.timing },
  } as GroupOptions)
  return { network, machine, client }
}

/** The runtime group behind a member's client. */
export function groupOf(member: Member): Group {
  const group = member.network.groups.get(member.client.storeId)
  if (group === undefined) throw new Error('group not open')
  return group
}

/** The member that leads, once all agree on one. */
export async function leaderOf(members: readonly Member[], timeout = 10_000): Promise<Member> {
  const deadline = Date.now() + scaled(timeout)
  for (;;) {
    const leaders = await Promise.all(members.map((m) => m.client.when.leaderElected(T(timeout))))
    const found = members.find((m) => m.client.isLeader)
    if (found && leaders.every((l) => l === found.network.peerId)) return found
    if (Date.now() > deadline) throw new Error(`no agreed leader: ${leaders.join(', ')}`)
    await delay(20)
  }
}

/** Resolves once `member` sees `voters` voters. */
export async function votersReach(member: Member, voters: number, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + scaled(timeout)
  while (member.client.members.voters.length < voters) {
    if (Date.now() > deadline) throw new Error(`voters stayed at ${member.client.members.voters.length}`)
    await delay(20)
  }
}

/** Polls `condition` every 20 ms until it holds (scaled timeout). */
export async function until(condition: () => boolean, timeout = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + scaled(timeout)
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeout} ms`)
    await delay(20)
  }
}
