import { defineStream } from 'mosaik/schema'
import Type from 'typebox'

export const orders = defineStream({
  name: 'orders',
  datum: Type.Object({ side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]) }),
})
