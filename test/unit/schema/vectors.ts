/**
 * Fixed inputs of the identity golden vectors. `vectors.json` holds their committed outputs; an
 * accidental change to normalization, hashing or derivation changes a hex and fails the test.
 */
import Type from 'typebox'
import { typeSignatureOfDescriptor } from '../../../runtime/codegen/verify.ts'
import { Digest } from '../../../runtime/primitives/digest.ts'
import { canonicalSchema, signature } from '../../../schemas/canonical.ts'
import { groupIdOf, networkIdOf, storeIdOf, streamIdOf } from '../../../schemas/identity.ts'
import { Bytes, I64, U64 } from '../../../schemas/types.ts'

const Order = Type.Object({
  id: Type.String(),
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
  price: Type.Integer({ minimum: 0 }),
  qty: Type.Integer(),
  note: Type.Optional(Type.String({ maxLength: 140 })),
})

const schemas = {
  string: Type.String(),
  integer: Type.Integer(),
  order: Order,
  extras: Type.Object({ key: Bytes({ minBytes: 32, maxBytes: 32 }), amount: U64(), delta: I64() }),
  nested: Type.Array(Type.Record(Type.String(), Type.Tuple([Type.Number(), Type.Null()]))),
}

function entry(schema: unknown): { schema: ReturnType<typeof canonicalSchema>; signature: string } {
  return { schema: canonicalSchema(schema), signature: signature(schema).hex }
}

/** Every vector by name → lowercase hex. */
export function computeVectors(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, schema] of Object.entries(schemas)) out[`signature/${name}`] = signature(schema).hex
  out['networkId/test-net'] = networkIdOf('test-net').hex
  out['streamId/orders'] = streamIdOf('orders').hex
  out['groupId/test-net/matcher'] = groupIdOf('test-net', 'matcher').hex
  out['groupId/test-net/matcher/secret'] = groupIdOf('test-net', 'matcher', 'hunter2').hex
  const map = typeSignatureOfDescriptor({
    kind: 'map',
    name: 'balances',
    key: entry(schemas.string),
    value: entry(schemas.integer),
    typeSignature: '',
  })
  out['typeSignature/map<string,integer>'] = map.hex
  const queue = typeSignatureOfDescriptor({
    kind: 'priorityQueue',
    name: 'asks',
    priority: entry(schemas.integer),
    key: entry(schemas.string),
    value: entry(schemas.order),
    capacity: 100,
    typeSignature: '',
  })
  out['typeSignature/priorityQueue<integer,string,order>/100'] = queue.hex
  const group = typeSignatureOfDescriptor({
    kind: 'group',
    name: 'matcher',
    commands: { cancel: entry(Type.Object({ id: Type.String() })), place: entry(schemas.order) },
    queries: {
      depth: { input: entry(Type.Object({ levels: Type.Integer() })), output: entry(Type.Array(Order)) },
    },
    typeSignature: '',
  })
  out['typeSignature/group/matcher'] = group.hex
  out['storeId/test-net/balances'] = storeIdOf(groupIdOf('test-net', 'balances'), Digest.fromHex(map.hex)).hex
  return out
}
