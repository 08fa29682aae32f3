/**
 * `npm run demo` end to end, smaller: five processes (three matchers, two traders) trade 60 orders
 * through a private DHT, and the demo must print a consistent summary and exit 0.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { scaled } from '../../runtime/primitives/time.ts'

const run = promisify(execFile)

describe('npm run demo', () => {
  it('runs the orderbook on five processes, prints the summary and exits 0', async () => {
    const main = path.join(import.meta.dirname, 'main.ts')
    const { stdout } = await run(
      process.execPath,
      ['--conditions=mosaik-source', main, '--nodes', '5', '--orders', '60', '--timeout', String(scaled(90))],
      { timeout: scaled(120_000) },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`demo failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`)
    })
    expect(stdout).toContain('3 matchers')
    expect(stdout).toMatch(/leader {5}matcher-\S+ \(…\S+\) · voters 3/)
    expect(stdout).toContain('60 placed')
    expect(stdout).toContain('cash and units conserved ✓')
    expect(stdout).toContain('shut down 5 processes and the DHT cleanly')
    const fills = Number(/^ +fills +(\d+) fills/m.exec(stdout)?.[1])
    expect(fills).toBeGreaterThan(0)
    expect(stdout).toContain(`every trader received all ${fills} fills`)
  })
})
