/**
 * `mosaik generate [--config f] [--check] [--watch] [--clean]`: writes typed clients for every
 * schema module plus an `index.ts` barrel into `out`, and the lock file. `--check` writes nothing,
 * prints a unified diff of stale files and exits 1 if there are any.
 */
import { Command } from 'commander'
import { type CliContext, type CommandFactory, EXIT_FINDINGS } from '../context.ts'
import { GeneratorError } from '../errors.ts'
import { describeOutcome, generate } from '../generate.ts'
import { loadConfig } from '../load/config.ts'

interface GenerateFlags {
  config?: string
  check?: boolean
  watch?: boolean
  clean?: boolean
}

async function run(context: CliContext, flags: GenerateFlags): Promise<void> {
  if (flags.watch) {
    if (flags.check)
      throw new GeneratorError({}, '--watch cannot be combined with --check', 'use one of them')
    // chokidar is needed only here; keep it off the path of one-shot runs.
    const { watchProject } = await import('../watch.ts')
    await watchProject(context, flags.config, flags.clean ?? false)
    return
  }
  const config = await loadConfig(context.cwd, flags.config)
  const outcome = await generate(config, { check: flags.check ?? false, clean: flags.clean ?? false })
  if (outcome.mode === 'check' && outcome.diff) {
    context.stdout(outcome.diff)
    context.exitCode = EXIT_FINDINGS
  }
  context.stdout(describeOutcome(outcome, config.root))
}

export const generateCommand: CommandFactory = (context) =>
  new Command('generate')
    .description('generate typed clients and the lock file from the schema modules')
    .option('--config <file>', 'config file (default: mosaik.config.ts in the working directory, if any)')
    .option('--check', 'write nothing; print a unified diff of stale files and exit 1 if any')
    .option('--watch', 'regenerate whenever a schema module or the config changes')
    .option('--clean', 'remove files generated earlier that are no longer produced')
    .action((flags: GenerateFlags) => run(context, flags))
