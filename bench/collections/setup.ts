/** What the collections benchmark's processes share: the Map declaration they open by name. */
import Type from 'typebox'
import {
  type CollectionDescriptor,
  type MapHandle,
  map,
  typeSignatureOfDescriptor,
} from '../../runtime/codegen-v1.ts'
import { canonicalSchema, signature } from '../../schemas/index.ts'

const INTEGER = Type.Integer()

/** The handle of a Map named `name` with integer keys and values, as generated code declares it. */
export function benchMap(name: string): MapHandle<number, number> {
  const schema = { schema: canonicalSchema(INTEGER), signature: signature(INTEGER).hex }
  const descriptor = {
    kind: 'map',
    name,
    key: schema,
    value: schema,
    typeSignature: '',
  } as CollectionDescriptor
  return map<number, number>({
    ...descriptor,
    typeSignature: typeSignatureOfDescriptor(descriptor).hex,
  } as Extract<CollectionDescriptor, { kind: 'map' }>)
}
