import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Finding } from '../../generator/compat/compare.ts'
import { RULES } from '../../generator/compat/rules.ts'
import { allFixtureFindings, COMPAT_DIR, compatFixtures } from './fixtures.ts'

/** Findings that announce an id change; each must say why. */
const ID_CHANGES = new Set([
  'DECLARATION_REMOVED',
  'KIND_CHANGED',
  'STREAM_SIGNATURE_CHANGED',
  'STORE_ID_CHANGED',
])

let findings = new Map<string, Finding[]>()
beforeAll(async () => {
  findings = await allFixtureFindings()
})

describe('compatibility rules', () => {
  it('every rule has exactly one fixture directory', () => {
    expect(compatFixtures()).toEqual(RULES.map((r) => r.id).sort())
  })

  it.each(compatFixtures())('%s: before → after reports the expected findings', (rule) => {
    const expected: unknown = JSON.parse(readFileSync(path.join(COMPAT_DIR, rule, 'expected.json'), 'utf8'))
    const found = findings.get(rule) ?? []
    expect(found).toEqual(expected)
    expect(found.map((f) => f.rule)).toContain(rule)
    for (const finding of found) if (ID_CHANGES.has(finding.rule)) expect(finding.reason).toMatch(/\S/)
  })
})
