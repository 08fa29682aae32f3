/**
 * Four chat processes in one room (JSON mode, a private DHT on loopback): they see each other join,
 * exchange messages live, a late joiner reads the history, nickname changes and departures show up
 * for everyone, and each process exits 0.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { scaled } from '../../runtime/primitives/time.ts'
import { localDht } from '../../runtime/testing/local-dht.ts'
import { type ManagedProcess, type Message, nodeSpec, ProcessSet } from '../../test/fault/harness/index.ts'

const timeout = scaled(30_000)
const notice = (text: string) => (m: Message) => m.type === 'notice' && m.text === text
const said = (nickname: string, text: string) => (m: Message) =>
  m.type === 'message' && m.nickname === nickname && m.text === text

describe('examples/group-chat', () => {
  const processes = new ProcessSet()
  afterEach(() => processes.close())

  it('talks across processes, and a late joiner reads the history', async () => {
    await using dht = await localDht({ nodes: 4 })
    const room = `e2e-${process.pid}-${Date.now()}`
    const join = (nick: string): ManagedProcess =>
      processes.spawn(
        nodeSpec('examples/group-chat/src/chat.ts', [
          '--room',
          room,
          '--nick',
          nick,
          '--json',
          '--no-mdns',
          '--host',
          '127.0.0.1',
          '--dht',
          dht.bootstrap.join(','),
        ]),
      )
    const type = (chat: ManagedProcess, line: string): void => chat.send({ type: 'input', line })

    const [ann, bob, cy] = [join('ann'), join('bob'), join('cy')]
    await Promise.all([ann, bob, cy].map((c) => c.waitForType('ready', { timeout })))
    // Each one knows the others: present when it joined (its first `who`), or joined since.
    const knows = (chat: ManagedProcess, nickname: string) =>
      chat.waitFor(
        (m) =>
          notice(`${nickname} joined`)(m) ||
          (m.type === 'who' && (m.members as { nickname: string }[]).some((x) => x.nickname === nickname)),
        { timeout },
      )
    await Promise.all([
      knows(ann, 'bob'),
      knows(ann, 'cy'),
      knows(bob, 'ann'),
      knows(bob, 'cy'),
      knows(cy, 'ann'),
    ])

    type(ann, 'hello from ann')
    await Promise.all([bob, cy].map((c) => c.waitFor(said('ann', 'hello from ann'), { timeout })))
    type(bob, 'hi ann')
    await ann.waitFor(said('bob', 'hi ann'), { timeout })

    const dee = join('dee')
    await dee.waitFor(said('ann', 'hello from ann'), { timeout })
    await dee.waitFor(said('bob', 'hi ann'), { timeout })
    await knows(ann, 'dee')

    type(bob, '/nick bobby')
    await cy.waitFor(notice('bob is now bobby'), { timeout })
    type(ann, '/quit')
    expect((await ann.exited).code).toBe(0)
    await Promise.all([bob, cy, dee].map((c) => c.waitFor(notice('ann left'), { timeout })))
    // Each message was shown once, though it arrived both live and through the history.
    expect(cy.messages.filter(said('ann', 'hello from ann'))).toHaveLength(1)
    for (const chat of [bob, cy, dee]) expect((await chat.stop(scaled(10_000))).code).toBe(0)
  })
})
