import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defineBenchmark, parseFlags, runBenchmark, usage } from '../../../bench/lib/benchmark.ts'
import { row } from '../../../bench/lib/result.ts'

const specs = {
  messages: { type: 'number', default: 100, description: 'datums' },
  seconds: { type: 'number', default: 1.5, integer: false, description: 'seconds' },
  mode: { type: 'string', default: 'fast', description: 'mode' },
  verbose: { type: 'boolean', description: 'talk' },
  full: { type: 'boolean', description: 'full run' },
} as const

describe('parseFlags', () => {
  it('fills defaults and parses numbers, strings and booleans', () => {
    expect(parseFlags(specs, []).flags).toEqual({
      messages: 100,
      seconds: 1.5,
      mode: 'fast',
      verbose: false,
      full: false,
    })
    const { flags, explicit } = parseFlags(specs, [
      '--messages',
      '5',
      '--seconds=0.25',
      '--mode',
      'slow',
      '--verbose',
    ])
    expect(flags).toEqual({ messages: 5, seconds: 0.25, mode: 'slow', verbose: true, full: false })
    expect([...explicit].sort()).toEqual(['messages', 'mode', 'seconds', 'verbose'])
  })

  it('applies the --full presets under explicit flags', () => {
    const full = { messages: 1_000, seconds: 10 }
    expect(parseFlags(specs, ['--full'], full).flags).toMatchObject({ messages: 1_000, seconds: 10 })
    expect(parseFlags(specs, ['--full', '--messages', '7'], full).flags).toMatchObject({
      messages: 7,
      seconds: 10,
    })
    expect(parseFlags(specs, [], full).flags).toMatchObject({ messages: 100, seconds: 1.5 })
  })

  it('rejects unknown flags, non-numbers and fractions for integer flags', () => {
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_INPUT' })
    expect(() => parseFlags(specs, ['--nope'])).toThrow(invalid)
    expect(() => parseFlags(specs, ['--messages', 'many'])).toThrow(invalid)
    expect(() => parseFlags(specs, ['--messages', '1.5'])).toThrow(invalid)
    expect(() => parseFlags(specs, ['--messages', ''])).toThrow(invalid)
    expect(() => parseFlags(specs, ['positional'])).toThrow(invalid)
  })
})

describe('runBenchmark', () => {
  const sample = defineBenchmark({
    name: 'sample',
    description: 'a test benchmark',
    flags: { n: { type: 'number', default: 2, description: 'count' } },
    full: { n: 20 },
    async run(flags, { scope }) {
      let closed = false
      scope.defer(() => {
        closed = true
      })
      if (flags.n < 0) throw new Error('negative')
      return {
        results: [row('x', 'n', flags.n, 'things'), row('x', 'closed-before-return', Number(closed), 'bool')],
        facts: { v: '1' },
      }
    },
  })

  it('prints the common JSON document and writes --json-out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mosaik-bench-test-'))
    try {
      const printed: string[] = []
      const file = join(dir, 'out', 'sample.json')
      const result = await runBenchmark(sample, ['--full', '--json-out', file], {
        print: (s) => printed.push(s),
      })
      expect(result).toMatchObject({ bench: 'sample', params: { n: 20, full: true, v: '1' }, ratios: {} })
      expect(result?.results[0]).toEqual({ system: 'x', metric: 'n', value: 20, unit: 'things' })
      expect(JSON.parse(printed[0] as string)).toEqual(result)
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(result)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('closes the scope when the benchmark throws', async () => {
    let cleaned = false
    const failing = defineBenchmark({
      name: 'failing',
      description: 'throws',
      flags: {},
      async run(_flags, { scope }) {
        scope.defer(() => {
          cleaned = true
        })
        throw new Error('boom')
      },
    })
    await expect(runBenchmark(failing, [], { print: () => undefined })).rejects.toThrow('boom')
    expect(cleaned).toBe(true)
  })

  it('lists flags with defaults and --full presets in the usage text', () => {
    const text = usage(sample)
    expect(text).toContain('--n <number>  count (default 2, --full: 20)')
    expect(text).toContain('--json-out <string>')
  })
})
