import { describe, expect, it } from 'vitest'
import type {
  ApplyContext,
  CollectionsRuntime,
  GroupSession,
  GroupsRuntime,
  MachineAdapter,
  StreamsRuntime,
} from '../../../runtime/codegen-v1.ts'
import { Digest, map, stream, validatorOf } from '../../../runtime/codegen-v1.ts'
import { InvalidInputError, ProtocolError } from '../../../runtime/primitives/errors.ts'
import { streamIdOf } from '../../../schemas/identity.ts'
import {
  balances,
  type MatcherMachine,
  matcher,
  type Order,
  orders,
} from '../../golden/fixtures/orderbook/generated/index.ts'

const order: Order = { id: 'o1', side: 'buy', price: 10, qty: 2 }

/** Appends `call` to `calls` and returns `result`. */
function record<R>(calls: unknown[][], call: unknown[], result: R): R {
  calls.push(call)
  return result
}

/** A Groups runtime that records what the typed layer hands it, with a session driven by the test. */
function recordingGroups(): {
  runtime: GroupsRuntime
  calls: unknown[][]
  adapter: () => MachineAdapter
  session: GroupSession & { leader: string | undefined }
} {
  const calls: unknown[][] = []
  let adapter: MachineAdapter | undefined
  const session = {
    groupId: Digest.hash(new Uint8Array([1])),
    storeId: Digest.hash(new Uint8Array([2])),
    when: {} as GroupSession['when'],
    leader: undefined as string | undefined,
    isLeader: false,
    members: { voters: [], learners: [] },
    committed: 0,
    execute: async (...args: unknown[]) => record(calls, ['execute', ...args], 7),
    feed: async (...args: unknown[]) => record(calls, ['feed', ...args], 8),
    query: async (...args: unknown[]) => record(calls, ['query', ...args], [order]),
    close: async () => void calls.push(['close']),
    [Symbol.asyncDispose]: async () => {},
  }
  const runtime: GroupsRuntime = {
    join: (descriptor, machine, options) => {
      calls.push(['join', descriptor.name, options])
      adapter = machine
      return session
    },
  }
  return { runtime, calls, adapter: () => adapter as MachineAdapter, session }
}

class Book implements MatcherMachine<Order[]> {
  orders: Order[] = []
  place(command: Order, _context: ApplyContext): void {
    this.orders.push(command)
  }
  cancel(command: { id: string }): void {
    this.orders = this.orders.filter((o) => o.id !== command.id)
  }
  depth(input: { levels: number }): Order[] {
    return this.orders.slice(0, input.levels)
  }
  snapshot(): Order[] {
    return [...this.orders]
  }
  restore(snapshot: Order[]): void {
    this.orders = [...snapshot]
  }
}

describe('codegen-v1 handles from generated code', () => {
  it('carry their frozen, self-consistent descriptor', () => {
    expect(orders.name).toBe('orders')
    expect(orders.streamId.equals(streamIdOf('orders'))).toBe(true)
    expect(Object.isFrozen(orders.descriptor.datum.schema)).toBe(true)
    expect(() => stream<Order>({ ...orders.descriptor, name: 'fills' })).toThrow(InvalidInputError)
    const datum = { ...orders.descriptor.datum, signature: '0'.repeat(64) }
    expect(() => stream<Order>({ ...orders.descriptor, datum })).toThrow(/datum signature does not match/)
    const value = { ...balances.descriptor.value, schema: { type: 'string' } }
    expect(() => map({ ...balances.descriptor, value })).toThrow(/regenerate it with `mosaik generate`/)
  })

  it('streams delegate to the network with the descriptor', () => {
    const calls: unknown[][] = []
    const streams = {
      producer: (d: unknown, o: unknown) => record(calls, ['producer', d, o], 'producer'),
      consumer: (d: unknown, o: unknown) => record(calls, ['consumer', d, o], 'consumer'),
    } as unknown as StreamsRuntime
    expect(orders.producer({ streams })).toBe('producer')
    expect(orders.consumer({ streams }, { bufferSize: 8 })).toBe('consumer')
    expect(calls).toEqual([
      ['producer', orders.descriptor, {}],
      ['consumer', orders.descriptor, { bufferSize: 8 }],
    ])
  })

  it('collections open a writer or a reader of the descriptor', () => {
    const calls: unknown[][] = []
    const collections = {
      open: (d: { name: string }, role: string, o: unknown) => record(calls, [d.name, role, o], role),
    } as unknown as CollectionsRuntime
    expect(balances.writer({ collections })).toBe('writer')
    expect(balances.reader({ collections }, { secret: 's' })).toBe('reader')
    expect(calls).toEqual([
      ['balances', 'writer', {}],
      ['balances', 'reader', { secret: 's' }],
    ])
  })

  it('groups dispatch commands and queries by name to the machine and back', async () => {
    const { runtime, calls, adapter, session } = recordingGroups()
    const book = new Book()
    const client = matcher.join({ groups: runtime }, book, { minVoters: 3 })
    expect(calls[0]).toEqual(['join', 'matcher', { minVoters: 3 }])

    const context = { index: 1, term: 1, groupId: session.groupId, networkId: session.groupId }
    adapter().apply('place', order, context)
    expect(adapter().query('depth', { levels: 5 })).toEqual([order])
    expect(adapter().snapshot()).toEqual([order])
    adapter().restore([])
    expect(book.orders).toEqual([])
    expect(() => adapter().apply('snapshot', order, context)).toThrow(ProtocolError)
    expect(() => adapter().query('constructor', {})).toThrow(ProtocolError)

    expect(await client.execute.place(order)).toBe(7)
    expect(await client.feed.cancel({ id: 'o1' })).toBe(8)
    expect(await client.query.depth({ levels: 1 }, { consistency: 'local' })).toEqual([order])
    expect(calls.slice(1)).toEqual([
      ['execute', 'place', order, undefined],
      ['feed', 'cancel', { id: 'o1' }, undefined],
      ['query', 'depth', { levels: 1 }, { consistency: 'local' }],
    ])
    expect(Object.keys(client.execute).sort()).toEqual(['cancel', 'place'])
    expect('toString' in client.execute).toBe(false)

    expect(client.leader).toBeUndefined()
    session.leader = 'peer-a'
    expect(client.leader).toBe('peer-a')
    await client.close()
    expect(calls.at(-1)).toEqual(['close'])
  })

  it('groups refuse a machine that lacks a method', () => {
    const { runtime } = recordingGroups()
    const partial = { place() {}, cancel() {}, snapshot: () => null, restore() {} }
    expect(() => matcher.join({ groups: runtime }, partial as unknown as MatcherMachine, {})).toThrow(
      /lacks method\(s\) depth/,
    )
  })

  it('compile one validator per embedded schema', () => {
    const validator = validatorOf<Order>('orders', orders.descriptor.datum)
    expect(validatorOf('orders', orders.descriptor.datum)).toBe(validator)
    expect(validator.check(order)).toBe(true)
    expect(() => validator.parse({ ...order, side: 'hold' }, { peer: 'p1' })).toThrow(/'orders' at '\/side'/)
  })
})
