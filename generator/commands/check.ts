/**
 * `mosaik check [--config f] [--against <lockfile|git-ref>] [--format text|json|github]`: compares
 * the current declarations with a baseline and reports every change by rule. Exit 1 when any
 * finding is breaking.
 */
import { Command, Option } from 'commander'
import { loadBaseline } from '../compat/baseline.ts'
import { compareLockfiles, hasBreaking } from '../compat/compare.ts'
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../compat/report.ts'
import { type CliContext, type CommandFactory, EXIT_FINDINGS } from '../context.ts'
import { lockfileOf } from '../lock.ts'
import { loadProject } from '../project.ts'

interface CheckFlags {
  config?: string
  against?: string
  format: ReportFormat
}

async function run(context: CliContext, flags: CheckFlags): Promise<void> {
  const { config, ir } = await loadProject(context.cwd, flags.config)
  const baseline = await loadBaseline(config, context.cwd, flags.against)
  const findings = compareLockfiles(baseline.lock, lockfileOf(ir))
  context.stdout(renderReport(findings, flags.format, baseline.label))
  if (hasBreaking(findings)) context.exitCode = EXIT_FINDINGS
}

export const checkCommand: CommandFactory = (context) =>
  new Command('check')
    .description('report schema changes against a baseline lock file or git ref; exit 1 on breaking changes')
    .option('--config <file>', 'config file (default: mosaik.config.ts in the working directory, if any)')
    .option('--against <lockfile|git-ref>', 'baseline (default: the lock file of the config)')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('text'))
    .action((flags: CheckFlags) => run(context, flags))
