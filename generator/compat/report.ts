/**
 * Renders findings for people (`text`), machines (`json`) and GitHub Actions annotations
 * (`github`: `::error`/`::notice` workflow commands pointing at the schema module).
 */
import type { Finding } from './compare.ts'

export type ReportFormat = 'text' | 'json' | 'github'

export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'github']

function oldToNew(f: Finding): string {
  if (f.old !== undefined && f.new !== undefined) return ` (${f.old} → ${f.new})`
  if (f.old !== undefined) return ` (was ${f.old})`
  if (f.new !== undefined) return ` (now ${f.new})`
  return ''
}

function summary(findings: readonly Finding[]): { breaking: number; notes: number } {
  const breaking = findings.filter((f) => f.severity === 'breaking').length
  return { breaking, notes: findings.length - breaking }
}

function text(findings: readonly Finding[], baseline: string): string {
  if (findings.length === 0) return `mosaik check: no changes against ${baseline}\n`
  const lines = findings.map((f) => {
    const head = `${f.severity === 'breaking' ? 'BREAKING' : 'note'} ${f.category} ${f.rule} ${f.declaration}${f.path}`
    const reason = f.reason === undefined ? '' : `\n    reason: ${f.reason}`
    return `${head}: ${f.message}${oldToNew(f)}${reason}`
  })
  const { breaking, notes } = summary(findings)
  return `${lines.join('\n')}\nmosaik check: ${breaking} breaking, ${notes} note(s) against ${baseline}\n`
}

/** GitHub workflow commands need `%`, CR and LF escaped in messages, plus `,` and `:` in properties. */
function escapeData(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
}

function escapeProperty(value: string): string {
  return escapeData(value).replaceAll(':', '%3A').replaceAll(',', '%2C')
}

function github(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const command = f.severity === 'breaking' ? 'error' : 'notice'
      const title = escapeProperty(`mosaik ${f.rule} (${f.category})`)
      const message = escapeData(
        `${f.declaration}${f.path}: ${f.message}${oldToNew(f)}${f.reason === undefined ? '' : ` — ${f.reason}`}`,
      )
      return `::${command} file=${escapeProperty(f.module)},title=${title}::${message}\n`
    })
    .join('')
}

/** Renders findings in `format`; `baseline` names what was compared against. */
export function renderReport(findings: readonly Finding[], format: ReportFormat, baseline: string): string {
  switch (format) {
    case 'text':
      return text(findings, baseline)
    case 'json':
      return `${JSON.stringify({ baseline, summary: summary(findings), findings }, null, 2)}\n`
    case 'github':
      return github(findings)
  }
}
