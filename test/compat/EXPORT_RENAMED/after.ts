import { defineStream } from 'mosaik/schema'
import Type from 'typebox'

export const orderStream = defineStream({ name: 'orders', datum: Type.String() })
