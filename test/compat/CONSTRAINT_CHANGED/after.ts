import { defineStream } from 'mosaik/schema'
import Type from 'typebox'

export const orders = defineStream({
  name: 'orders',
  datum: Type.Object({ qty: Type.Integer({ minimum: 1, maximum: 1000 }) }),
})
