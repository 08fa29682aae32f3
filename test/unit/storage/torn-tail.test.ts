/**
 * Recovery from torn writes and detection of damage: the last frame of the last segment, cut or
 * corrupted at every byte offset, is dropped on open and the log is what it was before that write;
 * damage anywhere else is a StorageError naming the file and offset.
 */
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { WalLogStore, type WalOptions } from '../../../runtime/groups/storage/index.ts'
import { readFrame } from '../../../runtime/groups/storage/wal/frame.ts'
import { isMosaikError } from '../../../runtime/primitives/errors.ts'
import { payload, tempDirs, visible } from './helpers.ts'

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

const entries = (from: number, to: number, term: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    index: from + i,
    term,
    data: payload(from + i, term, 12),
  }))

async function segmentPaths(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((name) => name.startsWith('wal-'))
    .sort()
    .map((name) => join(dir, name))
}

/** Offsets at which the frames of a segment file start. */
function frameStarts(bytes: Buffer): number[] {
  const starts: number[] = []
  let offset = 0
  while (offset < bytes.length) {
    const frame = readFrame(bytes, offset)
    if (!frame.ok) throw new Error(`unexpected invalid frame at ${offset}`)
    starts.push(offset)
    offset = frame.end
  }
  return starts
}

/**
 * Writes three batches (each one frame), the last of two entries plus a commit; returns the visible
 * state before and after the last batch, and the bytes of the last segment.
 */
async function threeBatches(
  options: WalOptions,
): Promise<{ before: unknown; after: unknown; last: string; bytes: Buffer }> {
  const store = await WalLogStore.open(options)
  store.append(entries(1, 3, 1))
  await store.sync()
  store.setHardState({ term: 2, vote: 'peer-a', commit: 2 })
  store.append(entries(4, 5, 2))
  await store.sync()
  const before = await visible(store)
  store.append(entries(6, 7, 2))
  store.setHardState({ term: 2, vote: 'peer-a', commit: 6 })
  await store.sync()
  const after = await visible(store)
  await store.close()
  const last = (await segmentPaths(options.dir)).at(-1) as string
  return { before, after, last, bytes: await readFile(last) }
}

async function expectDamage(options: WalOptions, file: string, offset: number): Promise<void> {
  const opened = WalLogStore.open(options)
  await expect(opened).rejects.toSatisfy(
    (err: unknown) =>
      isMosaikError(err, 'ERR_STORAGE') && err.details.file === file && err.details.offset === offset,
  )
}

describe('torn tail', () => {
  for (const [where, segmentBytes] of [
    ['in the middle of a segment', 1 << 20],
    ['that starts a new segment', 100],
  ] as const) {
    it(`drops a last frame ${where} cut or corrupted at every byte offset`, async () => {
      const options = { dir: await dirs.make(), segmentBytes }
      const { before, after, last, bytes } = await threeBatches(options)
      const start = frameStarts(bytes).at(-1) as number
      if (segmentBytes === 100) expect(start).toBe(0)
      const cases: [string, Buffer][] = []
      for (let offset = start; offset < bytes.length; offset++) {
        cases.push([`cut at ${offset}`, bytes.subarray(0, offset)])
        const flipped = Buffer.from(bytes)
        flipped[offset] = (flipped[offset] as number) ^ 0x5a
        cases.push([`byte ${offset} flipped`, flipped])
      }
      for (const [name, content] of cases) {
        await writeFile(last, content)
        const store = await WalLogStore.open(options)
        try {
          expect(await visible(store), name).toEqual(before)
          expect(store.recovery.truncatedBytes, name).toBe(content.length - start)
          // The repaired log takes new writes and reopens cleanly.
          store.append(entries(6, 6, 3))
          await store.sync()
        } finally {
          await store.close()
        }
        const reopened = await WalLogStore.open(options)
        expect(reopened.lastIndex, name).toBe(6)
        expect(reopened.term(6), name).toBe(3)
        await reopened.close()
      }
      await writeFile(last, bytes)
      const intact = await WalLogStore.open(options)
      expect(await visible(intact)).toEqual(after)
      await intact.close()
    })
  }

  it('drops a zero-filled tail (a preallocated or partly flushed end)', async () => {
    const options = { dir: await dirs.make() }
    const { after, last } = await threeBatches(options)
    await appendFile(last, Buffer.alloc(4096))
    const store = await WalLogStore.open(options)
    expect(await visible(store)).toEqual(after)
    expect(store.recovery.truncatedBytes).toBe(4096)
    await store.close()
  })
})

describe('damage', () => {
  it('reports a bad frame followed by a valid one, naming the file and offset', async () => {
    const options = { dir: await dirs.make() }
    const { last, bytes } = await threeBatches(options)
    const starts = frameStarts(bytes)
    const broken = Buffer.from(bytes)
    const second = starts[1] as number
    broken[second + 20] = (broken[second + 20] as number) ^ 1
    await writeFile(last, broken)
    await expectDamage(options, last, second)
    // Garbage then a valid frame at the end is damage too, not a torn tail.
    await writeFile(last, Buffer.concat([bytes, Buffer.from('junk!'), bytes.subarray(second, starts[2])]))
    await expectDamage(options, last, bytes.length)
  })

  it('reports damage and truncation in a segment that is not the last', async () => {
    const options = { dir: await dirs.make(), segmentBytes: 100 }
    await threeBatches(options)
    const [first] = await segmentPaths(options.dir)
    const bytes = await readFile(first as string)
    await writeFile(first as string, bytes.subarray(0, bytes.length - 3))
    await expectDamage(options, first as string, frameStarts(bytes).at(-1) as number)
    const flipped = Buffer.from(bytes)
    flipped[5] = (flipped[5] as number) ^ 1
    await writeFile(first as string, flipped)
    await expectDamage(options, first as string, 0)
  })
})
