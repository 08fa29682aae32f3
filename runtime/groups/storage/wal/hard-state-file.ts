/**
 * The `hardstate` file: the term and vote, one checksummed frame holding msgpack `{ term, vote }`,
 * replaced atomically on every change (elections only). The commit index changes with every batch,
 * so it travels in the WAL instead (commit records), sharing the batch's fsync.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decode, encode } from '../../../primitives/codec.ts'
import { StorageError } from '../../../primitives/errors.ts'
import { isCount, MAX_VOTE_LENGTH } from '../rules.ts'
import { chunksOf } from '../snapshot-data.ts'
import { replaceFile } from './durable-file.ts'
import { encodeFrame, readFrame } from './frame.ts'

export const HARD_STATE_FILE = 'hardstate'

export interface TermAndVote {
  readonly term: number
  readonly vote: string | null
}

export async function writeTermAndVote(dir: string, state: TermAndVote, durable: boolean): Promise<void> {
  const payload = encode({ term: state.term, vote: state.vote })
  await replaceFile(join(dir, HARD_STATE_FILE), chunksOf(encodeFrame(payload)), durable)
}

/** Reads the file; a missing file is the initial state (term 0, no vote). */
export async function readTermAndVote(dir: string): Promise<TermAndVote> {
  const path = join(dir, HARD_STATE_FILE)
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { term: 0, vote: null }
    throw new StorageError(`cannot read ${path}`, { cause: err, details: { file: path } })
  }
  const frame = readFrame(bytes, 0)
  const fail = (reason: string): StorageError =>
    new StorageError(`corrupt hard state file ${path}: ${reason}`, { details: { file: path, offset: 0 } })
  if (!frame.ok) throw fail(frame.reason)
  if (frame.end !== bytes.length) throw fail(`${bytes.length - frame.end} trailing bytes`)
  let value: unknown
  try {
    value = decode(frame.payload)
  } catch (err) {
    throw fail((err as Error).message)
  }
  const { term, vote } = (value ?? {}) as { term?: unknown; vote?: unknown }
  if (!isCount(term)) throw fail('term is not a non-negative integer')
  if (vote !== null && (typeof vote !== 'string' || vote.length === 0 || vote.length > MAX_VOTE_LENGTH)) {
    throw fail('vote is not null or a peer id')
  }
  return { term, vote }
}
