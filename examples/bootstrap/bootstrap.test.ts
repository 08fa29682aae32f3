/**
 * The bootstrap example as separate processes: a beacon with a fixed secret, and two clients that
 * know only the beacon's address. Each client must learn the other through the beacon, and every
 * process must leave cleanly on SIGTERM.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { scaled } from '../../runtime/primitives/time.ts'
import { type Message, nodeSpec, ProcessSet } from '../../test/fault/harness/index.ts'

const LOOPBACK = ['--host', '127.0.0.1', '--dht', 'off', '--json']
/** Generous: node processes start slowly when the machine is busy. */
const wait = { timeout: scaled(30_000) }

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
        '--status-every',
        '200',
        ...LOOPBACK,
      ]),
    )
    const beaconReady = await beacon.waitFor(isReady, wait)
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
    const [readyA, readyB] = await Promise.all([a.waitFor(isReady, wait), b.waitFor(isReady, wait)])
    await Promise.all([
      a.waitFor(discovered(readyB.peerId), wait),
      b.waitFor(discovered(readyA.peerId), wait),
      a.waitFor(discovered(beaconReady.peerId), wait),
      beacon.waitFor(discovered(readyA.peerId), wait),
      beacon.waitFor(discovered(readyB.peerId), wait),
    ])

    // The clients follow the beacon's status reports on the `status` stream.
    const statusReport = await a.waitFor(
      (m) => m.type === 'beacon-status' && m.peerId === beaconReady.peerId,
      wait,
    )
    expect(statusReport.peers).toBeGreaterThanOrEqual(1)

    expect((await a.stop(scaled(10_000))).code).toBe(0)
    await beacon.waitFor((m) => m.type === 'peer-departed' && m.peerId === readyA.peerId, wait)
    expect((await b.stop(scaled(10_000))).code).toBe(0)
    expect((await beacon.stop(scaled(10_000))).code).toBe(0)
  })
})
