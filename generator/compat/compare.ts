/**
 * Compares two lock files (baseline → current) declaration by declaration and returns findings:
 * the structural changes of each schema (WIRE/SOURCE rules), the changes to a group's commands and
 * queries, and for every identity change (datum signature, StoreId) the reason, built from the
 * changes that caused it.
 */

import type { SchemaDescriptor } from '../../runtime/codegen/descriptors.ts'
import type { CanonicalSchema } from '../../schemas/canonical.ts'
import type { LockEntry, Lockfile } from '../lock.ts'
import { type Category, type RuleId, rule, type Severity } from './rules.ts'
import { diffSchemas, type SchemaChange, summarize } from './schema-diff.ts'

/** One reported change. */
export interface Finding {
  readonly rule: RuleId
  readonly category: Category
  readonly severity: Severity
  readonly declaration: string
  /** The schema module declaring it (the baseline's if it was removed). */
  readonly module: string
  /** JSON pointer inside the declaration ('' for the declaration itself). */
  readonly path: string
  readonly old?: string
  readonly new?: string
  readonly message: string
  /** For identity changes: why the id changed. */
  readonly reason?: string
}

const LABELS: Readonly<Record<LockEntry['kind'], string>> = {
  stream: 'stream',
  group: 'group',
  map: 'map',
  vec: 'vec',
  set: 'set',
  cell: 'cell',
  once: 'once',
  priorityQueue: 'priority queue',
}

/** Rules that summarize detailed changes reported next to them. */
const SUMMARY_RULES: ReadonlySet<RuleId> = new Set([
  'COMMAND_CHANGED',
  'QUERY_INPUT_CHANGED',
  'QUERY_OUTPUT_CHANGED',
])

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

class Collector {
  readonly findings: Finding[] = []

  add(
    entry: LockEntry,
    id: RuleId,
    fields: Omit<Finding, 'rule' | 'category' | 'severity' | 'declaration' | 'module'>,
  ): void {
    const { category, severity } = rule(id)
    this.findings.push({
      rule: id,
      category,
      severity,
      declaration: entry.name,
      module: entry.module,
      ...fields,
    })
  }

  addChanges(entry: LockEntry, changes: readonly SchemaChange[]): void {
    for (const change of changes) {
      const { rule: id, ...fields } = change
      this.add(entry, id, fields)
    }
  }
}

function schemaChanges(before: SchemaDescriptor, after: SchemaDescriptor, path: string): SchemaChange[] {
  const out: SchemaChange[] = []
  diffSchemas(before.schema as CanonicalSchema, after.schema as CanonicalSchema, path, out)
  return out
}

/** A key schema whose shape changed is a key-type change, reported once at the key. */
function keyChanges(before: SchemaDescriptor, after: SchemaDescriptor, path: string): SchemaChange[] {
  const changes = schemaChanges(before, after, path)
  if (changes.length === 1 && changes[0]?.rule === 'FIELD_TYPE_CHANGED' && changes[0].path === path) {
    const [change] = changes
    return [
      { ...change, rule: 'MAP_KEY_TYPE_CHANGED', message: `key type changed ${change.old} → ${change.new}` },
    ]
  }
  return changes
}

/** Changes between two declarations of the same kind, as schema changes plus group-level findings. */
function entryChanges(before: LockEntry, after: LockEntry): SchemaChange[] {
  const changes: SchemaChange[] = []
  if (before.kind === 'stream' && after.kind === 'stream') {
    changes.push(...schemaChanges(before.datum, after.datum, '/datum'))
  } else if (before.kind === 'group' && after.kind === 'group') {
    changes.push(...groupChanges(before, after))
  } else if ('value' in before && 'value' in after) {
    if ('priority' in before && 'priority' in after) {
      changes.push(...schemaChanges(before.priority, after.priority, '/priority'))
    }
    if ('key' in before && 'key' in after) changes.push(...keyChanges(before.key, after.key, '/key'))
    changes.push(...schemaChanges(before.value, after.value, '/value'))
    const capacityBefore = 'capacity' in before ? before.capacity : undefined
    const capacityAfter = 'capacity' in after ? after.capacity : undefined
    if (capacityBefore !== capacityAfter) {
      const show = (c: number | undefined): string => (c === undefined ? 'unbounded' : String(c))
      changes.push({
        rule: 'CAPACITY_CHANGED',
        path: '/capacity',
        old: show(capacityBefore),
        new: show(capacityAfter),
        message: `capacity changed ${show(capacityBefore)} → ${show(capacityAfter)}`,
      })
    }
  }
  return changes
}

function groupChanges(
  before: Extract<LockEntry, { kind: 'group' }>,
  after: Extract<LockEntry, { kind: 'group' }>,
): SchemaChange[] {
  const changes: SchemaChange[] = []
  const names = (a: object, b: object): string[] =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareStrings)
  for (const name of names(before.commands, after.commands)) {
    const path = `/commands/${name}`
    const a = before.commands[name]
    const b = after.commands[name]
    if (a === undefined && b !== undefined) {
      changes.push({
        rule: 'COMMAND_ADDED',
        path,
        new: summarize(b.schema),
        message: `command '${name}' added`,
      })
    } else if (a !== undefined && b === undefined) {
      changes.push({
        rule: 'COMMAND_REMOVED',
        path,
        old: summarize(a.schema),
        message: `command '${name}' removed`,
      })
    } else if (a && b && a.signature !== b.signature) {
      changes.push({ rule: 'COMMAND_CHANGED', path, message: `command '${name}' changed` })
      changes.push(...schemaChanges(a, b, path))
    }
  }
  for (const name of names(before.queries, after.queries)) {
    const path = `/queries/${name}`
    const a = before.queries[name]
    const b = after.queries[name]
    if (a === undefined && b !== undefined) {
      changes.push({ rule: 'QUERY_ADDED', path, message: `query '${name}' added` })
    } else if (a !== undefined && b === undefined) {
      changes.push({ rule: 'QUERY_REMOVED', path, message: `query '${name}' removed` })
    } else if (a && b) {
      for (const [part, id] of [
        ['input', 'QUERY_INPUT_CHANGED'],
        ['output', 'QUERY_OUTPUT_CHANGED'],
      ] as const) {
        if (a[part].signature === b[part].signature) continue
        const [from, to] = [summarize(a[part].schema), summarize(b[part].schema)]
        // Summaries like `object → object` say nothing; the detailed findings follow anyway.
        const shapes = from === to ? {} : { old: from, new: to }
        changes.push({
          rule: id,
          path: `${path}/${part}`,
          ...shapes,
          message: `query '${name}' ${part} changed`,
        })
        changes.push(...schemaChanges(a[part], b[part], `${path}/${part}`))
      }
    }
  }
  return changes
}

/** The identity finding of a declaration whose signature or StoreId changed, with its reason. */
function identityChange(
  before: LockEntry,
  after: LockEntry,
  changes: readonly SchemaChange[],
  collector: Collector,
): void {
  const label = `${LABELS[after.kind]} \`${after.name}\``
  // Group-level summaries (COMMAND_CHANGED…) only repeat their detailed changes.
  const detailed = changes.filter((c) => !SUMMARY_RULES.has(c.rule))
  const causes = detailed.length > 0 ? detailed : changes
  const why =
    causes.length > 0 ? causes.map((c) => `${c.path || '/'} ${c.message}`).join('; ') : 'its schemas changed'
  if (before.kind === 'stream' && after.kind === 'stream') {
    if (before.datum.signature === after.datum.signature) return
    collector.add(after, 'STREAM_SIGNATURE_CHANGED', {
      path: '/datum',
      old: before.datum.signature.slice(0, 10),
      new: after.datum.signature.slice(0, 10),
      message: `datum signature of ${label} changed`,
      reason: `${label}: ${why}, so old and new nodes refuse each other's subscriptions (SchemaMismatch)`,
    })
    return
  }
  if (!('typeSignature' in before) || !('typeSignature' in after)) return
  if (before.typeSignature === after.typeSignature) return
  collector.add(after, 'STORE_ID_CHANGED', {
    path: '',
    old: before.typeSignature.slice(0, 10),
    new: after.typeSignature.slice(0, 10),
    message: `StoreId of ${label} changed (typeSignature ${before.typeSignature.slice(0, 10)} → ${after.typeSignature.slice(0, 10)})`,
    reason: `${label}: ${why}, so its StoreId changes on every network`,
  })
}

/** Findings from `baseline` to `current`, ordered by declaration, then path, then rule. */
export function compareLockfiles(baseline: Lockfile, current: Lockfile): Finding[] {
  const collector = new Collector()
  const names = [
    ...new Set([...Object.keys(baseline.declarations), ...Object.keys(current.declarations)]),
  ].sort(compareStrings)
  for (const name of names) {
    const before = baseline.declarations[name]
    const after = current.declarations[name]
    if (before && !after) {
      collector.add(before, 'DECLARATION_REMOVED', {
        path: '',
        old: LABELS[before.kind],
        message: `${LABELS[before.kind]} \`${name}\` removed`,
        reason: `${LABELS[before.kind]} \`${name}\` no longer exists, so upgraded nodes no longer take part in it`,
      })
      continue
    }
    if (!before && after) {
      collector.add(after, 'DECLARATION_ADDED', {
        path: '',
        new: LABELS[after.kind],
        message: `${LABELS[after.kind]} \`${name}\` added`,
      })
      continue
    }
    if (!before || !after) continue
    if (before.kind !== after.kind) {
      collector.add(after, 'KIND_CHANGED', {
        path: '',
        old: LABELS[before.kind],
        new: LABELS[after.kind],
        message: `\`${name}\` changed kind ${LABELS[before.kind]} → ${LABELS[after.kind]}`,
        reason: `\`${name}\` is now a ${LABELS[after.kind]}: a different identity and wire protocol`,
      })
      continue
    }
    if (before.export !== after.export || before.module !== after.module) {
      collector.add(after, 'EXPORT_RENAMED', {
        path: '',
        old: `${before.module}#${before.export}`,
        new: `${after.module}#${after.export}`,
        message: `handle moved ${before.module}#${before.export} → ${after.module}#${after.export}`,
      })
    }
    const changes = entryChanges(before, after)
    collector.addChanges(after, changes)
    identityChange(before, after, changes, collector)
  }
  return collector.findings
}

/** True when any finding is breaking. */
export function hasBreaking(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'breaking')
}
