/**
 * How the bootstrap example's programs talk to a person or a script: one event per line, either
 * readable text or JSON (`--json`), and the catalog changes worth announcing.
 */
import type { Network } from 'mosaik'

/** Prints one event: `type` plus fields. */
export type Print = (type: string, fields?: Record<string, unknown>) => void

/** A printer writing JSON lines (`{"type":…}`) or `type key=value …` text to stdout. */
export function printer(json: boolean): Print {
  return (type, fields = {}) => {
    if (json) {
      console.log(JSON.stringify({ type, ...fields }))
      return
    }
    const text = Object.entries(fields)
      .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
      .join(' ')
    console.log(`${type}${text ? ` ${text}` : ''}`)
  }
}

/** Prints every peer that enters or leaves the catalog; returns the function that stops it. */
export function announcePeers(network: Network, print: Print): () => void {
  return network.discovery.subscribe((event) => {
    const peers = network.discovery.catalog.size
    if (event.type === 'discovered') {
      print('peer-discovered', { peerId: event.entry.peerId, tags: event.entry.tags, peers })
    } else if (event.type === 'departed') {
      print('peer-departed', { peerId: event.peerId, reason: event.reason, peers })
    }
  })
}
