/**
 * Write coalescing for connections over a TCP socket.
 *
 * libp2p-noise hands each encrypted message to the socket as two writes (its 2-byte length, then
 * the ciphertext). With Nagle off each leaves as its own segment: a frame costs two syscalls, and
 * the receiver often wakes once for the two bytes alone and again for the rest (measured: a third
 * of data events were 2 bytes). Corking the socket while a link hands over a batch makes them one
 * writev. The socket is reached through libp2p's connection object, which does not type it, so
 * this is feature-detected: QUIC connections, or a libp2p that stops exposing the socket, get none
 * (test/unit/network/write-coalescing.test.ts notices the latter).
 */

import { Socket } from 'node:net'
import type { Connection } from '@libp2p/interface'
import type { WriteCoalescing } from './link.ts'

/** Cork/uncork of the TCP socket under `connection`, or undefined when it has none. */
export function coalescedWrites(connection: Connection): WriteCoalescing | undefined {
  const socket = (connection as { maConn?: { socket?: unknown } }).maConn?.socket
  if (!(socket instanceof Socket)) return undefined
  return { cork: () => socket.cork(), uncork: () => socket.uncork() }
}
