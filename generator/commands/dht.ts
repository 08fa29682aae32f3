/**
 * `mosaik dht`: prints the 16 Mainline DHT bootstrap slots of a network — which peer each names,
 * how old the record is — and, unless `--no-check-status`, pings each peer (as a silent observer)
 * and prints whether it is healthy, its round-trip time and uptime.
 */
import { Command } from 'commander'
import { DhtClient, type SlotState } from '../../runtime/discovery/dht/client.ts'
import { SLOT_COUNT, slotKeys } from '../../runtime/discovery/dht/slots.ts'
import { Network } from '../../runtime/network/network.ts'
import { resolveDht } from '../../runtime/network/options.ts'
import { id } from '../../runtime/primitives/digest.ts'
import { ConfigError } from '../../runtime/primitives/errors.ts'
import type { CliContext, CommandFactory } from '../context.ts'
import { formatDuration, type JoinFlags, joinOptions, withJoinOptions } from './join.ts'

interface DhtFlags extends JoinFlags {
  checkStatus: boolean
  timeout: string
  json?: boolean
}

interface SlotRow {
  slot: number
  peerId?: string
  age?: number
  addresses?: readonly string[]
  healthy?: boolean
  rtt?: number
  uptime?: number
  error?: string
}

/** Pings every named peer from a temporary observer node; fills in health, RTT and uptime. */
async function checkHealth(name: string, rows: SlotRow[], flags: DhtFlags, timeout: number): Promise<void> {
  const { options } = joinOptions(flags)
  const observer = await Network.create(name, {
    ...options,
    bootstrap: [],
    dht: false,
    observer: true,
    discovery: { requestTimeout: timeout, rttProbeInterval: 0 },
  })
  try {
    await Promise.all(
      rows.map(async (row) => {
        if (!row.peerId || !row.addresses) return
        const peer = row.peerId
        const addresses = row.addresses.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peer}`))
        await observer.addPeerAddresses(peer, addresses)
        try {
          row.rtt = await observer.discovery.ping(peer)
          row.healthy = true
          const started = observer.discovery.catalog.get(peer)?.version.start
          if (started !== undefined) row.uptime = Date.now() - started
        } catch (err) {
          row.healthy = false
          row.error = err instanceof Error ? err.message : String(err)
        }
      }),
    )
  } finally {
    await observer.close()
  }
}

function toRow(state: SlotState): SlotRow {
  if (!state.record) return { slot: state.index }
  const { peerId, addresses, at } = state.record
  return { slot: state.index, peerId, addresses, age: Date.now() - at }
}

function printText(context: CliContext, name: string, rows: readonly SlotRow[], checked: boolean): void {
  context.stdout(`network ${name}  ${id(name).hex}\n`)
  for (const row of rows) {
    if (!row.peerId) {
      context.stdout(`slot ${String(row.slot).padStart(2)}  empty\n`)
      continue
    }
    const health = !checked
      ? ''
      : row.healthy
        ? `  healthy  rtt ${row.rtt?.toFixed(1)} ms  up ${formatDuration(row.uptime ?? 0)}`
        : `  unhealthy (${row.error ?? 'no answer'})`
    context.stdout(
      `slot ${String(row.slot).padStart(2)}  ${row.peerId}  written ${formatDuration(row.age ?? 0)} ago${health}\n`,
    )
    for (const address of row.addresses ?? []) context.stdout(`         ${address}\n`)
  }
  const occupied = rows.filter((r) => r.peerId).length
  const healthy = rows.filter((r) => r.healthy).length
  context.stdout(`${occupied}/${SLOT_COUNT} slots occupied${checked ? `, ${healthy} healthy` : ''}\n`)
}

async function run(context: CliContext, flags: DhtFlags): Promise<void> {
  const { name, options } = joinOptions(flags)
  const timeout = Number(flags.timeout) * 1000
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new ConfigError(`--timeout: not a number of seconds: '${flags.timeout}'`)
  const dht = resolveDht(options.dht)
  if (dht === false) {
    throw new ConfigError(
      'the DHT is off (--no-dht, or MOSAIK_DHT=off for the public one); pass --dht-bootstrap <host:port>',
    )
  }
  const client = await DhtClient.start({ bootstrap: dht, host: flags.host, readyTimeout: timeout })
  let states: SlotState[]
  try {
    states = await Promise.all(slotKeys(id(name)).map((slot) => client.read(slot)))
  } finally {
    await client.close()
  }
  const rows = states.map(toRow)
  if (flags.checkStatus) await checkHealth(name, rows, flags, timeout)
  if (flags.json)
    context.stdout(`${JSON.stringify({ network: { name, id: id(name).hex }, slots: rows }, null, 2)}\n`)
  else printText(context, name, rows, flags.checkStatus)
}

export const dhtCommand: CommandFactory = (context) =>
  withJoinOptions(
    new Command('dht')
      .description("print a network's Mainline DHT bootstrap slots and the health of each peer")
      .option('--no-check-status', 'do not ping the peers named in the slots')
      .option('-t, --timeout <seconds>', 'time allowed for the DHT and for each ping', '10')
      .option('--json', 'print JSON'),
  ).action((flags: DhtFlags) => run(context, flags))
