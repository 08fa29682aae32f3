/**
 * The raw libp2p stream the benchmark sets beside mosaik: the same libp2p node configuration as
 * the runtime (QUIC first, TCP fallback), one stream, 4-byte length-prefixed msgpack frames, 64
 * frames per `send()`, strict back-pressure on the `drain` event — the transport's ceiling for
 * this datum, as in peer-baselines.md.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, Stream } from '@libp2p/interface'
import { createNode } from '../../runtime/network/node.ts'
import { id } from '../../runtime/primitives/digest.ts'
import { encodeFrame } from '../../runtime/primitives/framing.ts'
import { listenOn, rawTransport } from './nodes.ts'
import type { NodeSettings } from './protocol.ts'

export const RAW_PROTOCOL = '/mosaik-bench/raw/1'
/** Frames per `send()`. */
export const FRAMES_PER_SEND = 64

export async function rawNode(settings: NodeSettings): Promise<Libp2p> {
  return createNode({
    privateKey: await generateKeyPair('Ed25519'),
    listen: listenOn(rawTransport(settings.transport)),
    networkId: id('bench-streams-raw'),
    mdns: false,
    limits: {},
  })
}

/** Length-prefixed frames of `payloads`, concatenated for one `send()`. */
export function frames(payloads: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(payloads.map((p) => encodeFrame(p)))
}

/** Sends `data`, then waits for the `drain` event if the stream asked for it (strict back-pressure). */
export async function sendStrict(stream: Stream, data: Uint8Array): Promise<void> {
  if (stream.send(data)) return
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.removeEventListener('drain', done)
      stream.removeEventListener('close', done)
      if (stream.status === 'open') resolve()
      else reject(new Error('stream closed while waiting to drain'))
    }
    stream.addEventListener('drain', done)
    stream.addEventListener('close', done)
  })
}
