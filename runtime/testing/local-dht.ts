/**
 * `localDht()`: a private Mainline DHT swarm on 127.0.0.1 for tests, so DHT bootstrap can be
 * exercised without ever contacting the public DHT. Plug its `bootstrap` list into a node's
 * `dht: { bootstrap }` option.
 *
 * ```ts
 * await using dht = await localDht()
 * const a = await Network.create('app', { dht: { bootstrap: dht.bootstrap } })
 * ```
 */
import DHT from 'bittorrent-dht'
import { verifyBep44 } from '../discovery/dht/slots.ts'

export interface LocalDht extends AsyncDisposable {
  /** `127.0.0.1:port` of every swarm node. */
  readonly bootstrap: string[]
  /** Stops every swarm node. */
  close(): Promise<void>
}

function startNode(bootstrap: string[] | false): Promise<DHT> {
  const dht = new DHT({ bootstrap, verify: verifyBep44 })
  dht.on('error', () => {})
  dht.on('warning', () => {})
  return new Promise((resolve) => {
    let pending = 2 // listening and ready
    const done = (): void => {
      if (--pending === 0) resolve(dht)
    }
    dht.once('ready', done)
    dht.listen(0, '127.0.0.1', done)
  })
}

/** Starts a swarm of `nodes` DHT nodes (default 8) on loopback, each bootstrapped from the first. */
export async function localDht(options: { nodes?: number } = {}): Promise<LocalDht> {
  const count = Math.max(1, options.nodes ?? 8)
  const first = await startNode(false)
  const seed = [`127.0.0.1:${first.address().port}`]
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startNode(seed)))
  const all = [first, ...rest]
  const close = async (): Promise<void> => {
    await Promise.all(all.map((dht) => new Promise<void>((resolve) => dht.destroy(() => resolve()))))
  }
  return {
    bootstrap: all.map((dht) => `127.0.0.1:${dht.address().port}`),
    close,
    [Symbol.asyncDispose]: close,
  }
}
