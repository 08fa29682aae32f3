/** Rewrites every `test/compat/<RULE>/expected.json` from the current rules; review the diff. */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { allFixtureFindings, COMPAT_DIR } from './fixtures.ts'

for (const [rule, findings] of await allFixtureFindings()) {
  writeFileSync(path.join(COMPAT_DIR, rule, 'expected.json'), `${JSON.stringify(findings, null, 2)}\n`)
}
