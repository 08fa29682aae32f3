import { execFile } from 'node:child_process'
import { cpSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { generateCommand } from '../../generator/commands/generate.ts'
import { runCli } from '../../generator/run.ts'
import { goldenCases, REPO, tempProject } from './cases.ts'

async function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = ''
  const write = (text: string): void => {
    out += text
  }
  const code = await runCli(args, [generateCommand], { cwd, stdout: write, stderr: write })
  return { code, out }
}

describe.each(goldenCases().map((dir) => [path.basename(dir), dir]))('golden case %s', (_name, dir) => {
  it("passes Biome's recommended lint rules, as in a user's project", async () => {
    const project = tempProject({ 'biome.json': '{}\n' })
    try {
      cpSync(path.join(dir, 'generated'), path.join(project.dir, 'generated'), { recursive: true })
      const biome = path.join(REPO, 'node_modules/.bin/biome')
      const lint = promisify(execFile)(biome, ['lint', 'generated'], { cwd: project.dir, encoding: 'utf8' })
      await expect(lint).resolves.toBeDefined()
    } finally {
      project.remove()
    }
  })

  it('generated/ matches `mosaik generate` byte for byte (update: npm run golden:update)', async () => {
    const { code, out } = await run(['generate', '--check'], dir)
    expect(out, out).toMatch(/files up to date/)
    expect(code).toBe(0)
  })

  const copies = [tempProject({}, dir), tempProject({}, dir)]
  afterAll(() => {
    for (const copy of copies) copy.remove()
  })

  it('generates the same bytes in other directories, twice', async () => {
    for (const copy of copies) {
      expect((await run(['generate'], copy.dir)).code).toBe(0)
      expect((await run(['generate', '--check'], copy.dir)).code).toBe(0)
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'generated/.mosaik-manifest.json'), 'utf8')) as {
      files: string[]
    }
    for (const file of [...manifest.files, '.mosaik-manifest.json', 'mosaik.lock.json']) {
      const expected = readFileSync(path.join(dir, 'generated', file))
      for (const copy of copies)
        expect(readFileSync(path.join(copy.dir, 'generated', file)).equals(expected)).toBe(true)
    }
  })
})

describe('generated code', () => {
  it('runs under Node type stripping (erasable syntax only) and its descriptors verify at import', async () => {
    const index = path.join(
      goldenCases().find((d) => d.endsWith('all-kinds')) as string,
      'generated/index.ts',
    )
    const script = `const m = await import(${JSON.stringify(index)}); console.log(Object.keys(m).sort().join(','))`
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=mosaik-source', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    )
    expect(stdout.trim()).toBe('asks,genesis,history,ledger,owner,symbols,trades')
  })
})
