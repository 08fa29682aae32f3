import { defineMap } from 'mosaik/schema'
import Type from 'typebox'

export const balances = defineMap({ name: 'balances', key: Type.Integer(), value: Type.Integer() })
