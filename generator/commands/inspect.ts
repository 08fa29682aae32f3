/**
 * `mosaik inspect`: joins a network as a silent observer (it never announces itself) and prints
 * the catalog: every peer with its tags, the streams it produces, the groups it belongs to, its
 * round-trip time and uptime. `--json` for machines, `--watch` to keep printing on every change.
 */
import { Command } from 'commander'
import type { Catalog } from '../../runtime/discovery/catalog.ts'
import { Network } from '../../runtime/network/network.ts'
import { ConfigError, TimeoutError } from '../../runtime/primitives/errors.ts'
import type { CliContext, CommandFactory } from '../context.ts'
import { formatDuration, type JoinFlags, joinOptions, untilAborted, withJoinOptions } from './join.ts'

interface InspectFlags extends JoinFlags {
  json?: boolean
  watch?: boolean
  timeout: string
  settle: string
}

interface PeerView {
  peerId: string
  tags: readonly string[]
  streams: string[]
  groups: string[]
  tickets: number
  addresses: readonly string[]
  uptime: number
  rtt?: number
}

function view(network: Network, catalog: Catalog): PeerView[] {
  const now = Date.now()
  return catalog.peers().map((p) => {
    const rtt = network.discovery.rtt(p.peerId)?.srtt
    return {
      peerId: p.peerId,
      tags: p.tags,
      streams: p.streams.map((s) => s.hex),
      groups: p.groups.map((g) => g.hex),
      tickets: p.tickets.length,
      addresses: p.addresses,
      uptime: now - p.version.start,
      ...(rtt === undefined ? {} : { rtt }),
    }
  })
}

function printText(context: CliContext, name: string, network: Network, peers: readonly PeerView[]): void {
  context.stdout(
    `network ${name} (${network.networkId.short}) — ${peers.length} peer${peers.length === 1 ? '' : 's'}\n`,
  )
  for (const p of peers) {
    const rtt = p.rtt === undefined ? 'rtt ?' : `rtt ${p.rtt.toFixed(1)} ms`
    context.stdout(`${p.peerId}  ${rtt}  up ${formatDuration(p.uptime)}  tags: ${p.tags.join(', ') || '-'}\n`)
    const short = (ids: string[]) => ids.map((x) => x.slice(0, 10)).join(', ')
    if (p.streams.length > 0) context.stdout(`  streams   ${short(p.streams)}\n`)
    if (p.groups.length > 0) context.stdout(`  groups    ${short(p.groups)}\n`)
    if (p.tickets > 0) context.stdout(`  tickets   ${p.tickets}\n`)
    for (const address of p.addresses) context.stdout(`  address   ${address}\n`)
  }
}

/** Waits for a first peer, then until the catalog has not changed for `settle` ms (all within `timeout`). */
async function gather(network: Network, timeout: number, settle: number): Promise<void> {
  const deadline = Date.now() + timeout
  await network.discovery.when((c) => c.size > 0, { timeout })
  while (Date.now() < deadline) {
    try {
      await network.discovery.watch.changed({ timeout: Math.min(settle, deadline - Date.now()) })
    } catch (err) {
      if (err instanceof TimeoutError) return
      throw err
    }
  }
}

/** Pings every peer once (a few at a time) so the listing shows round-trip times. */
async function measure(network: Network): Promise<void> {
  const peers = network.discovery.catalog.peers().map((p) => p.peerId)
  await Promise.all(peers.map((peer) => network.discovery.ping(peer).catch(() => undefined)))
}

async function run(context: CliContext, flags: InspectFlags): Promise<void> {
  const { name, options } = joinOptions(flags)
  const timeout = Number(flags.timeout) * 1000
  const settle = Number(flags.settle) * 1000
  if (!(timeout > 0) || !(settle >= 0)) throw new ConfigError('--timeout and --settle take seconds')
  const network = await Network.create(name, { ...options, observer: true })
  try {
    await gather(network, timeout, settle)
    await measure(network)
    const print = (): void => {
      const peers = view(network, network.discovery.catalog)
      if (flags.json) {
        const document = { network: { name, id: network.networkId.hex }, at: new Date().toISOString(), peers }
        context.stdout(`${JSON.stringify(document, null, flags.watch ? undefined : 2)}\n`)
      } else {
        printText(context, name, network, peers)
      }
    }
    print()
    if (!flags.watch) return
    const unsubscribe = network.discovery.watch.subscribe(() => print())
    await untilAborted(context.signal)
    unsubscribe()
  } finally {
    await network.close()
  }
}

export const inspectCommand: CommandFactory = (context) =>
  withJoinOptions(
    new Command('inspect')
      .description('join as a silent observer and print the peers, their tags, streams and groups')
      .option('--json', 'print JSON (one document per line with --watch)')
      .option('--watch', 'keep printing on every catalog change until interrupted')
      .option('--timeout <seconds>', 'how long to wait for a first peer', '10')
      .option('--settle <seconds>', 'print once the catalog has not changed for this long', '0.5'),
  ).action((flags: InspectFlags) => run(context, flags))
