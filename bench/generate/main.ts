/**
 * `npm run bench -- generate`: how long `mosaik generate` takes for a project of 100 declarations
 * (SPEC §7: cold ≤ 3 s, `--check` ≤ 2 s).
 *
 * Each repetition builds a fresh project outside the repository (10 schema modules, every
 * declaration kind, a 6-field object schema each), then times separate CLI processes: a cold
 * `generate` (new process, empty output, tsx's transform cache disabled) and `generate --check` on
 * the result. Both the built CLI (`dist/generator/cli.js`, what users run) and the source CLI
 * (`npm run mosaik`) are measured when the build exists.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { tempProject } from '../../test/golden/cases.ts'
import { defineBenchmark } from '../lib/benchmark.ts'
import { type ResultRow, row } from '../lib/result.ts'
import { median } from '../lib/stats.ts'

const run = promisify(execFile)
const REPO = path.resolve(import.meta.dirname, '../..')
const DIST_CLI = path.join(REPO, 'dist/generator/cli.js')
const SOURCE_CLI = path.join(REPO, 'generator/cli.ts')

const KINDS = ['stream', 'map', 'group', 'vec', 'set', 'cell', 'once', 'priorityQueue'] as const

/** One declaration `d<i>` of the i-th kind, with its own object schema `Item<i>`. */
function declaration(i: number): string {
  const item = `Item${i}`
  const schema = `export const ${item} = Type.Object({ id: Type.String(), n: Type.Integer({ minimum: 0 }), side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]), tags: Type.Array(Type.String()), note: Type.Optional(Type.String()), at: Type.Number() })`
  const name = `name: 'd${i}'`
  const kind = KINDS[i % KINDS.length]
  const body = {
    stream: `defineStream({ ${name}, datum: ${item} })`,
    map: `defineMap({ ${name}, key: Type.String(), value: ${item} })`,
    group: `defineGroup({ ${name}, commands: { put: ${item}, drop: Type.Object({ id: Type.String() }) }, queries: { get: { input: Type.String(), output: Type.Array(${item}) } } })`,
    vec: `defineVec({ ${name}, value: ${item} })`,
    set: `defineSet({ ${name}, value: Type.String() })`,
    cell: `defineCell({ ${name}, value: ${item} })`,
    once: `defineOnce({ ${name}, value: ${item} })`,
    priorityQueue: `definePriorityQueue({ ${name}, priority: Type.Integer(), key: Type.String(), value: ${item}, capacity: 100 })`,
  }[kind as (typeof KINDS)[number]]
  return `${schema}\nexport const d${i} = ${body}\n`
}

function projectFiles(declarations: number, modules: number): Record<string, string> {
  const header =
    "import Type from 'typebox'\nimport { defineCell, defineGroup, defineMap, defineOnce, definePriorityQueue, defineSet, defineStream, defineVec } from 'mosaik/schema'\n"
  const files: Record<string, string> = {}
  for (let m = 0; m < modules; m++) {
    const own = Array.from({ length: declarations }, (_, i) => i).filter((i) => i % modules === m)
    files[`schemas/module${m}.ts`] = header + own.map(declaration).join('')
  }
  return files
}

async function timed(cli: string, args: string[], cwd: string): Promise<number> {
  const conditions = cli.endsWith('.ts') ? ['--conditions=mosaik-source'] : []
  const start = performance.now()
  await run(process.execPath, [...conditions, cli, ...args], {
    cwd,
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
  })
  return performance.now() - start
}

export default defineBenchmark({
  name: 'generate',
  description: '`mosaik generate` cold and `--check` for 100 declarations, in separate processes',
  flags: {
    declarations: { type: 'number', default: 100, integer: true, description: 'declarations in the project' },
    modules: {
      type: 'number',
      default: 10,
      integer: true,
      description: 'schema modules they are spread over',
    },
    reps: { type: 'number', default: 3, integer: true, description: 'repetitions (median reported)' },
  },
  full: { reps: 7 },
  async run(flags, { log }) {
    const clis = [...(existsSync(DIST_CLI) ? [['dist', DIST_CLI]] : []), ['source', SOURCE_CLI]] as const
    const results: ResultRow[] = []
    for (const [label, cli] of clis) {
      const cold: number[] = []
      const check: number[] = []
      for (let rep = 0; rep < flags.reps; rep++) {
        const project = tempProject(projectFiles(flags.declarations, flags.modules))
        try {
          cold.push(await timed(cli, ['generate'], project.dir))
          check.push(await timed(cli, ['generate', '--check'], project.dir))
        } finally {
          project.remove()
        }
        log(
          `${label} rep ${rep + 1}: cold ${cold.at(-1)?.toFixed(0)} ms, --check ${check.at(-1)?.toFixed(0)} ms`,
        )
      }
      for (const [metric, runs] of [
        ['generate.cold', cold],
        ['generate.check', check],
      ] as const) {
        results.push({
          ...row(`mosaik-${label}`, metric, Math.round(median(runs)), 'ms'),
          runs: runs.map(Math.round),
        })
      }
    }
    const dist = results.filter((r) => r.system === 'mosaik-dist')
    return {
      results,
      ratios: Object.fromEntries(
        (dist.length > 0 ? dist : results).map((r) => [
          `${r.system} ${r.metric}/target`,
          Math.round((r.value / (r.metric === 'generate.cold' ? 3000 : 2000)) * 1000) / 1000,
        ]),
      ),
      notes: [
        'targets (SPEC §7): generate.cold ≤ 3000 ms, generate.check ≤ 2000 ms; ratio/target ≤ 1 meets them',
      ],
    }
  },
})
