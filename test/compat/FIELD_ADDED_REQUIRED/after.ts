import { defineStream } from 'mosaik/schema'
import Type from 'typebox'

export const orders = defineStream({
  name: 'orders',
  datum: Type.Object({ id: Type.String(), qty: Type.Integer() }),
})
