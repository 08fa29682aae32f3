/**
 * `watch(fromVersion)`: the change records of every version after `fromVersion`, then live ones, as
 * an async iterable. It reads the state's bounded history each time it catches up, so a slow
 * consumer holds no queue of its own: if it falls further behind than the history holds, or a
 * snapshot replaces the state past its position, the iteration throws `HistoryTruncatedError` and
 * the consumer starts again from a fresh read. Aborting `signal` ends the iteration.
 */
import type { Version } from '../../codegen/collections.ts'
import { waitFor } from '../../primitives/watch.ts'
import type { ChangeHistory } from './history.ts'
import type { StateEvent } from './machine.ts'

/** What a change feed needs from a state machine. */
export interface ChangeSource<C> {
  readonly version: Version
  readonly history: ChangeHistory<C>
  subscribe(listener: (event: StateEvent<C>) => void): () => void
}

/** Options of `watchChanges`. */
export interface FeedOptions {
  /** Ends the iteration when aborted. */
  readonly signal?: AbortSignal
}

/** Changes after `fromVersion` (default: the current version), oldest first, then as they happen. */
export async function* watchChanges<C>(
  source: ChangeSource<C>,
  fromVersion: Version = source.version,
  options: FeedOptions = {},
): AsyncGenerator<C, void, undefined> {
  const { signal } = options
  let position = fromVersion
  while (!signal?.aborted) {
    const batches = source.history.since(position)
    if (batches.length === 0) {
      const woke = await waitFor<boolean>(signal === undefined ? {} : { signal }, (resolve) =>
        source.subscribe(() => resolve(true)),
      ).catch((error: unknown) => {
        if (signal?.aborted) return false
        throw error
      })
      if (!woke) return
      continue
    }
    for (const batch of batches) {
      yield* batch
      position = batch.version
    }
  }
}
