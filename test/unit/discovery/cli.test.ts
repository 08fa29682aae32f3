/**
 * `mosaik beacon`, `mosaik dht` and `mosaik inspect`, run in-process through runCli on loopback
 * with a local DHT swarm.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { beaconCommand } from '../../../generator/commands/beacon.ts'
import { dhtCommand } from '../../../generator/commands/dht.ts'
import { inspectCommand } from '../../../generator/commands/inspect.ts'
import { runCli } from '../../../generator/run.ts'
import { Network } from '../../../runtime/network/network.ts'
import { id } from '../../../runtime/primitives/digest.ts'
import { localDht, scaled, testNetworkOptions, uniqueNetworkName } from '../../../runtime/testing/index.ts'

const commands = [beaconCommand, dhtCommand, inspectCommand]
const LOCAL = ['--host', '127.0.0.1', '--profile', 'fast']
const cleanups: (() => Promise<unknown>)[] = []

interface Run {
  out: string[]
  err: string[]
  done: Promise<number>
  stop(): void
}

function mosaik(...argv: string[]): Run {
  const out: string[] = []
  const err: string[] = []
  const stop = new AbortController()
  const done = runCli(argv, commands, {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    signal: stop.signal,
  })
  return { out, err, done, stop: () => stop.abort() }
}

/** Starts a beacon and returns its printed info once it runs. */
async function beacon(name: string, ...extra: string[]) {
  const run = mosaik('beacon', '--network', name, '--secret', 'beacon-seed', '--json', ...LOCAL, ...extra)
  cleanups.push(async () => {
    run.stop()
    await run.done
  })
  await expect.poll(() => run.out.length, { timeout: scaled(10_000) }).toBeGreaterThan(0)
  return {
    run,
    info: JSON.parse(run.out[0] as string) as { peerId: string; addresses: string[]; tags: string[] },
  }
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('mosaik beacon / inspect / dht', () => {
  it('beacon runs a bootstrap node with a stable id until interrupted', async () => {
    const name = uniqueNetworkName()
    const { run, info } = await beacon(name, '--no-dht')
    expect(info.tags).toEqual(['beacon'])
    const node = await Network.create(name, testNetworkOptions({ bootstrap: info.addresses }))
    cleanups.push(() => node.close())
    await node.discovery.when((c) => c.get(info.peerId)?.tags.includes('beacon') ?? false, {
      timeout: scaled(5_000),
    })
    run.stop()
    expect(await run.done).toBe(0)
    // Same secret, same PeerId on the next run.
    const again = await beacon(name, '--no-dht')
    expect(again.info.peerId).toBe(info.peerId)
  })

  it('inspect lists peers with tags and streams, as an observer nobody sees', async () => {
    const name = uniqueNetworkName()
    const { info } = await beacon(name, '--no-dht')
    const producer = await Network.create(
      name,
      testNetworkOptions({ bootstrap: info.addresses, tags: ['producer'] }),
    )
    cleanups.push(() => producer.close())
    producer.discovery.addStreams(id('orders'))
    // The beacon holds the producer's latest entry before inspect asks it.
    await producer.discovery.syncWith(info.peerId)
    const run = mosaik(
      'inspect',
      '--network',
      name,
      '--peers',
      ...info.addresses,
      '--json',
      '--no-dht',
      ...LOCAL,
    )
    expect(await run.done).toBe(0)
    const document = JSON.parse(run.out.join('')) as {
      peers: { peerId: string; tags: string[]; streams: string[] }[]
    }
    const byId = new Map(document.peers.map((p) => [p.peerId, p]))
    expect(byId.get(info.peerId)?.tags).toEqual(['beacon'])
    expect(byId.get(producer.peerId)?.streams).toEqual([id('orders').hex])
    // The observer never entered anyone's catalog.
    expect(producer.discovery.catalog.peers().map((p) => p.peerId)).toEqual([info.peerId])
  })

  it('inspect --watch prints again on every change until interrupted', async () => {
    const name = uniqueNetworkName()
    const { info } = await beacon(name, '--no-dht')
    const node = await Network.create(name, testNetworkOptions({ bootstrap: info.addresses }))
    cleanups.push(() => node.close())
    await node.discovery.syncWith(info.peerId)
    const run = mosaik(
      'inspect',
      '-n',
      name,
      '-p',
      ...info.addresses,
      '--json',
      '--watch',
      '--no-dht',
      ...LOCAL,
    )
    await expect.poll(() => run.out.length, { timeout: scaled(10_000) }).toBeGreaterThan(0)
    node.discovery.addTags('late-tag')
    const tagged = () =>
      run.out.some((line) =>
        (JSON.parse(line) as { peers: { tags: string[] }[] }).peers.some((p) => p.tags.includes('late-tag')),
      )
    await expect.poll(tagged, { timeout: scaled(10_000) }).toBe(true)
    run.stop()
    expect(await run.done).toBe(0)
  })

  it('dht prints the slots and the health of each peer', async () => {
    await using dht = await localDht({ nodes: 6 })
    const name = uniqueNetworkName()
    const { info } = await beacon(name, '--dht-bootstrap', ...dht.bootstrap)
    let document: { slots: { peerId?: string; healthy?: boolean }[] } = { slots: [] }
    await expect
      .poll(
        async () => {
          const run = mosaik(
            'dht',
            '--network',
            name,
            '--dht-bootstrap',
            ...dht.bootstrap,
            '--json',
            '--timeout',
            '3',
            ...LOCAL,
          )
          expect(await run.done).toBe(0)
          document = JSON.parse(run.out.join(''))
          return document.slots.filter((s) => s.peerId === info.peerId).length
        },
        { timeout: scaled(15_000), interval: 200 },
      )
      .toBe(1)
    expect(document.slots).toHaveLength(16)
    expect(document.slots.find((s) => s.peerId === info.peerId)?.healthy).toBe(true)
  })

  it('fails with exit code 2 and a clear message on bad usage', async () => {
    const noNetwork = mosaik('inspect', '--no-dht')
    expect(await noNetwork.done).toBe(2)
    expect(noNetwork.err.join('')).toContain('--network')
    // The test setup sets MOSAIK_DHT=off, so the public DHT is unavailable to `mosaik dht`.
    const publicDht = mosaik('dht', '--network', 'x')
    expect(await publicDht.done).toBe(2)
    expect(publicDht.err.join('')).toContain('MOSAIK_DHT=off')
  })
})
