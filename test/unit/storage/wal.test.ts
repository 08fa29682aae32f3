/**
 * What only the durable store does: restart recovery, group commit, segment rotation and deletion,
 * reads from disk, the directory lock, repairs after interrupted operations, and refusing damaged
 * state files.
 */
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { WalLogStore, type WalOptions } from '../../../runtime/groups/storage/index.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { hex, payload, tempDirs, visible } from './helpers.ts'

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

const entries = (from: number, to: number, term: number, size = 16) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    index: from + i,
    term,
    data: payload(from + i, term, size),
  }))
const config = new TextEncoder().encode('members')

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('wal-')).sort()
}

async function reopen(store: WalLogStore, options: WalOptions): Promise<WalLogStore> {
  await store.close()
  return WalLogStore.open(options)
}

function isStorageError(err: unknown): boolean {
  return isMosaikError(err, 'ERR_STORAGE')
}

describe('WalLogStore', () => {
  it('recovers log, hard state and snapshot after a restart, and deletes compacted segments', async () => {
    const options = { dir: await dirs.make(), segmentBytes: 1024 }
    let store = await WalLogStore.open(options)
    for (let i = 0; i < 10; i++) {
      store.append(entries(i * 20 + 1, i * 20 + 20, 1 + Math.floor(i / 4)))
      await store.sync()
    }
    store.setHardState({ term: 3, vote: 'peer-b', commit: 150 })
    await store.saveSnapshot({ index: 120, term: store.term(120) as number, config }, payload(7, 7, 5000))
    const before = (await segments(options.dir)).length
    await store.compact(100)
    expect((await segments(options.dir)).length).toBeLessThan(before)
    const expected = await visible(store)
    store = await reopen(store, options)
    expect(await visible(store)).toEqual(expected)
    expect(store.firstIndex).toBe(101)
    expect(store.hardState).toEqual({ term: 3, vote: 'peer-b', commit: 150 })
    expect(hex(await store.readSnapshot())).toBe(hex(payload(7, 7, 5000)))
    await store.close()
  })

  it('shares one fsync among everything appended while the previous one was in flight', async () => {
    const store = await WalLogStore.open({ dir: await dirs.make() })
    const writers = 256
    const rounds = 8
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let round = 0; round < rounds; round++) {
          const index = store.lastIndex + 1
          store.append([{ index, term: 1, data: payload(index, 1, 128) }])
          await store.sync()
        }
      }),
    )
    expect(store.lastIndex).toBe(writers * rounds)
    expect(store.stats.entriesWritten).toBe(writers * rounds)
    expect(store.stats.fsyncs).toBe(store.stats.batches)
    expect(store.stats.batches).toBeLessThanOrEqual(rounds * 4)
    await store.close()
  })

  it('reads entries back from disk beyond the cache, checksums verified', async () => {
    const options = { dir: await dirs.make(), cacheBytes: 0, segmentBytes: 700 }
    const store = await WalLogStore.open(options)
    store.append(entries(1, 40, 1, 30))
    await store.sync()
    const read = store.entries(1, 41)
    expect(read.map((e) => hex(e.data))).toEqual(entries(1, 40, 1, 30).map((e) => hex(e.data)))
    expect(store.stats.diskReads).toBe(40)
    expect(store.entries(1, 41, 100)).toHaveLength(3)
    // Damage after recovery is still caught when the entry is read.
    const [first] = await segments(options.dir)
    const path = join(options.dir, first as string)
    const bytes = await readFile(path)
    const at = bytes.indexOf(Buffer.from(payload(2, 1, 30)))
    bytes[at] = (bytes[at] as number) ^ 1
    await writeFile(path, bytes)
    expect(() => store.entries(2, 3)).toThrow(expect.objectContaining({ code: 'ERR_STORAGE' }))
    await store.close()
  })

  it('has one owner per directory', async () => {
    const dir = await dirs.make()
    const store = await WalLogStore.open({ dir })
    await expect(WalLogStore.open({ dir })).rejects.toSatisfy(isStorageError)
    await store.close()
    await writeFile(join(dir, 'LOCK'), `${process.ppid}\n`)
    await expect(WalLogStore.open({ dir })).rejects.toSatisfy(isStorageError)
    await writeFile(join(dir, 'LOCK'), '999999999\n')
    const takenOver = await WalLogStore.open({ dir })
    await takenOver.close()
  })

  it('finishes a snapshot install interrupted before its reset record, and removes temporary files', async () => {
    const options = { dir: await dirs.make() }
    let store = await WalLogStore.open(options)
    store.append(entries(1, 5, 1))
    await store.sync()
    await store.close()
    const other = await WalLogStore.open({ dir: await dirs.make() })
    await other.saveSnapshot({ index: 10, term: 2, config }, payload(1, 2, 64))
    await copyFile(join(other.dir, 'snapshot'), join(options.dir, 'snapshot'))
    await other.close()
    await writeFile(join(options.dir, 'hardstate.tmp'), 'half-written')
    store = await WalLogStore.open(options)
    expect([store.firstIndex, store.lastIndex, store.term(10)]).toEqual([11, 10, 2])
    expect(await readdir(options.dir)).not.toContain('hardstate.tmp')
    store = await reopen(store, options)
    expect([store.firstIndex, store.lastIndex, store.term(10)]).toEqual([11, 10, 2])
    await store.close()
  })

  it('removes segments left by an interrupted compaction, and refuses a log with missing segments', async () => {
    const options = { dir: await dirs.make(), segmentBytes: 200 }
    let store = await WalLogStore.open(options)
    for (let i = 0; i < 8; i++) {
      store.append(entries(i * 5 + 1, i * 5 + 5, 1))
      await store.sync()
    }
    const names = await segments(options.dir)
    const oldest = await readFile(join(options.dir, names[0] as string))
    store.setHardState({ term: 1, vote: null, commit: 30 })
    await store.saveSnapshot({ index: 30, term: 1, config }, payload(0, 0, 10))
    await store.compact(20)
    const expected = await visible(store)
    await store.close()
    // A compaction that crashed after deleting a later segment leaves an older one behind a gap.
    await writeFile(join(options.dir, names[0] as string), oldest)
    store = await WalLogStore.open(options)
    expect(await visible(store)).toEqual(expected)
    expect(store.recovery.removedFiles).toEqual([join(options.dir, names[0] as string)])
    await store.close()

    const fresh = { dir: await dirs.make(), segmentBytes: 200 }
    store = await WalLogStore.open(fresh)
    for (let i = 0; i < 4; i++) {
      store.append(entries(i * 5 + 1, i * 5 + 5, 1))
      await store.sync()
    }
    await store.close()
    const all = await segments(fresh.dir)
    await rm(join(fresh.dir, all[1] as string))
    await expect(WalLogStore.open(fresh)).rejects.toSatisfy(isStorageError)
    expect(await segments(fresh.dir)).toContain(all[0])
    await rm(join(fresh.dir, all[0] as string))
    await expect(WalLogStore.open(fresh)).rejects.toSatisfy(isStorageError)
  })

  it('refuses a damaged hard state or snapshot file, naming it', async () => {
    const options = { dir: await dirs.make() }
    let store = await WalLogStore.open(options)
    store.append(entries(1, 3, 1))
    store.setHardState({ term: 1, vote: 'peer-a', commit: 3 })
    await store.saveSnapshot({ index: 3, term: 1, config }, payload(3, 3, 100))
    await store.close()
    for (const name of ['hardstate', 'snapshot']) {
      const path = join(options.dir, name)
      const bytes = await readFile(path)
      const flipped = Buffer.from(bytes)
      flipped[flipped.length - 20] = (flipped[flipped.length - 20] as number) ^ 1
      await writeFile(path, flipped)
      await expect(WalLogStore.open(options)).rejects.toSatisfy(
        (err: unknown) =>
          isStorageError(err) && (err as { details: { file?: string } }).details.file === path,
      )
      await writeFile(path, bytes)
    }
    store = await WalLogStore.open(options)
    expect(store.hardState).toEqual({ term: 1, vote: 'peer-a', commit: 3 })
    await store.close()
  })

  it('fails every pending and later call after a write error', async () => {
    const options = { dir: await dirs.make(), segmentBytes: 1 }
    const store = await WalLogStore.open(options)
    store.append(entries(1, 1, 1))
    await store.sync()
    await rm(options.dir, { recursive: true })
    store.append(entries(2, 2, 1))
    await expect(store.sync()).rejects.toSatisfy(isStorageError)
    expect(() => store.append(entries(3, 3, 1))).toThrow(expect.objectContaining({ code: 'ERR_STORAGE' }))
    await store.close()
  })
})
