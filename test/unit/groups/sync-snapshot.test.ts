/**
 * Taking a snapshot without stalling the node: a collection's `snapshot()` is captured in O(1) and
 * encoded only when iterated, still giving the state of the moment it was taken; the groups driver
 * encodes it in slices (`encodeSnapshot`) that let the event loop run, into the same bytes as
 * `joinSnapshot`.
 */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import type { CollectionDescriptor } from '../../../runtime/codegen-v1.ts'
import { typeSignatureOfDescriptor } from '../../../runtime/codegen-v1.ts'
import { Replica } from '../../../runtime/collections/runtime/replica.ts'
import { stateFactory, validatorsOf } from '../../../runtime/collections/runtime/states.ts'
import {
  encodeSnapshot,
  joinSnapshot,
  snapshotDigest,
} from '../../../runtime/groups/runtime/snapshot-blob.ts'
import { canonicalSchema, signature } from '../../../schemas/index.ts'

const INTEGER = { schema: canonicalSchema(Type.Integer()), signature: signature(Type.Integer()).hex }

function mapReplica(): Replica<ReturnType<ReturnType<typeof stateFactory>>> {
  const base = { kind: 'map', name: 'lazy', key: INTEGER, value: INTEGER, typeSignature: '' }
  const descriptor = {
    ...base,
    typeSignature: typeSignatureOfDescriptor(base as CollectionDescriptor).hex,
  } as CollectionDescriptor
  return new Replica(stateFactory(descriptor, validatorsOf(descriptor)), 100)
}

function fill(replica: ReturnType<typeof mapReplica>, from: number, count: number, index: number): void {
  const entries = Array.from({ length: count }, (_, i) => [from + i, i] as const)
  replica.apply({ op: 'extend', entries }, { index } as never)
}

const hex = (chunks: Iterable<Uint8Array>) => [...chunks].map((c) => Buffer.from(c).toString('hex'))

describe('snapshots taken without stalling', () => {
  it("a collection's snapshot is the state when it was taken, even when iterated after more writes", () => {
    const replica = mapReplica()
    fill(replica, 0, 1_000, 1)
    const lazy = replica.snapshot()
    const eager = hex(replica.snapshot())
    fill(replica, 5_000, 500, 2)
    replica.apply({ op: 'delete', key: 3 }, { index: 3 } as never)
    expect(hex(lazy)).toEqual(eager)
    // Iterable more than once, each time the same bytes.
    expect(hex(lazy)).toEqual(eager)
    expect(hex(replica.snapshot())).not.toEqual(eager)
  })

  it('encodeSnapshot gives the bytes and digest of joinSnapshot, letting timers run while it works', async () => {
    const replica = mapReplica()
    for (let i = 0; i < 4; i++) fill(replica, i * 10_000, 10_000, i + 1)
    const chunks = [...replica.snapshot()]
    let ticks = 0
    const timer = setInterval(() => ticks++, 0)
    // A lazy iterable that is slow to produce each chunk: the encoder must yield between slices.
    const slow = (function* () {
      for (const chunk of chunks) {
        const until = performance.now() + 0.5
        while (performance.now() < until) {
          // busy: stands for encoding a batch
        }
        yield chunk
      }
    })()
    const encoded = await encodeSnapshot(slow, () => false).finally(() => clearInterval(timer))
    const blob = joinSnapshot(chunks)
    expect(encoded).not.toBeNull()
    expect(Buffer.concat(encoded?.pieces ?? [])).toEqual(Buffer.from(blob))
    expect(encoded?.size).toBe(blob.length)
    expect(encoded?.digest).toBe(snapshotDigest(blob))
    expect(ticks).toBeGreaterThan(5)
  })

  it('encodeSnapshot stops at a turn once asked to', async () => {
    let produced = 0
    const endless = (function* () {
      for (;;) {
        produced++
        const until = performance.now() + 1
        while (performance.now() < until) {
          // busy
        }
        yield Uint8Array.of(produced % 256)
      }
    })()
    let stop = false
    setTimeout(() => {
      stop = true
    }, 20)
    expect(await encodeSnapshot(endless, () => stop)).toBeNull()
    expect(produced).toBeGreaterThan(0)
  })
})
