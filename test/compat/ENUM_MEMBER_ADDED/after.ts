import { defineStream } from 'mosaik/schema'
import Type from 'typebox'

export const orders = defineStream({
  name: 'orders',
  datum: Type.Object({ side: Type.Enum(['buy', 'sell', 'hold']) }),
})
