/**
 * The five-minute path, tried the way a new user would: pack the package, start a project in a
 * temporary folder outside the repository, install the tarball, declare a schema, run
 * `npx mosaik generate` and `npx mosaik check`, compile a program against the generated clients
 * under strict flags, and run it as three processes that stream greetings and replicate a map.
 *
 * The package is built into a staging copy (not the repository's `dist/`), so this test never
 * races another one that uses the repository's build. Set MOSAIK_KEEP_TMP=1 to keep the folder.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scaled } from '../../../runtime/primitives/time.ts'
import { localDht } from '../../../runtime/testing/local-dht.ts'
import { type Message, ProcessSet } from '../../fault/harness/index.ts'

const execFileAsync = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '..', '..', '..')
const fixture = path.join(import.meta.dirname, 'fixtures', 'project')
const tsc = path.join(repo, 'node_modules', '.bin', 'tsc')
const typeboxVersion = JSON.parse(
  await readFile(path.join(repo, 'node_modules/typebox/package.json'), 'utf8'),
).version

let work = ''
/** The environment of every command: Node 24 first on PATH, and none of the parent npm's settings. */
let env: NodeJS.ProcessEnv = {}

async function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, env, maxBuffer: 64 << 20 })
    return stdout
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string }
    throw new Error(`\`${command} ${args.join(' ')}\` failed in ${cwd}:\n${stdout}\n${stderr}`, {
      cause: err,
    })
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'mosaik-new-user-'))
  // A user has Node ≥ 22.12 as `node`; here that is the Node running this test.
  await mkdir(path.join(work, 'bin'))
  await symlink(process.execPath, path.join(work, 'bin', 'node'))
  env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  )
  env.PATH = `${path.join(work, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`
})

afterAll(async () => {
  if (work && !process.env.MOSAIK_KEEP_TMP) await rm(work, { recursive: true, force: true })
})

/** Builds the package into a staging folder and packs it; returns the tarball's path. */
async function pack(): Promise<string> {
  const stage = path.join(work, 'package')
  await run(tsc, ['-p', 'tsconfig.build.json', '--outDir', path.join(stage, 'dist')], repo)
  await cp(path.join(repo, 'package.json'), path.join(stage, 'package.json'))
  await cp(path.join(repo, 'README.md'), path.join(stage, 'README.md'))
  const [packed] = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', work], stage)) as {
    filename: string
    files: { path: string }[]
  }[]
  if (!packed) throw new Error('npm pack reported nothing')
  const files = new Set(packed.files.map((f) => f.path))
  const manifest = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as {
    bin: Record<string, string>
    exports: Record<string, string | Record<string, string>>
  }
  // Every published entry point is in the tarball: the CLI and each export's JS and types.
  const targets = [
    ...Object.values(manifest.bin),
    ...Object.values(manifest.exports).flatMap((e) =>
      typeof e === 'string' ? [e] : [e.types, e.default].filter((t) => t !== undefined),
    ),
  ]
  for (const target of targets)
    expect(files, `tarball lacks ${target}`).toContain(target.replace(/^\.\//, ''))
  return path.join(work, packed.filename)
}

interface Done extends Message {
  type: 'done'
  tally: Record<string, number>
}

describe('a new user', () => {
  it(
    'packs, installs, declares, generates, compiles under strict flags and runs 3 processes',
    async () => {
      const tarball = await pack()

      const app = path.join(work, 'my-app')
      await cp(fixture, app, { recursive: true })
      await writeFile(
        path.join(app, 'package.json'),
        `${JSON.stringify({ name: 'my-app', private: true, type: 'module' }, null, 2)}\n`,
      )
      await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          tarball,
          `typebox@${typeboxVersion}`,
          '@types/node@^24',
        ],
        app,
      )

      expect(await run('npx', ['mosaik', 'generate'], app)).toContain('mosaik: wrote')
      const generated = await readFile(path.join(app, 'src/generated/mosaik/app.ts'), 'utf8')
      expect(generated).toContain("from 'mosaik/codegen-v1'")
      expect(await run('npx', ['mosaik', 'check'], app)).not.toMatch(/IDENTITY|WIRE|SOURCE/)
      expect(await run('npx', ['mosaik', 'generate', '--check'], app)).toContain('up to date')
      await run(tsc, ['-p', '.'], app)

      await using dht = await localDht({ nodes: 4 })
      const processes = new ProcessSet()
      try {
        const network = `new-user-${process.pid}-${Date.now()}`
        const node = (name: string, role: string) =>
          processes.spawn({
            name,
            command: process.execPath,
            args: [
              'dist/main.js',
              '--network',
              network,
              '--name',
              name,
              '--role',
              role,
              '--dht',
              dht.bootstrap.join(','),
            ],
            cwd: app,
          })
        const nodes = [node('alice', 'sender'), node('bob', 'receiver'), node('carol', 'receiver')]
        const results = await Promise.all(
          nodes.map((p) => p.waitFor((m): m is Done => m.type === 'done', { timeout: scaled(60_000) })),
        )
        for (const result of results) expect(result.tally).toEqual({ alice: 20, bob: 20, carol: 20 })
        for (const p of nodes) expect((await p.exited).code).toBe(0)
      } finally {
        await processes.close()
      }
    },
    scaled(240_000),
  )
})
