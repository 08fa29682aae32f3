/** `mosaik rules [--format text|json]`: the catalog of compatibility rules `check` reports. */
import { Command, Option } from 'commander'
import { RULES } from '../compat/rules.ts'
import type { CommandFactory } from '../context.ts'

export const rulesCommand: CommandFactory = (context) =>
  new Command('rules')
    .description('list the compatibility rules of `mosaik check`')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: { format: 'text' | 'json' }) => {
      if (flags.format === 'json') {
        context.stdout(`${JSON.stringify({ rules: RULES }, null, 2)}\n`)
        return
      }
      const width = Math.max(...RULES.map((r) => r.id.length))
      for (const r of RULES) {
        context.stdout(
          `${r.id.padEnd(width)}  ${r.category.padEnd(8)}  ${r.severity.padEnd(8)}  ${r.summary}\n`,
        )
        context.stdout(`${' '.repeat(width + 2)}${r.explanation}\n`)
      }
    })
