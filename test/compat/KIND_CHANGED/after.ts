import { defineVec } from 'mosaik/schema'
import Type from 'typebox'

export const orders = defineVec({ name: 'orders', value: Type.String() })
