import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const tsconfig = fileURLToPath(new URL('./fixtures/strict-project/tsconfig.json', import.meta.url))
const tsc = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url))

describe('generated code in a strict user project', () => {
  it('compiles; wrong datum, command, query input and read-only misuse are errors; exact types hold', async () => {
    const result = await run(tsc, ['-p', tsconfig], { encoding: 'utf8' }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (err: { code: number; stdout: string; stderr: string }) => ({
        code: err.code,
        output: err.stdout + err.stderr,
      }),
    )
    expect(result.output).toBe('')
    expect(result.code).toBe(0)
  })
})
