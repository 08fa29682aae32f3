/** Node settings shared by the benchmark's sender and receiver processes. */
import type { NodeSettings } from './protocol.ts'

const QUIC = '/ip4/127.0.0.1/udp/0/quic-v1'
const TCP = '/ip4/127.0.0.1/tcp/0'

/** Listen addresses on loopback for the chosen transport (a mosaik node takes both for `both`). */
export function listenOn(transport: NodeSettings['transport']): string[] {
  if (transport === 'both') return [QUIC, TCP]
  return transport === 'tcp' ? [TCP] : [QUIC]
}

/** The raw libp2p stream's one transport: the one mosaik's data moves over for `both`. */
export function rawTransport(transport: NodeSettings['transport']): 'quic' | 'tcp' {
  return transport === 'quic' ? 'quic' : 'tcp'
}

/** Generous time for a process to start, connect or subscribe, in ms. */
export const SETUP_MS = 30_000
