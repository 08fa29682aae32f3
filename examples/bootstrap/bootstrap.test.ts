/**
 * The bootstrap example as separate processes: a beacon with a fixed secret, and two clients that
 * know only the beacon's address. Each client must learn the other through the beacon, and every
 * process must leave cleanly on SIGTERM.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Message, nodeSpec, ProcessSet } from '../../test/fault/harness/index.ts'

const LOOPBACK = ['--host', '127.0.0.1', '--dht', 'off', '--json']

interface Ready extends Message {
  type: 'ready'
  peerId: string
  addresses: string[]
}

const isReady = (m: Message): m is Ready => m.type === 'ready'
const discovered = (peerId: string) => (m: Message) => m.type === 'peer-discovered' && m.peerId === peerId

describe('examples/bootstrap', () => {
  const processes = new ProcessSet()
  afterEach(() => processes.close())

  it('clients that know only the beacon find each other through it, and all leave cleanly', async () => {
    const network = `bootstrap-e2e-${process.pid}-${Date.now()}`
    const beacon = processes.spawn(
      nodeSpec('examples/bootstrap/src/beacon.ts', [
        '--network',
        network,
        '--secret',
        'e2e beacon',
        '--port',
        '0',
        ...LOOPBACK,
      ]),
    )
    const beaconReady = await beacon.waitFor(isReady)
    expect(beaconReady.addresses.every((a) => a.startsWith('/ip4/127.0.0.1/'))).toBe(true)

    const client = () =>
      processes.spawn(
        nodeSpec('examples/bootstrap/src/client.ts', [
          '--network',
          network,
          '--beacon',
          beaconReady.addresses[0] as string,
          ...LOOPBACK,
        ]),
      )
    const [a, b] = [client(), client()]
    const [readyA, readyB] = await Promise.all([a.waitFor(isReady), b.waitFor(isReady)])
    await Promise.all([
      a.waitFor(discovered(readyB.peerId)),
      b.waitFor(discovered(readyA.peerId)),
      a.waitFor(discovered(beaconReady.peerId)),
      beacon.waitFor(discovered(readyA.peerId)),
      beacon.waitFor(discovered(readyB.peerId)),
    ])

    expect((await a.stop()).code).toBe(0)
    await beacon.waitFor((m) => m.type === 'peer-departed' && m.peerId === readyA.peerId)
    expect((await b.stop()).code).toBe(0)
    expect((await beacon.stop()).code).toBe(0)
  })
})
