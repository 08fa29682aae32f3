/**
 * Request/response exchanges of discovery: the full bidirectional catalog sync and the ping.
 */
import type { PeerId } from '../network/identity.ts'
import type { Link } from '../network/link.ts'
import type { Network } from '../network/network.ts'
import { TimeoutError } from '../primitives/errors.ts'
import type { Catalog } from './catalog.ts'
import type { DiscoveryConfig } from './config.ts'
import { PING_PROTOCOL, parsePing, parseSync, SYNC_CHUNK, SYNC_PROTOCOL } from './protocol.ts'
import { type Envelope, reject } from './signed.ts'

/** What the exchanges need from discovery. */
export interface ExchangeHost {
  readonly network: Network
  readonly config: DiscoveryConfig
  catalog(): Catalog
  /** What this node sends in a catalog sync: every verified entry (without its own for an observer). */
  shared(catalog: Catalog): Envelope[]
  localEnvelope(): Envelope
  /** Verifies and merges untrusted entries received from `from`; refusals are counted, not thrown. */
  ingest(envelopes: readonly unknown[], from: PeerId): void
  /** A catalog exchange with `peer` starts (`ok` undefined) or ends; a peer being synced needs no other sync. */
  syncing(peer: PeerId, ok?: boolean): void
}

const LINK_OPTIONS = { maxFrameSize: 8 * 1024 * 1024 }

/** Sends the shared entries of `catalog` as chunks, then `end`. */
async function sendCatalog(link: Link, host: ExchangeHost, catalog: Catalog): Promise<void> {
  const envelopes = host.shared(catalog)
  for (let i = 0; i < envelopes.length; i += SYNC_CHUNK) {
    await link.send({ t: 'entries', e: envelopes.slice(i, i + SYNC_CHUNK) })
  }
  await link.send({ t: 'end' })
}

/** Reads chunks until `end`, handing each to `ingest`; refuses more than `maxEntries` in total. */
async function receiveCatalog(link: Link, host: ExchangeHost): Promise<void> {
  const maxEntries = host.config.maxPeers + 1
  let count = 0
  while (true) {
    const message = parseSync(await link.receive())
    if (message.t === 'end') return
    count += message.e.length
    if (count > maxEntries)
      throw reject('oversized', `catalog from ${link.peer} exceeds ${maxEntries} entries`)
    host.ingest(message.e, link.peer)
  }
}

/** Starts answering catalog syncs and pings. */
export async function serveExchanges(host: ExchangeHost): Promise<(() => Promise<void>)[]> {
  const options = { link: LINK_OPTIONS }
  return [
    await host.network.handle(
      SYNC_PROTOCOL,
      async (link) => {
        const snapshot = host.catalog()
        host.syncing(link.peer)
        try {
          await receiveCatalog(link, host)
          await sendCatalog(link, host, snapshot)
          await link.close()
          host.syncing(link.peer, true)
        } catch (err) {
          host.syncing(link.peer, false)
          throw err
        }
      },
      options,
    ),
    await host.network.handle(
      PING_PROTOCOL,
      async (link) => {
        parsePing(await link.receive({ timeout: host.config.requestTimeout }))
        await link.send({ t: 'pong', e: host.localEnvelope() })
        await link.close()
      },
      options,
    ),
  ]
}

/**
 * Full bidirectional catalog sync with `target` (a PeerId or a multiaddr): sends this node's
 * catalog, merges the reply. Returns the remote PeerId.
 */
export async function syncWith(host: ExchangeHost, target: string): Promise<PeerId> {
  const timeout = host.config.requestTimeout
  const link = await host.network.connect(target, SYNC_PROTOCOL, { timeout, link: LINK_OPTIONS })
  const timer = setTimeout(
    () => link.abort(new TimeoutError(`catalog sync with ${link.peer} timed out`)),
    timeout,
  )
  try {
    await sendCatalog(link, host, host.catalog())
    await receiveCatalog(link, host)
    await link.close()
    return link.peer
  } catch (err) {
    link.abort(err instanceof Error ? err : undefined)
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Pings `target`; resolves with the round-trip time (ms, from sending the ping to receiving the
 * reply) and the responder's PeerId. The reply's entry is merged like any other.
 */
export async function ping(host: ExchangeHost, target: string): Promise<{ peer: PeerId; rtt: number }> {
  const timeout = host.config.requestTimeout
  const link = await host.network.connect(target, PING_PROTOCOL, { timeout, link: LINK_OPTIONS })
  try {
    const sent = performance.now()
    await link.send({ t: 'ping' })
    const reply = parsePing(await link.receive({ timeout }))
    const rtt = performance.now() - sent
    if (reply.t !== 'pong') throw reject('malformed', 'expected a pong')
    host.ingest([reply.e], link.peer)
    await link.close()
    return { peer: link.peer, rtt }
  } catch (err) {
    link.abort(err instanceof Error ? err : undefined)
    throw err
  }
}
