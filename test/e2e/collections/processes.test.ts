/**
 * A typed program using the generated collection handles (`fixtures/ledger`: one declaration of
 * each kind) runs across three processes: a first writer, a second writer that joins later, and
 * a reader. All three end with the same state, the second writer loses the Once race, and the
 * reader never votes. The program also type-checks (it is part of `npm run typecheck`), including
 * `@ts-expect-error` lines proving that reader handles have no mutations.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { type Message, nodeSpec, ProcessSet } from '../../fault/harness/index.ts'

const NODE = 'test/e2e/collections/fixtures/ledger/node.ts'
const CONFIG = 'test/e2e/collections/fixtures/ledger/mosaik.config.ts'

interface Ready extends Message {
  type: 'ready'
  peerId: string
  addresses: string[]
}

describe('the ledger fixture', () => {
  it('runs the generated code of today (mosaik generate --check)', async () => {
    const result = await promisify(execFile)(process.execPath, [
      '--conditions=mosaik-source',
      'generator/cli.ts',
      'generate',
      '--check',
      '--config',
      CONFIG,
    ]).catch((err: { stdout?: string; stderr?: string }) => err)
    expect(result.stderr ?? '', `run \`npm run mosaik -- generate --config ${CONFIG}\``).toBe('')
    expect(result.stdout).toContain('files up to date')
  })
})

describe('generated collection handles across three processes', () => {
  const processes = new ProcessSet()
  afterEach(() => processes.close())

  it('two writers and a reader converge on every kind', async () => {
    const network = `ledger-e2e-${process.pid}-${Date.now()}`
    const spawn = (role: string, bootstrap: string[] = []) =>
      processes.spawn(
        nodeSpec(NODE, [
          '--network',
          network,
          '--role',
          role,
          ...bootstrap.flatMap((a) => ['--bootstrap', a]),
        ]),
      )
    const first = spawn('first')
    const ready = (await first.waitFor((m) => m.type === 'ready', { timeout: 20_000 })) as Ready
    const [address] = ready.addresses
    const second = spawn('second', [address as string])
    const reader = spawn('reader', [address as string])
    const wait = { timeout: 60_000 }
    expect(await first.waitFor((m) => m.type === 'genesis', wait)).toMatchObject({ applied: true })
    expect(await second.waitFor((m) => m.type === 'genesis', wait)).toMatchObject({ applied: false })
    expect(await second.waitFor((m) => m.type === 'cas', wait)).toMatchObject({ applied: true })
    const summaries = await Promise.all(
      [first, second, reader].map((p) => p.waitFor((m) => m.type === 'summary', wait)),
    )
    const [expected] = summaries
    expect(expected).toEqual({
      type: 'summary',
      balances: [
        ['alice', { owner: 'alice', balance: 10 }],
        ['bob', { owner: 'bob', balance: 5 }],
        ['carol', { owner: 'carol', balance: 0 }],
      ],
      journal: ['open', 'second'],
      auditors: ['ann', 'bea'],
      head: 2,
      genesis: 'first',
      queue: [
        [2, 'k2', 'y'],
        [3, 'k3', 'y'],
        [4, 'k4', 'y'],
        [5, 'k5', 'y'],
      ],
    })
    for (const summary of summaries) expect(summary).toEqual(expected)
    const readerId = ((await reader.waitFor((m) => m.type === 'ready')) as Ready).peerId
    for (const p of [first, second, reader]) {
      const { voters } = (await p.waitFor((m) => m.type === 'voters', wait)) as Message & { voters: string[] }
      expect(voters.length).toBeGreaterThanOrEqual(6)
      expect(voters).not.toContain(readerId)
    }
    for (const p of [reader, second, first]) expect((await p.stop()).code).toBe(0)
  }, 120_000)
})
