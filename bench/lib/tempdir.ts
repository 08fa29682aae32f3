/**
 * Temp dirs for benchmark servers (etcd data dirs…): removed when the scope closes, and still
 * removed if the orchestrator is interrupted (Ctrl-C) or crashes before that.
 */
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Lifecycle } from '../../runtime/primitives/lifecycle.ts'
import { atExit } from './processes.ts'

/** A fresh directory `<parent>/<prefix>XXXXXX` owned by `scope`. */
export async function scopedTempDir(scope: Lifecycle, prefix: string, parent = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, prefix))
  const forget = atExit(() => rmSync(dir, { recursive: true, force: true }))
  scope.defer(async () => {
    await rm(dir, { recursive: true, force: true })
    forget()
  })
  return dir
}
