/**
 * Keeps the examples honest in CI: their committed generated code is what `mosaik generate` makes
 * from their schemas today, and they type-check under the project's strict flags (the root
 * `tsconfig.json` does not include `examples/`, so this is where they are checked).
 */
import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const examples = readdirSync(import.meta.dirname, { withFileTypes: true })
  .filter(
    (entry) =>
      entry.isDirectory() &&
      readdirSync(path.join(import.meta.dirname, entry.name)).includes('mosaik.config.ts'),
  )
  .map((entry) => entry.name)
  .sort()

describe('examples', () => {
  it('are all found', () => {
    expect(examples).toEqual(expect.arrayContaining(['bootstrap', 'group-chat', 'orderbook', 'rate-limiter']))
  })

  it.each(examples)('%s: committed generated code is fresh (mosaik generate --check)', async (name) => {
    const config = path.join('examples', name, 'mosaik.config.ts')
    const result = await run(
      process.execPath,
      ['--conditions=mosaik-source', 'generator/cli.ts', 'generate', '--check', '--config', config],
      { cwd: root },
    ).catch((err: { code?: number; stdout?: string; stderr?: string }) => err)
    expect(result.stderr ?? '', `run \`npm run mosaik -- generate --config ${config}\``).toBe('')
    expect(result.stdout).toContain('files up to date')
  })

  it('type-check under the strict flags', async () => {
    const tsc = path.join(root, 'node_modules', '.bin', 'tsc')
    const result = await run(tsc, ['-p', 'examples/tsconfig.json', '--noEmit'], { cwd: root }).catch(
      (err: { stdout?: string }) => err,
    )
    expect(result.stdout ?? '').toBe('')
  })
})
