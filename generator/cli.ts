#!/usr/bin/env node
/**
 * The `mosaik` command line. Exit codes: 0 success, 1 findings, 2 usage/input/tool error.
 */
import { createRequire } from 'node:module'
import { Command } from 'commander'

// Self-reference through the package exports: the same line works from source and from dist/.
const pkg = createRequire(import.meta.url)('mosaik/package.json') as { version: string }

const program = new Command('mosaik')
  .description('schema-driven toolkit for self-organizing distributed systems')
  .version(pkg.version)
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))

await program.parseAsync(process.argv)
