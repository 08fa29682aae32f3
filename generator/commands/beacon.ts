/**
 * `mosaik beacon`: runs a bootstrap node until interrupted — a stable PeerId (from `--secret`) on
 * a known port, so other nodes can list it in their `bootstrap` option; it also takes a DHT slot.
 */
import { Command } from 'commander'
import { Network } from '../../runtime/network/network.ts'
import type { CliContext, CommandFactory } from '../context.ts'
import { type JoinFlags, joinOptions, untilAborted, withJoinOptions } from './join.ts'

interface BeaconFlags extends JoinFlags {
  secret?: string
  tags: string[]
  metrics?: string
  json?: boolean
}

async function run(context: CliContext, flags: BeaconFlags): Promise<void> {
  const { name, options } = joinOptions(flags)
  const secret = flags.secret ?? process.env.MOSAIK_SECRET
  if (!secret) context.stderr('mosaik beacon: no --secret given; this run gets a random PeerId\n')
  const network = await Network.create(name, {
    ...options,
    tags: flags.tags,
    ...(secret ? { secretKey: secret } : {}),
    ...(flags.metrics ? { metrics: flags.metrics } : {}),
  })
  try {
    const info = {
      peerId: network.peerId,
      network: { name, id: network.networkId.hex },
      tags: network.discovery.local.tags,
      addresses: network.addresses,
      ...(network.metricsAddress ? { metrics: network.metricsAddress } : {}),
    }
    if (flags.json) {
      context.stdout(`${JSON.stringify(info)}\n`)
    } else {
      context.stdout(`peer     ${info.peerId}\nnetwork  ${name}  ${info.network.id}\n`)
      context.stdout(`tags     ${info.tags.join(', ') || '-'}\n`)
      for (const address of info.addresses) context.stdout(`address  ${address}\n`)
      if (info.metrics) context.stdout(`metrics  http://${info.metrics}/metrics\n`)
      context.stdout('beacon running; Ctrl-C to stop\n')
    }
    await untilAborted(context.signal)
  } finally {
    await network.close()
  }
}

export const beaconCommand: CommandFactory = (context) =>
  withJoinOptions(
    new Command('beacon')
      .description('run a bootstrap node until interrupted')
      .option(
        '-s, --secret <secret>',
        'node key: 64 hex chars or a seed phrase (stable PeerId); env MOSAIK_SECRET',
      )
      .option('-t, --tags <tag...>', 'tags of this node', ['beacon'])
      .option('--metrics <host:port>', 'serve Prometheus metrics here')
      .option('--json', 'print the node info as one JSON line'),
  ).action((flags: BeaconFlags) => run(context, flags))
