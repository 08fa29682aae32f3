import { defineConfig } from 'vitest/config'

/**
 * One project per suite so each runs alone (`npx vitest run --project sim`). `npm test` runs the
 * default suite; `npm run test:long` sets MOSAIK_LONG=1, which the long-running suites read to
 * scale up (10k simulator seeds, soak, fault matrices).
 */
const shared = {
  resolve: { conditions: ['mosaik-source'] },
  ssr: { resolve: { conditions: ['mosaik-source'], externalConditions: ['mosaik-source'] } },
}

function project(name: string, include: string[], extra: Record<string, unknown> = {}) {
  return {
    ...shared,
    test: {
      name,
      include,
      environment: 'node',
      setupFiles: ['test/setup/env.ts', 'test/setup/handles.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...extra,
    },
  }
}

export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
    projects: [
      project('unit', ['test/unit/**/*.test.ts']),
      project('golden', ['test/golden/**/*.test.ts']),
      project('compat', ['test/compat/**/*.test.ts']),
      project('types', ['test/types/**/*.test.ts']),
      project('sim', ['test/sim/**/*.test.ts'], { testTimeout: 600_000 }),
      project('e2e', ['test/e2e/**/*.test.ts', 'examples/**/*.test.ts'], { testTimeout: 120_000 }),
      project('fault', ['test/fault/**/*.test.ts'], { testTimeout: 600_000, fileParallelism: false }),
    ],
  },
})
