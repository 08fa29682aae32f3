import { defineStream } from 'mosaik/schema'
import Type from 'typebox'

export const orders = defineStream({
  name: 'orders',
  datum: Type.Object({ ref: Type.Union([Type.String(), Type.Integer(), Type.Null()]) }),
})
