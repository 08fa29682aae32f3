#!/usr/bin/env node
/**
 * The `mosaik` command line. Exit codes: 0 success, 1 findings, 2 usage/input/tool error.
 * Each command lives in its own module under `generator/commands/`; register it in the list below.
 * Only the invoked command's module is loaded (all of them for help or an unknown command), so
 * `mosaik generate` does not pay for libp2p and `mosaik beacon` not for the TypeScript compiler.
 */
import { enableCompileCache } from 'node:module'
import type { CommandFactory } from './context.ts'

// Before any command module loads: later runs reuse V8's compiled code from disk.
enableCompileCache?.()

const commands: Readonly<Record<string, () => Promise<CommandFactory>>> = {
  generate: async () => (await import('./commands/generate.ts')).generateCommand,
  check: async () => (await import('./commands/check.ts')).checkCommand,
  ids: async () => (await import('./commands/ids.ts')).idsCommand,
  rules: async () => (await import('./commands/rules.ts')).rulesCommand,
  beacon: async () => (await import('./commands/beacon.ts')).beaconCommand,
  dht: async () => (await import('./commands/dht.ts')).dhtCommand,
  inspect: async () => (await import('./commands/inspect.ts')).inspectCommand,
}

const argv = process.argv.slice(2)
const [name] = argv
const invoked =
  name !== undefined && Object.hasOwn(commands, name) ? [commands[name]] : Object.values(commands)
const factories = await Promise.all(invoked.map((load) => (load as () => Promise<CommandFactory>)()))

// `mosaik rules | head` closes stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
})

const { runCli } = await import('./run.ts')
const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort())
process.exitCode = await runCli(argv, factories, { signal: stop.signal })
