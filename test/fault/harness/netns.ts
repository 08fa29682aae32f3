/**
 * Network namespace bookkeeping: unique names per run, deletion that first kills what still runs
 * inside, and a sweep that removes namespaces left behind by crashed runs.
 *
 * Every namespace the harness creates is named `mzf-<pid>-<start>-…`, where `<pid>` and `<start>`
 * (the process start time in clock ticks since boot, base 36) identify the owning process. A
 * namespace whose owner no longer runs — the pid is gone or now belongs to a process with another
 * start time — is stale, whatever crashed.
 */
import { readFileSync } from 'node:fs'
import { run, tryRun } from './exec.ts'

/** Prefix shared by every namespace any harness run creates. */
export const NAMESPACE_PREFIX = 'mzf'

const OWNED_NAME = /^mzf-(\d+)-([0-9a-z]+)-/

/** Start time of a process (field 22 of /proc/<pid>/stat), or undefined if it does not exist. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = fields[19]
    return ticks === undefined ? undefined : Number(ticks).toString(36)
  } catch {
    return undefined
  }
}

/** `mzf-<pid>-<start>`: the prefix of every namespace this process creates. */
export function runPrefix(): string {
  const start = processStartTime(process.pid) ?? '0'
  return `${NAMESPACE_PREFIX}-${process.pid}-${start}`
}

/** True when the namespace name belongs to a process that no longer runs. */
export function isStale(name: string): boolean {
  const match = OWNED_NAME.exec(name)
  if (!match) return false
  const [, pid, start] = match
  return processStartTime(Number(pid)) !== start
}

/** Names of all named network namespaces (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'])
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' ')[0] ?? '')
    .filter((name) => name !== '')
}

/**
 * Kills every process still inside the namespace, then deletes it. Best effort: never throws, so
 * cleanup of one namespace cannot prevent cleanup of the others.
 */
export async function deleteNamespace(name: string): Promise<void> {
  const pids = await tryRun('ip', ['netns', 'pids', name])
  for (const pid of pids?.stdout.split('\n') ?? []) {
    const n = Number(pid.trim())
    if (Number.isSafeInteger(n) && n > 0) {
      try {
        process.kill(n, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  await tryRun('ip', ['netns', 'delete', name])
}

/** Deletes namespaces left by crashed harness runs; returns the names it removed. */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const stale = (await listNamespaces()).filter(isStale)
  for (const name of stale) await deleteNamespace(name)
  return stale
}
