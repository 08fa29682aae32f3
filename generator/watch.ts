/**
 * `generate --watch`: regenerates when a schema module or the config changes. It watches the glob
 * bases and the config file, ignores its own output (the output directory and the lock file, so a
 * write never triggers another run), coalesces bursts of events, and keeps running after errors.
 */
import path from 'node:path'
import { watch } from 'chokidar'
import type { CliContext } from './context.ts'
import { describeOutcome, generate } from './generate.ts'
import { loadConfig, type ResolvedConfig } from './load/config.ts'
import { findSchemaFiles, globBase } from './load/files.ts'

/** Quiet period after the last event before regenerating. */
const DEBOUNCE_MS = 100

function isInside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir + path.sep)
}

/** Watches until `context.signal` aborts. Runs one generation first. */
export async function watchProject(
  context: CliContext,
  configFile: string | undefined,
  clean: boolean,
): Promise<void> {
  let config: ResolvedConfig = await loadConfig(context.cwd, configFile)
  let known = new Set<string>()
  const run = async (): Promise<void> => {
    try {
      config = await loadConfig(context.cwd, configFile)
      known = new Set((await findSchemaFiles(config)).map((f) => f.absolute))
      context.stdout(describeOutcome(await generate(config, { clean }), config.root))
    } catch (err) {
      context.stderr(`mosaik: ${(err as Error).message}\n`)
    }
  }
  const roots = [...new Set(config.schemas.map((g) => path.resolve(config.root, globBase(g))))]
  if (config.file) roots.push(config.file)
  const watcher = watch(roots, {
    ignoreInitial: true,
    ignored: (file: string) =>
      isInside(file, config.out) ||
      file === config.lockfile ||
      file.includes(`${path.sep}node_modules${path.sep}`),
  })
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  watcher.on('all', (_event, file) => {
    const absolute = path.resolve(file)
    // Only schema modules (known before or matching now) and the config trigger a run.
    if (absolute !== config.file && !known.has(absolute) && !/\.(m|c)?ts$/.test(absolute)) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      running = running.then(run)
    }, DEBOUNCE_MS)
  })
  // Watch before the first generation, so an edit made while it runs (or right after its output
  // appears) is never missed.
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  context.stdout(`mosaik: watching ${roots.map((r) => path.relative(config.root, r) || '.').join(', ')}\n`)
  running = running.then(run)
  await running
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve()
    else context.signal.addEventListener('abort', () => resolve(), { once: true })
  })
  clearTimeout(timer)
  await running
  await watcher.close()
}
