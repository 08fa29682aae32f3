import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { IMPORTS, mosaik, ORDERS, projectsRemovedAfterEach } from './harness.ts'

const project = projectsRemovedAfterEach()

/** Exit code 2 and a located message (every fragment present), never a stack trace. */
async function expectInputError(args: string[], dir: string, fragments: (string | RegExp)[]): Promise<void> {
  const { code, stderr } = await mosaik(args, dir)
  for (const fragment of fragments) expect(stderr).toMatch(fragment)
  expect(stderr).toMatch(/hint: /)
  expect(stderr).not.toMatch(/^\s+at /m)
  expect(code).toBe(2)
}

describe('bad input is a located error with a hint and exit code 2', () => {
  it('a syntax error in a schema module', async () => {
    const dir = project({
      'schemas/orders.ts': `${IMPORTS}\nexport const Order = Type.Object({ id: Type.String( })\n`,
    })
    await expectInputError(['generate'], dir, ['schemas/orders.ts', /syntax error: line 4, column \d+/])
  })

  it('an export that is not a declaration', async () => {
    const dir = project({ 'schemas/orders.ts': `${ORDERS}export const limit = 42\n` })
    await expectInputError(['generate'], dir, [
      "schemas/orders.ts: export 'limit'",
      /neither a declaration nor/,
    ])
  })

  it('a declaration spec not wrapped in define*()', async () => {
    const dir = project({
      'schemas/orders.ts': `${IMPORTS}\nexport const fills = { name: 'fills', datum: Type.String() }\n`,
    })
    await expectInputError(['generate'], dir, ["export 'fills'", /wrap it in defineStream/])
  })

  it('duplicate declaration names', async () => {
    const dir = project({
      'schemas/a.ts': `${IMPORTS}\nexport const orders = defineStream({ name: 'orders', datum: Type.String() })\n`,
      'schemas/b.ts': `${IMPORTS}\nexport const orders2 = defineStream({ name: 'orders', datum: Type.Integer() })\n`,
    })
    await expectInputError(['generate'], dir, [
      "schemas/b.ts: export 'orders2'",
      /duplicate declaration name 'orders' \(also schemas\/a.ts, export 'orders'\)/,
    ])
  })

  it('an unsupported schema kind (a function)', async () => {
    const dir = project({
      'schemas/orders.ts': `${IMPORTS}\nexport const orders = defineStream({ name: 'orders', datum: Type.Object({ f: Type.Function([], Type.Null()) }) })\n`,
    })
    await expectInputError(['generate'], dir, [
      "export 'orders'",
      'at /datum/properties/f',
      /type 'function'/,
    ])
  })

  it('an unsupported schema kind (a recursive type)', async () => {
    const dir = project({
      'schemas/tree.ts': `${IMPORTS}\nexport const Node = Type.Cyclic({ Node: Type.Object({ kids: Type.Array(Type.Ref('Node')) }) }, 'Node')\n`,
    })
    await expectInputError(['generate'], dir, ["schemas/tree.ts: export 'Node'", /recursive types/])
  })

  it('a missing config file', async () => {
    const dir = project({ 'schemas/orders.ts': ORDERS })
    await expectInputError(['generate', '--config', 'nope.config.ts'], dir, [
      'nope.config.ts',
      /config file not found/,
    ])
  })

  it('an invalid config', async () => {
    const dir = project({ 'schemas/orders.ts': ORDERS, 'mosaik.config.ts': 'export default { out: 42 }\n' })
    await expectInputError(['generate'], dir, ['mosaik.config.ts', 'at /out', /invalid config/])
  })

  it('a config with an unknown field', async () => {
    const dir = project({
      'schemas/orders.ts': ORDERS,
      'mosaik.config.ts': "export default { output: 'x' }\n",
    })
    await expectInputError(['generate'], dir, ['mosaik.config.ts', /invalid config/])
  })

  it('no schema modules', async () => {
    const dir = project({ 'src/index.ts': 'export {}\n' })
    await expectInputError(['generate'], dir, [/no schema modules match schemas\/\*\*\/\*\.ts/])
  })

  it('a corrupt lock file (not JSON)', async () => {
    const dir = project({ 'schemas/orders.ts': ORDERS, 'mosaik.lock.json': '{ "lockfileVersion": 1, ' })
    await expectInputError(['check'], dir, ['mosaik.lock.json', /corrupt lock file: not valid JSON/])
  })

  it('a corrupt lock file (a signature that does not match its schema)', async () => {
    const dir = project({ 'schemas/orders.ts': ORDERS })
    expect((await mosaik(['generate'], dir)).code).toBe(0)
    const lock = path.join(dir, 'mosaik.lock.json')
    writeFileSync(lock, readFileSync(lock, 'utf8').replace('"type": "integer"', '"type": "number"'))
    await expectInputError(['check'], dir, [
      'mosaik.lock.json',
      'at /declarations/balances',
      /signature does not match/,
    ])
  })

  it('a git ref that does not exist', async () => {
    const dir = project({ 'schemas/orders.ts': ORDERS })
    await expectInputError(['check', '--against', 'no-such-branch'], dir, [
      /'no-such-branch' is neither a lock file nor a git ref/,
    ])
  })

  it('a generated name that clashes with an exported schema', async () => {
    const dir = project({
      'schemas/orders.ts': `${IMPORTS}\nexport const OrdersDatum = Type.String()\nexport const orders = defineStream({ name: 'orders', datum: Type.Object({ id: Type.String() }) })\n`,
    })
    await expectInputError(['generate'], dir, [/generated name 'OrdersDatum'/])
  })

  it('an unknown option', async () => {
    const { code, stderr } = await mosaik(['generate', '--frobnicate'], project({}))
    expect(stderr).toMatch(/unknown option '--frobnicate'/)
    expect(code).toBe(2)
  })
})
