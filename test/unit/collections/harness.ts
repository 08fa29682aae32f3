/**
 * Test harness: a log of commands applied to several independent replicas the way the Groups
 * runtime will (each replica decodes the same entry bytes), plus snapshot transfer helpers.
 */
import { expect } from 'vitest'
import type { CollectionState, CommandShape } from '../../../runtime/collections/state/machine.ts'
import type { ApplyOutcome } from '../../../runtime/collections/state/outcome.ts'
import type { SnapshotSource } from '../../../runtime/collections/state/snapshot.ts'
import { decode, encode } from '../../../runtime/primitives/codec.ts'

// biome-ignore lint/suspicious/noExplicitAny: the harness works with every state machine.
export type AnyState = CollectionState<CommandShape, any, any, any, any>

/** Applies every command to every replica at the next log index; returns the first replica's outcomes. */
export class Log<S extends AnyState> {
  readonly replicas: S[]
  index = 0

  constructor(replicas: S[]) {
    this.replicas = replicas
  }

  /** Appends one command (as the bytes of a log entry) and applies it everywhere. */
  append(command: object): ApplyOutcome<unknown, unknown> {
    this.index++
    const entry = encode(command)
    const outcomes = this.replicas.map((replica) => replica.apply(decode(entry) as CommandShape, this.index))
    for (const outcome of outcomes) expect(outcome.ok).toBe(outcomes[0]?.ok)
    return outcomes[0] as ApplyOutcome<unknown, unknown>
  }

  /** Appends and expects the command to be applied; returns its result. */
  ok(command: object): unknown {
    const outcome = this.append(command)
    if (!outcome.ok) throw outcome.error
    return outcome.result
  }

  /** Adds a replica that joins late from a snapshot of the first replica. */
  join(fresh: S, batchSize = 7): S {
    transfer(this.replicas[0] as S, fresh, batchSize)
    this.replicas.push(fresh)
    return fresh
  }
}

/** Hex of every batch of a snapshot: equal strings mean byte-identical snapshots. */
export function snapshotHex(source: SnapshotSource, batchSize = 5): string[] {
  return [...source.batches(batchSize)].map((batch) => Buffer.from(batch).toString('hex'))
}

/** Moves `from`'s current snapshot into `into`, batches arriving in reverse order. */
export function transfer(from: AnyState, into: AnyState, batchSize: number): void {
  const source = from.snapshot()
  const assembler = into.assembler(source)
  for (const batch of [...source.batches(batchSize)].reverse()) assembler.accept(batch)
  into.restore(assembler)
}

/** Asserts every replica holds byte-identical snapshots at the same version. */
export function expectConverged(replicas: readonly AnyState[]): void {
  const [first, ...rest] = replicas.map((replica) => ({
    version: replica.version,
    bytes: snapshotHex(replica.snapshot()),
  }))
  for (const other of rest) expect(other).toEqual(first)
}
