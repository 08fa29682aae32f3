/**
 * Fails a test file that leaves timers, sockets or other handles open after its tests finished.
 * Compares the active resources at the end of the file with those at its start, giving closing
 * resources a short grace period to go away.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll } from 'vitest'

const GRACE_MS = 2_000
let baseline = new Map<string, number>()

function countResources(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return counts
}

function leaked(): string[] {
  const out: string[] = []
  for (const [kind, count] of countResources()) {
    const extra = count - (baseline.get(kind) ?? 0)
    // TTYWrap/FSReqCallback belong to the runner's own output and file reads.
    if (extra > 0 && kind !== 'TTYWrap' && kind !== 'FSReqCallback' && kind !== 'FSReqPromise') {
      out.push(`${kind} ×${extra}`)
    }
  }
  return out
}

beforeAll(() => {
  baseline = countResources()
})

afterAll(async () => {
  const deadline = Date.now() + GRACE_MS
  let open = leaked()
  while (open.length > 0 && Date.now() < deadline) {
    await delay(25)
    open = leaked()
  }
  if (open.length > 0) throw new Error(`test file leaked open handles: ${open.join(', ')}`)
})
