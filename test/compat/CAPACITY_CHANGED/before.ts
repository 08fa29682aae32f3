import { definePriorityQueue } from 'mosaik/schema'
import Type from 'typebox'

export const asks = definePriorityQueue({
  name: 'asks',
  priority: Type.Integer(),
  key: Type.String(),
  value: Type.String(),
  capacity: 100,
})
