import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import {
  defineCell,
  defineGroup,
  defineMap,
  defineOnce,
  definePriorityQueue,
  defineSet,
  defineStream,
  defineVec,
  isDeclaration,
} from '../../../schemas/declarations.ts'

describe('define*', () => {
  it('return frozen plain data that survives JSON', () => {
    const orders = defineStream({ name: 'orders', datum: Type.String(), description: 'all orders' })
    expect(Object.isFrozen(orders)).toBe(true)
    expect(JSON.parse(JSON.stringify(orders))).toEqual({
      '~mosaik': 'declaration/v1',
      kind: 'stream',
      name: 'orders',
      datum: { type: 'string' },
      description: 'all orders',
    })
    expect(isDeclaration(orders)).toBe(true)
    expect(isDeclaration(JSON.parse(JSON.stringify(orders)))).toBe(true)
    expect(isDeclaration({ kind: 'stream', name: 'orders' })).toBe(false)
  })

  it('declare every kind', () => {
    const value = Type.String()
    const kinds = [
      defineStream({ name: 's', datum: value }),
      defineGroup({ name: 'g', commands: { put: value } }),
      defineMap({ name: 'm', key: value, value }),
      defineVec({ name: 'v', value }),
      defineSet({ name: 'e', value }),
      defineCell({ name: 'c', value }),
      defineOnce({ name: 'o', value }),
      definePriorityQueue({ name: 'p', priority: Type.Integer(), key: value, value, capacity: 10 }),
    ].map((d) => d.kind)
    expect(kinds).toEqual(['stream', 'group', 'map', 'vec', 'set', 'cell', 'once', 'priorityQueue'])
    expect(defineGroup({ name: 'g', commands: {} }).queries).toEqual({})
  })

  it.each([
    ['an empty name', () => defineStream({ name: '', datum: Type.String() }), /name must match/],
    [
      'a missing schema',
      () => defineMap({ name: 'm', key: Type.String(), value: undefined as never }),
      /value/,
    ],
    [
      'a reserved method name',
      () => defineGroup({ name: 'g', commands: { snapshot: Type.Null() } }),
      /snapshot/,
    ],
    [
      'a prototype method name',
      () => defineGroup({ name: 'g', commands: { toString: Type.Null() } }),
      /toString/,
    ],
    [
      'a non-identifier command',
      () => defineGroup({ name: 'g', commands: { 'do-it': Type.Null() } }),
      /do-it/,
    ],
    [
      'a command and query with one name',
      () =>
        defineGroup({
          name: 'g',
          commands: { x: Type.Null() },
          queries: { x: { input: Type.Null(), output: Type.Null() } },
        }),
      /both a command and a query/,
    ],
    [
      'a zero capacity',
      () =>
        definePriorityQueue({
          name: 'p',
          priority: Type.Integer(),
          key: Type.String(),
          value: Type.String(),
          capacity: 0,
        }),
      /capacity/,
    ],
  ])('reject %s', (_what, make, message) => {
    expect(make).toThrow(message)
  })
})
