import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Finding } from '../../../generator/compat/compare.ts'
import { RULES } from '../../../generator/compat/rules.ts'
import { idsOf } from '../../../runtime/codegen/ids.ts'
import { mosaik, ORDERS, projectsRemovedAfterEach } from './harness.ts'

const project = projectsRemovedAfterEach()

async function generated(files: Record<string, string>): Promise<string> {
  const dir = project(files)
  expect((await mosaik(['generate'], dir)).code).toBe(0)
  return dir
}

const CHANGED = ORDERS.replace(
  'value: Type.Integer() })',
  "value: Type.String() })\nexport const audit = defineStream({ name: 'audit', datum: Type.String() })",
)

describe('mosaik check', () => {
  it('reports nothing and exits 0 when the declarations match the lock file', async () => {
    const dir = await generated({ 'schemas/orders.ts': ORDERS })
    const { code, stdout } = await mosaik(['check'], dir)
    expect(stdout).toBe('mosaik check: no changes against mosaik.lock.json\n')
    expect(code).toBe(0)
  })

  it('exits 0 when every finding is a note', async () => {
    const dir = await generated({ 'schemas/orders.ts': ORDERS })
    writeFileSync(
      path.join(dir, 'schemas/orders.ts'),
      `${ORDERS}export const audit = defineStream({ name: 'audit', datum: Type.String() })\n`,
    )
    const { code, stdout } = await mosaik(['check'], dir)
    expect(stdout).toMatch(/^note SOURCE DECLARATION_ADDED audit: stream `audit` added/m)
    expect(code).toBe(0)
  })

  it('explains breaking changes in text, json and github formats, exiting 1', async () => {
    const dir = await generated({ 'schemas/orders.ts': ORDERS })
    writeFileSync(path.join(dir, 'schemas/orders.ts'), CHANGED)

    const text = await mosaik(['check'], dir)
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(
      /^BREAKING WIRE FIELD_TYPE_CHANGED balances\/value: type changed integer → string/m,
    )
    expect(text.stdout).toMatch(
      /reason: map `balances`: \/value type changed integer → string, so its StoreId changes on every network/,
    )

    const json = await mosaik(['check', '--format', 'json'], dir)
    expect(json.code).toBe(1)
    const report = JSON.parse(json.stdout) as {
      summary: { breaking: number; notes: number }
      findings: Finding[]
    }
    expect(report.summary).toEqual({ breaking: 2, notes: 1 })
    expect(report.findings.map((f) => [f.rule, f.category, f.declaration, f.path])).toEqual([
      ['DECLARATION_ADDED', 'SOURCE', 'audit', ''],
      ['FIELD_TYPE_CHANGED', 'WIRE', 'balances', '/value'],
      ['STORE_ID_CHANGED', 'IDENTITY', 'balances', ''],
    ])

    const github = await mosaik(['check', '--format', 'github'], dir)
    expect(github.code).toBe(1)
    expect(github.stdout).toMatch(
      /^::error file=schemas\/orders\.ts,title=mosaik FIELD_TYPE_CHANGED \(WIRE\)::balances\/value: type changed/m,
    )
    expect(github.stdout).toMatch(/^::notice file=schemas\/orders\.ts,title=mosaik DECLARATION_ADDED/m)
  })

  it('compares against the lock file committed at a git ref', async () => {
    const dir = await generated({ 'schemas/orders.ts': ORDERS })
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: dir,
        encoding: 'utf8',
      })
    git('init', '-q', '-b', 'main')
    git('add', '.')
    git('commit', '-q', '-m', 'baseline')
    writeFileSync(path.join(dir, 'schemas/orders.ts'), CHANGED)
    expect((await mosaik(['generate'], dir)).code).toBe(0)

    expect((await mosaik(['check'], dir)).code).toBe(0)
    const { code, stdout } = await mosaik(['check', '--against', 'main'], dir)
    expect(stdout).toMatch(/STORE_ID_CHANGED balances/)
    expect(stdout).toMatch(/against main:mosaik\.lock\.json/)
    expect(code).toBe(1)
  })
})

describe('mosaik ids and rules', () => {
  it('ids prints signatures and, for a network, the run-time ids', async () => {
    const dir = await generated({ 'schemas/orders.ts': ORDERS })
    const { code, stdout } = await mosaik(['ids', '--network', 'test-net', '--format', 'json'], dir)
    expect(code).toBe(0)
    const out = JSON.parse(stdout) as {
      network: { name: string; id: string }
      declarations: {
        name: string
        typeSignature?: string
        groupId?: string
        storeId?: string
        streamId?: string
      }[]
    }
    expect(out.network.name).toBe('test-net')
    const balances = out.declarations.find((d) => d.name === 'balances')
    const lock = JSON.parse(readFileSync(path.join(dir, 'mosaik.lock.json'), 'utf8'))
    const ids = idsOf(lock.declarations.balances, 'test-net')
    expect(balances).toMatchObject({ groupId: ids.groupId.hex, storeId: ids.storeId.hex })
    expect(out.declarations.find((d) => d.name === 'orders')?.streamId).toMatch(/^[0-9a-f]{64}$/)

    const text = await mosaik(['ids'], dir)
    expect(text.stdout).toMatch(/^orders {2}\(stream, schemas\/orders\.ts#orders\)$/m)
  })

  it('rules lists every rule with its category and severity', async () => {
    const { code, stdout } = await mosaik(['rules', '--format', 'json'], '.')
    expect(code).toBe(0)
    const { rules } = JSON.parse(stdout) as { rules: { id: string; category: string }[] }
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id))
    expect(new Set(rules.map((r) => r.category))).toEqual(new Set(['IDENTITY', 'WIRE', 'SOURCE']))
    expect((await mosaik(['rules'], '.')).stdout).toMatch(/^STORE_ID_CHANGED +IDENTITY +breaking/m)
  })
})
