/**
 * One writer per WAL directory. Two stores appending to the same files would corrupt them, so the
 * directory holds a `LOCK` file naming the owner's pid. A lock whose process is gone (killed with
 * SIGKILL, say) is stale and taken over; pid reuse by an unrelated process is the known limit.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { StorageError } from '../../../primitives/errors.ts'

const LOCK_FILE = 'LOCK'
/** Directories opened by this process (a pid check cannot tell them apart). */
const heldHere = new Set<string>()

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock of `dir`; returns its release function. */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir)
  if (heldHere.has(key))
    throw new StorageError(`WAL ${dir} is already open in this process`, { details: { dir } })
  const path = join(dir, LOCK_FILE)
  heldHere.add(key)
  try {
    const created = await writeFile(path, `${process.pid}\n`, { flag: 'wx' }).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false
        throw new StorageError(`cannot lock WAL ${dir}`, { cause: err, details: { dir } })
      },
    )
    if (!created) {
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new StorageError(`WAL ${dir} is in use by process ${owner}`, { details: { dir, pid: owner } })
      }
      await writeFile(path, `${process.pid}\n`)
    }
  } catch (err) {
    heldHere.delete(key)
    throw err
  }
  return async () => {
    heldHere.delete(key)
    await unlink(path).catch(() => {})
  }
}
