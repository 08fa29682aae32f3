/**
 * `npm run golden:update`: regenerates the expected output of every golden case. Review the diff
 * before committing it — a change here is a change in what users get.
 */
import { generateCommand } from '../../generator/commands/generate.ts'
import { runCli } from '../../generator/run.ts'
import { goldenCases } from './cases.ts'

let failed = 0
for (const dir of goldenCases()) {
  const code = await runCli(['generate', '--clean'], [generateCommand], { cwd: dir })
  if (code !== 0) failed++
}
process.exitCode = failed === 0 ? 0 : 2
