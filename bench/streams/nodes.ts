/** Node settings shared by the benchmark's sender and receiver processes. */
import type { NodeSettings } from './protocol.ts'

/** Listen addresses on loopback for the chosen transport. */
export function listenOn(transport: NodeSettings['transport']): string[] {
  return transport === 'tcp' ? ['/ip4/127.0.0.1/tcp/0'] : ['/ip4/127.0.0.1/udp/0/quic-v1']
}

/** Generous time for a process to start, connect or subscribe, in ms. */
export const SETUP_MS = 30_000
