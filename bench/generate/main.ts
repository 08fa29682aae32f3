/**
 * `npm run bench -- generate`: how long `mosaik generate` takes for a project of 100 declarations
 * (SPEC §7: cold ≤ 3 s, `--check` ≤ 2 s).
 *
 * Each repetition builds a fresh project outside the repository (10 schema modules, every
 * declaration kind, a 6-field object schema each), then times separate CLI processes: a cold
 * `generate` (new process, empty output, tsx's transform cache and Node's compile cache disabled),
 * a cold `generate --check` on the result (as in CI), and a warm `--check` with both caches filled
 * (as on a developer's machine; reported, not a target). Both the built CLI
 * (`dist/generator/cli.js`, what users run) and the source CLI (`npm run mosaik`) are measured when
 * the build exists.
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

/** Disables tsx's transform cache and Node's compile cache: a process as on a fresh CI machine. */
const COLD = { TSX_DISABLE_CACHE: '1', NODE_DISABLE_COMPILE_CACHE: '1' }

/** GNU time reports the child's CPU time, which other load on the machine distorts far less than wall time. */
const GNU_TIME = '/usr/bin/time'
const CPU_MARK = 'mosaik-bench-cpu'

interface Timing {
  readonly wall: number
  /** User + system CPU ms of the CLI process, when GNU time is available. */
  readonly cpu: number | undefined
}

async function timed(cli: string, args: string[], cwd: string, cold: boolean): Promise<Timing> {
  const conditions = cli.endsWith('.ts') ? ['--conditions=mosaik-source'] : []
  const env = { ...process.env, ...(cold ? COLD : {}) }
  const command = [process.execPath, ...conditions, cli, ...args]
  const withTime = existsSync(GNU_TIME)
  const start = performance.now()
  const { stderr } = withTime
    ? await run(GNU_TIME, ['-f', `${CPU_MARK} %U %S`, ...command], { cwd, env })
    : await run(command[0] as string, command.slice(1), { cwd, env })
  const wall = performance.now() - start
  const match = new RegExp(`${CPU_MARK} ([\\d.]+) ([\\d.]+)`).exec(stderr)
  return { wall, cpu: match ? (Number(match[1]) + Number(match[2])) * 1000 : undefined }
}

/** Targets of SPEC §7 (wall ms); CPU rows show the same runs without the machine's other load. */
const TARGETS: Readonly<Record<string, number>> = { 'generate.cold': 3000, 'generate.check': 2000 }

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
      const timings = new Map<string, Timing[]>()
      const record = (metric: string, timing: Timing): void => {
        timings.set(metric, [...(timings.get(metric) ?? []), timing])
      }
      for (let rep = 0; rep < flags.reps; rep++) {
        const project = tempProject(projectFiles(flags.declarations, flags.modules))
        try {
          record('generate.cold', await timed(cli, ['generate'], project.dir, true))
          record('generate.check', await timed(cli, ['generate', '--check'], project.dir, true))
          await timed(cli, ['generate', '--check'], project.dir, false) // fills both caches
          record('generate.check.warm', await timed(cli, ['generate', '--check'], project.dir, false))
        } finally {
          project.remove()
        }
        const last = [...timings].map(([m, t]) => `${m} ${t.at(-1)?.wall.toFixed(0)} ms`)
        log(`${label} rep ${rep + 1}: ${last.join(', ')}`)
      }
      for (const [metric, series] of timings) {
        const wall = series.map((t) => Math.round(t.wall))
        results.push({ ...row(`mosaik-${label}`, metric, median(wall), 'ms'), runs: wall })
        const cpu = series
          .map((t) => t.cpu)
          .filter((c): c is number => c !== undefined)
          .map(Math.round)
        if (cpu.length === series.length) {
          results.push({ ...row(`mosaik-${label}`, `${metric}.cpu`, median(cpu), 'ms'), runs: cpu })
        }
      }
    }
    const dist = results.filter((r) => r.system === 'mosaik-dist')
    const targeted = (dist.length > 0 ? dist : results).filter((r) => TARGETS[r.metric] !== undefined)
    return {
      results,
      ratios: Object.fromEntries(
        targeted.map((r) => [
          `${r.system} ${r.metric}/target`,
          Math.round((r.value / (TARGETS[r.metric] as number)) * 1000) / 1000,
        ]),
      ),
      notes: [
        'targets (SPEC §7): generate.cold ≤ 3000 ms, generate.check ≤ 2000 ms wall, cold caches; ratio/target ≤ 1 meets them',
        '*.cpu: user+system CPU of the CLI process (GNU time); wall time on a loaded machine includes waiting for the CPU',
        'generate.check.warm: tsx transform cache and Node compile cache filled, as on a developer machine',
      ],
    }
  },
})
