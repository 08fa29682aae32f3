/**
 * Options shared by the commands that join a network (`beacon`, `dht`, `inspect`): which network,
 * where to listen, and how to find peers (explicit peers, the Mainline DHT, mDNS).
 */
import { type Command, Option } from 'commander'
import type { NetworkOptions } from '../../runtime/network/options.ts'
import { ConfigError } from '../../runtime/primitives/errors.ts'

export interface JoinFlags {
  network?: string
  peers?: string[]
  dhtBootstrap?: string[]
  /** False with `--no-dht`. */
  dht: boolean
  mdns?: boolean
  host: string
  port: string
  profile: 'default' | 'fast'
}

/** Adds the join options to `command`. */
export function withJoinOptions(command: Command, defaults: { port?: string } = {}): Command {
  return command
    .option('-n, --network <name>', 'network name (or 64-hex network id); env MOSAIK_NETWORK')
    .option('-p, --peers <multiaddr...>', 'known peers to sync with (…/p2p/<peer id>)')
    .option('--dht-bootstrap <host:port...>', 'use a private Mainline DHT through these routers')
    .option('--no-dht', 'do not use the Mainline DHT')
    .option('--mdns', 'find peers on the local network by mDNS')
    .option('--host <ip>', 'IPv4 address to listen on', '0.0.0.0')
    .option('--port <port>', 'port for QUIC (UDP) and TCP; 0 picks one', defaults.port ?? '0')
    .addOption(
      new Option('--profile <profile>', 'timing profile').choices(['default', 'fast']).default('default'),
    )
}

/** The network name and `Network.create` options the flags describe. */
export function joinOptions(flags: JoinFlags): { name: string; options: NetworkOptions } {
  const name = flags.network ?? process.env.MOSAIK_NETWORK
  if (!name) throw new ConfigError('which network? pass --network <name> (or set MOSAIK_NETWORK)')
  const port = Number(flags.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--port: not a port: '${flags.port}'`)
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(flags.host))
    throw new ConfigError(`--host: not an IPv4 address: '${flags.host}'`)
  const options: NetworkOptions = {
    listen: [`/ip4/${flags.host}/udp/${port}/quic-v1`, `/ip4/${flags.host}/tcp/${port}`],
    bootstrap: flags.peers ?? [],
    dht: !flags.dht ? false : flags.dhtBootstrap ? { bootstrap: flags.dhtBootstrap } : true,
    mdns: flags.mdns ?? false,
    profile: flags.profile,
  }
  return { name, options }
}

/** Resolves when `signal` aborts (Ctrl-C for long-running commands). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}

/** `1h02m`, `3m05s`, `42s` — for uptimes and ages. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
