import { defineGroup } from 'mosaik/schema'
import Type from 'typebox'

export const matcher = defineGroup({
  name: 'matcher',
  commands: { place: Type.Object({ id: Type.String() }), cancel: Type.Object({ id: Type.String() }) },
  queries: { depth: { input: Type.Object({ levels: Type.Integer() }), output: Type.Array(Type.String()) } },
})
