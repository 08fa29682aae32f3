/**
 * `mosaik/schema`: what users import to declare streams, groups and collections, the extra types
 * JSON Schema lacks (bytes, 64-bit integers), and the canonical signatures and identity derivation
 * of SPEC §4.
 *
 * ```ts
 * import Type from 'typebox'
 * import { defineStream, defineMap } from 'mosaik/schema'
 * export const Order = Type.Object({ id: Type.String(), price: Type.Integer() })
 * export const orders = defineStream({ name: 'orders', datum: Order })
 * export const balances = defineMap({ name: 'balances', key: Type.String(), value: Type.Integer() })
 * ```
 */
export {
  type CanonicalSchema,
  canonicalJson,
  canonicalSchema,
  type JsonValue,
  signature,
  signatureOfCanonical,
  UnsupportedSchemaError,
} from './canonical.ts'
export {
  type CellDeclaration,
  type DatumOf,
  type Declaration,
  defineCell,
  defineGroup,
  defineMap,
  defineOnce,
  definePriorityQueue,
  defineSet,
  defineStream,
  defineVec,
  type GroupDeclaration,
  isDeclaration,
  type MapDeclaration,
  type OnceDeclaration,
  type PriorityQueueDeclaration,
  type QuerySchemas,
  type SetDeclaration,
  type StreamDeclaration,
  type VecDeclaration,
} from './declarations.ts'
export {
  type CollectionShape,
  type GroupShape,
  groupIdOf,
  networkIdOf,
  storeIdOf,
  streamIdOf,
  typeSignatureOf,
} from './identity.ts'
export { Bytes, type BytesOptions, type ExtraTypeName, I64, type IntegerTypeOptions, U64 } from './types.ts'
