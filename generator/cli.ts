#!/usr/bin/env node
/**
 * The `mosaik` command line. Exit codes: 0 success, 1 findings, 2 usage/input/tool error.
 * Each command lives in its own module under `generator/commands/`; register it in the list below.
 */
import { beaconCommand } from './commands/beacon.ts'
import './compile-cache.ts'
import { checkCommand } from './commands/check.ts'
import { dhtCommand } from './commands/dht.ts'
import { generateCommand } from './commands/generate.ts'
import { idsCommand } from './commands/ids.ts'
import { inspectCommand } from './commands/inspect.ts'
import { rulesCommand } from './commands/rules.ts'
import type { CommandFactory } from './context.ts'
import { runCli } from './run.ts'

const commands: CommandFactory[] = [
  generateCommand,
  checkCommand,
  idsCommand,
  rulesCommand,
  beaconCommand,
  dhtCommand,
  inspectCommand,
]

// `mosaik rules | head` closes stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
})

const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort())
process.exitCode = await runCli(process.argv.slice(2), commands, { signal: stop.signal })
