/**
 * msgpack encoders and decoders compiled from a declaration's schema, for the hot paths that move
 * many small values of one shape (stream datums).
 *
 * The generic codec (runtime/primitives/codec.ts) discovers every value's type and every key's
 * spelling at run time and allocates a string per key it reads. A compiled codec knows the shape:
 * keys are written from pre-encoded bytes and recognised by comparing bytes, and each field is read
 * by a reader for its declared type. It is an accelerator, never a second format:
 * - `encode` writes exactly the bytes a msgpack decoder turns back into an equal value (integers in
 *   the smallest form, other numbers as float64, keys in UTF-8 byte order); for anything the schema
 *   does not predict — an undeclared property, a value of another type — it returns undefined and
 *   the caller uses the generic encoder.
 * - `decode` gives the value the generic decoder would give, or `FALLBACK` for any input outside
 *   the fast path (other key spellings, other number forms, duplicate keys, truncation, trailing
 *   bytes…); the caller then runs the generic decoder, which produces the value or the precise
 *   `DecodeError`. Validation against the schema stays the caller's job either way.
 * Schemas with parts the compiler does not handle (unions, records, 64-bit integers…) get no
 * compiled codec at all.
 */
import { compareUtf8, decode, encode } from '../primitives/codec.ts'
import type { CanonicalSchema, JsonValue, SchemaDescriptor } from './descriptors.ts'

/** Returned by `decode` when the bytes leave the fast path. */
export const FALLBACK: unique symbol = Symbol('schema-codec fallback')

export interface SchemaCodec {
  /** The msgpack bytes of `value`, or undefined when its shape is not the declared one. */
  encode(value: unknown): Uint8Array | undefined
  /**
   * The value encoded in `bytes[start, end)`, or `FALLBACK` when the generic decoder must decide.
   * Byte strings in the value are views into `bytes`.
   */
  decode(bytes: Uint8Array, start?: number, end?: number): unknown
}

/** Where encoding writes: a slab that datums are carved from, replaced when full. */
interface Output {
  buf: Uint8Array
  view: DataView
  pos: number
  /** Where the datum being written began (it moves whole to a new slab when one is needed). */
  start: number
}

/** What decoding reads: `buf[pos, end)`; `view` covers `buf` from its first byte. */
interface Input {
  buf: Uint8Array
  view: DataView
  pos: number
  end: number
}

type Writer = (out: Output, value: unknown) => boolean
type Reader = (input: Input) => unknown

interface Part {
  readonly write: Writer
  readonly read: Reader
}

/** Slab size for encoded datums; a datum bigger than a quarter of it gets a slab of its own. */
const SLAB_BYTES = 64 * 1024
const ascii = new TextEncoder()
/** Strict: invalid UTF-8 goes to the generic decoder, and a leading BOM is kept as data. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const cache = new WeakMap<SchemaDescriptor, SchemaCodec | null>()

/** The compiled codec of one embedded schema (compiled once per descriptor), if it has one. */
export function schemaCodecOf(descriptor: SchemaDescriptor): SchemaCodec | undefined {
  let codec = cache.get(descriptor)
  if (codec === undefined) {
    codec = compileSchemaCodec(descriptor.schema) ?? null
    cache.set(descriptor, codec)
  }
  return codec ?? undefined
}

/** `value` as msgpack: through `codec` when it predicts the shape, else the generic encoder. */
export function encodeWith(codec: SchemaCodec | undefined, value: unknown): Uint8Array {
  return codec?.encode(value) ?? encode(value)
}

/**
 * The value in `bytes[start, end)`: through `codec` when the bytes are on its fast path, else the
 * generic decoder (which throws `DecodeError` for malformed input).
 */
export function decodeWith(
  codec: SchemaCodec | undefined,
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
): unknown {
  const value = codec === undefined ? FALLBACK : codec.decode(bytes, start, end)
  return value === FALLBACK ? decode(bytes.subarray(start, end)) : value
}

/** Compiles `schema`, or returns undefined when it has parts only the generic codec handles. */
export function compileSchemaCodec(schema: CanonicalSchema): SchemaCodec | undefined {
  const root = compilePart(schema)
  if (root === undefined) return undefined
  const out = newSlab(SLAB_BYTES)
  const input: Input = { buf: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)), pos: 0, end: 0 }
  return {
    encode(value) {
      if (out.buf.length - out.pos < SLAB_BYTES / 4) useSlab(out, newSlab(SLAB_BYTES))
      out.start = out.pos
      if (!root.write(out, value)) {
        out.pos = out.start
        return undefined
      }
      return out.buf.subarray(out.start, out.pos)
    },
    decode(bytes, start = 0, end = bytes.length) {
      if (input.buf !== bytes) {
        // Datums of one frame share it: one view per frame, not per datum.
        input.buf = bytes
        input.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      }
      input.pos = start
      input.end = end
      const value = root.read(input)
      return input.pos === end ? value : FALLBACK
    },
  }
}

function newSlab(size: number): Output {
  const buf = new Uint8Array(size)
  return { buf, view: new DataView(buf.buffer), pos: 0, start: 0 }
}

function useSlab(out: Output, slab: Output): void {
  out.buf = slab.buf
  out.view = slab.view
  out.pos = slab.pos
  out.start = slab.start
}

/** Makes room for `n` more bytes, moving the datum being written to a fresh slab if needed. */
function ensure(out: Output, n: number): void {
  if (out.pos + n <= out.buf.length) return
  const used = out.pos - out.start
  const next = newSlab(Math.max(SLAB_BYTES, (used + n) * 2))
  next.buf.set(out.buf.subarray(out.start, out.pos))
  next.pos = used
  useSlab(out, next)
}

function compilePart(schema: JsonValue | undefined): Part | undefined {
  if (!isSchema(schema)) return undefined
  const marker = schema['x-mosaik']
  if (marker === 'bytes') return BYTES
  if (marker !== undefined) return undefined // u64/i64: bigint forms stay with the generic codec
  if (schema.anyOf !== undefined || schema.oneOf !== undefined || schema.allOf !== undefined) return undefined
  const type = schema.type ?? constType(schema.const)
  switch (type) {
    case 'string':
      return STRING
    case 'number':
    case 'integer':
      return NUMBER
    case 'boolean':
      return BOOLEAN
    case 'null':
      return NULL
    case 'array':
      return schema.prefixItems === undefined ? arrayPart(schema.items) : undefined
    case 'object':
      return objectPart(schema)
    default:
      return undefined
  }
}

function isSchema(value: JsonValue | undefined): value is CanonicalSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function constType(value: JsonValue | undefined): string | undefined {
  if (value === null) return 'null'
  const type = typeof value
  return type === 'string' || type === 'number' || type === 'boolean' ? type : undefined
}

// ── numbers ─────────────────────────────────────────────────────────────────────────────────────

const NUMBER: Part = {
  write(out, value) {
    if (typeof value !== 'number') return false
    ensure(out, 9)
    writeNumber(out, value)
    return true
  },
  read(input) {
    const { buf, view } = input
    if (input.pos >= input.end) return FALLBACK
    const byte = buf[input.pos] as number
    if (byte < 0x80) {
      input.pos++
      return byte
    }
    if (byte >= 0xe0) {
      input.pos++
      return byte - 0x100
    }
    const at = input.pos + 1
    const size = NUMBER_SIZES[byte - 0xcb]
    if (size === undefined || at + size > input.end) return FALLBACK
    input.pos = at + size
    switch (byte) {
      case 0xcb:
        return view.getFloat64(at)
      case 0xcc:
        return buf[at]
      case 0xcd:
        return view.getUint16(at)
      case 0xce:
        return view.getUint32(at)
      case 0xd0:
        return view.getInt8(at)
      case 0xd1:
        return view.getInt16(at)
      default:
        return view.getInt32(at)
    }
  },
}

/**
 * Payload sizes of the number forms read here, indexed from 0xcb: float64, uint8/16/32, int8/16/32.
 * uint64/int64 (bigints in the generic codec) and float32 (rounded there) are left to it.
 */
const NUMBER_SIZES: readonly (number | undefined)[] = [8, 1, 2, 4, undefined, 1, 2, 4]

/** The forms a msgpack encoder picks for a JavaScript number: smallest integer, else float64. */
function writeNumber(out: Output, value: number): void {
  const { buf, view } = out
  if (value >>> 0 === value) {
    if (value < 0x80) buf[out.pos++] = value
    else if (value < 0x100) {
      buf[out.pos++] = 0xcc
      buf[out.pos++] = value
    } else if (value < 0x10000) {
      buf[out.pos++] = 0xcd
      view.setUint16(out.pos, value)
      out.pos += 2
    } else {
      buf[out.pos++] = 0xce
      view.setUint32(out.pos, value)
      out.pos += 4
    }
  } else if (value >> 0 === value) {
    if (value >= -0x20) buf[out.pos++] = 0x100 + value
    else if (value >= -0x80) {
      buf[out.pos++] = 0xd0
      buf[out.pos++] = value + 0x100
    } else if (value >= -0x8000) {
      buf[out.pos++] = 0xd1
      view.setInt16(out.pos, value)
      out.pos += 2
    } else {
      buf[out.pos++] = 0xd2
      view.setInt32(out.pos, value)
      out.pos += 4
    }
  } else {
    buf[out.pos++] = 0xcb
    view.setFloat64(out.pos, value)
    out.pos += 8
  }
}

// ── strings and byte strings ────────────────────────────────────────────────────────────────────

const STRING: Part = {
  write(out, value) {
    if (typeof value !== 'string') return false
    writeString(out, value)
    return true
  },
  read(input) {
    const length = readHeader(input, STRING_FORMS)
    if (length < 0 || input.pos + length > input.end) return FALLBACK
    const start = input.pos
    input.pos += length
    return decodeUtf8(input.buf, start, input.pos)
  },
}

/** fixstr 0xa0–0xbf, str8 0xd9, str16 0xda, str32 0xdb. */
const STRING_FORMS: HeaderForms = { fixBase: 0xa0, fixMax: 31, b8: 0xd9, b16: 0xda, b32: 0xdb }

function writeString(out: Output, value: string): void {
  const length = value.length
  // Worst case: three UTF-8 bytes per UTF-16 unit, plus a 5-byte header.
  ensure(out, length * 3 + 5)
  const { buf } = out
  const start = out.pos
  if (length < 32) {
    let ok = true
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i)
      if (code >= 0x80) {
        ok = false
        break
      }
      buf[start + 1 + i] = code
    }
    if (ok) {
      buf[start] = 0xa0 | length
      out.pos = start + 1 + length
      return
    }
  }
  // Write the bytes after the largest header, then move them up if the header is shorter.
  const written = ascii.encodeInto(value, buf.subarray(start + 5)).written
  const header = headerSize(written, STRING_FORMS)
  if (header !== 5) buf.copyWithin(start + header, start + 5, start + 5 + written)
  out.pos = start
  writeHeader(out, written, STRING_FORMS)
  out.pos += written
}

/** ASCII up to 16 bytes by char codes (what msgpack decoders do too); the rest by TextDecoder. */
function decodeUtf8(buf: Uint8Array, start: number, end: number): string | typeof FALLBACK {
  if (end - start <= 16) {
    let text = ''
    for (let i = start; i < end; i++) {
      const code = buf[i] as number
      if (code >= 0x80) return decodeStrict(buf, start, end)
      text += String.fromCharCode(code)
    }
    return text
  }
  return decodeStrict(buf, start, end)
}

function decodeStrict(buf: Uint8Array, start: number, end: number): string | typeof FALLBACK {
  try {
    return utf8.decode(buf.subarray(start, end))
  } catch {
    return FALLBACK
  }
}

const BYTES: Part = {
  write(out, value) {
    if (!(value instanceof Uint8Array)) return false
    ensure(out, value.length + 5)
    writeHeader(out, value.length, BIN_FORMS)
    out.buf.set(value, out.pos)
    out.pos += value.length
    return true
  },
  read(input) {
    const length = readHeader(input, BIN_FORMS)
    if (length < 0 || input.pos + length > input.end) return FALLBACK
    const start = input.pos
    input.pos += length
    return input.buf.subarray(start, input.pos)
  },
}

/** bin8 0xc4, bin16 0xc5, bin32 0xc6 (no fix form). */
const BIN_FORMS: HeaderForms = { fixBase: -1, fixMax: -1, b8: 0xc4, b16: 0xc5, b32: 0xc6 }

// ── booleans and null ───────────────────────────────────────────────────────────────────────────

const BOOLEAN: Part = {
  write(out, value) {
    if (typeof value !== 'boolean') return false
    ensure(out, 1)
    out.buf[out.pos++] = value ? 0xc3 : 0xc2
    return true
  },
  read(input) {
    const byte = input.pos < input.end ? input.buf[input.pos] : undefined
    if (byte !== 0xc2 && byte !== 0xc3) return FALLBACK
    input.pos++
    return byte === 0xc3
  },
}

const NULL: Part = {
  write(out, value) {
    if (value !== null) return false
    ensure(out, 1)
    out.buf[out.pos++] = 0xc0
    return true
  },
  read(input) {
    if (input.pos >= input.end || input.buf[input.pos] !== 0xc0) return FALLBACK
    input.pos++
    return null
  },
}

// ── arrays and objects ──────────────────────────────────────────────────────────────────────────

/** fixarray 0x90–0x9f, array16 0xdc, array32 0xdd. */
const ARRAY_FORMS: HeaderForms = { fixBase: 0x90, fixMax: 15, b8: -1, b16: 0xdc, b32: 0xdd }
/** fixmap 0x80–0x8f, map16 0xde, map32 0xdf. */
const MAP_FORMS: HeaderForms = { fixBase: 0x80, fixMax: 15, b8: -1, b16: 0xde, b32: 0xdf }

function arrayPart(items: JsonValue | undefined): Part | undefined {
  const item = compilePart(items)
  if (item === undefined) return undefined
  return {
    write(out, value) {
      if (!Array.isArray(value)) return false
      ensure(out, 5)
      writeHeader(out, value.length, ARRAY_FORMS)
      for (let i = 0; i < value.length; i++) if (!item.write(out, value[i])) return false
      return true
    },
    read(input) {
      const length = readHeader(input, ARRAY_FORMS)
      // Every item takes at least one byte: a length beyond the input is a lie, not an allocation.
      if (length < 0 || length > input.end - input.pos) return FALLBACK
      const result: unknown[] = new Array(length)
      for (let i = 0; i < length; i++) {
        const value = item.read(input)
        if (value === FALLBACK) return FALLBACK
        result[i] = value
      }
      return result
    },
  }
}

interface Property {
  readonly name: string
  /** The key as a msgpack string, header included. */
  readonly key: Uint8Array
  readonly part: Part
}

function objectPart(schema: CanonicalSchema): Part | undefined {
  if (schema.patternProperties !== undefined) return undefined
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return undefined
  const declared = isSchema(schema.properties) ? schema.properties : {}
  const names = Object.keys(declared).sort(compareUtf8)
  // A key the JavaScript object model treats specially is left to the generic codec.
  if (names.some((name) => name === '__proto__')) return undefined
  const properties: Property[] = []
  for (const name of names) {
    const part = compilePart(declared[name])
    if (part === undefined) return undefined
    properties.push({ name, key: encodeKey(name), part })
  }
  if (properties.length > 31) return undefined // the decoder tracks seen keys in a 32-bit mask
  const shape: ObjectShape = {
    properties,
    all: properties.length === 31 ? 0x7fffffff : (1 << properties.length) - 1,
    build: objectBuilder(names),
    copyFields: fieldCopier(names),
    fields: new Array(properties.length),
  }
  return {
    write: (out, value) => writeObject(out, value, shape),
    read: (input) => readObject(input, shape),
  }
}

/** What writing and reading objects of one declared shape needs. */
interface ObjectShape {
  readonly properties: readonly Property[]
  /** The seen-mask when every declared property is present. */
  readonly all: number
  /** Builds the object from `fields` (declared order) when all are present. */
  readonly build: (fields: readonly unknown[]) => Record<string, unknown>
  /** Copies the declared properties of a value into `fields` (declared order). */
  readonly copyFields: (value: Record<string, unknown>, fields: unknown[]) => void
  /**
   * Scratch: the fields being written or read. One array serves both: encoding and decoding are
   * synchronous and never nest within one shape (nested values have shapes of their own).
   */
  readonly fields: unknown[]
}

/**
 * Functions generated from the declared names, for one hidden class and inline-cached named loads
 * instead of loads and stores by computed names. Names are embedded as JSON string literals, so no
 * name can break out of the code. Where code generation from strings is disallowed
 * (`--disallow-code-generation-from-strings`), `fallback` does the same by loops.
 */
function generated<F>(parameters: readonly string[], body: string, fallback: F): F {
  try {
    return new Function(...parameters, body) as F
  } catch {
    return fallback
  }
}

/** Returns an object literal with the declared keys, so every decoded object gets one hidden class. */
function objectBuilder(names: readonly string[]): ObjectShape['build'] {
  const entries = names.map((name, i) => `${JSON.stringify(name)}: f[${i}]`).join(', ')
  return generated(['f'], `return { ${entries} }`, (fields: readonly unknown[]) => {
    const result: Record<string, unknown> = {}
    names.forEach((name, i) => {
      result[name] = fields[i]
    })
    return result
  })
}

/** Copies an object's declared properties into an array with one named load per field. */
function fieldCopier(names: readonly string[]): ObjectShape['copyFields'] {
  const loads = names.map((name, i) => `f[${i}] = v[${JSON.stringify(name)}]`).join('; ')
  return generated(['v', 'f'], loads, (value: Record<string, unknown>, fields: unknown[]) => {
    names.forEach((name, i) => {
      fields[i] = value[name]
    })
  })
}

function encodeKey(name: string): Uint8Array {
  const out = newSlab(name.length * 3 + 5)
  writeString(out, name)
  return out.buf.slice(0, out.pos)
}

function writeObject(out: Output, value: unknown, shape: ObjectShape): boolean {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return false // Maps, Dates, class instances
  const { properties, fields } = shape
  shape.copyFields(value as Record<string, unknown>, fields)
  let present = 0
  for (let i = 0; i < fields.length; i++) if (fields[i] !== undefined) present++
  // Undeclared properties (or declared ones set to undefined) travel only with the generic codec.
  if (Object.keys(value).length !== present) return false
  ensure(out, 5)
  writeHeader(out, present, MAP_FORMS)
  for (let i = 0; i < properties.length; i++) {
    const field = fields[i]
    if (field === undefined) continue
    const { key, part } = properties[i] as Property
    ensure(out, key.length)
    const { buf } = out
    for (let k = 0; k < key.length; k++) buf[out.pos + k] = key[k] as number
    out.pos += key.length
    if (!part.write(out, field)) return false
  }
  return true
}

function readObject(input: Input, shape: ObjectShape): unknown {
  const { properties, fields } = shape
  const count = readHeader(input, MAP_FORMS)
  if (count < 0 || count > properties.length) return FALLBACK
  let seen = 0
  let next = 0 // keys usually arrive in the encoder's order: try that property first
  for (let i = 0; i < count; i++) {
    let index = matchKey(input, properties, next)
    if (index < 0) {
      index = 0
      while (index < properties.length && (index === next || matchKey(input, properties, index) < 0)) index++
      if (index === properties.length) return FALLBACK
    }
    const bit = 1 << index
    if (seen & bit) return FALLBACK // a repeated key: the generic decoder's rule applies
    seen |= bit
    const property = properties[index] as Property
    input.pos += property.key.length
    const field = property.part.read(input)
    if (field === FALLBACK) return FALLBACK
    fields[index] = field
    next = index + 1
  }
  if (seen === shape.all) return shape.build(fields)
  const result: Record<string, unknown> = {}
  for (let index = 0; index < properties.length; index++) {
    if (seen & (1 << index)) result[(properties[index] as Property).name] = fields[index]
  }
  return result
}

/** `index` when the input continues with property `index`'s key bytes, else -1. */
function matchKey(input: Input, properties: readonly Property[], index: number): number {
  const property = properties[index]
  if (property === undefined) return -1
  const { key } = property
  if (input.pos + key.length > input.end) return -1
  const { buf, pos } = input
  for (let i = 0; i < key.length; i++) if (buf[pos + i] !== key[i]) return -1
  return index
}

// ── headers ─────────────────────────────────────────────────────────────────────────────────────

/** The lead bytes of one msgpack family; -1 where the family has no such form. */
interface HeaderForms {
  readonly fixBase: number
  readonly fixMax: number
  readonly b8: number
  readonly b16: number
  readonly b32: number
}

function headerSize(length: number, forms: HeaderForms): number {
  if (length <= forms.fixMax) return 1
  if (length < 0x100 && forms.b8 >= 0) return 2
  return length < 0x10000 ? 3 : 5
}

function writeHeader(out: Output, length: number, forms: HeaderForms): void {
  const { buf, view } = out
  if (length <= forms.fixMax) buf[out.pos++] = forms.fixBase | length
  else if (length < 0x100 && forms.b8 >= 0) {
    buf[out.pos++] = forms.b8
    buf[out.pos++] = length
  } else if (length < 0x10000) {
    buf[out.pos++] = forms.b16
    view.setUint16(out.pos, length)
    out.pos += 2
  } else {
    buf[out.pos++] = forms.b32
    view.setUint32(out.pos, length)
    out.pos += 4
  }
}

/** Reads a header of `forms` and returns the length it announces, or -1 for anything else. */
function readHeader(input: Input, forms: HeaderForms): number {
  const { buf, view } = input
  if (input.pos >= input.end) return -1
  const byte = buf[input.pos] as number
  if (forms.fixMax >= 0 && byte >= forms.fixBase && byte <= forms.fixBase + forms.fixMax) {
    input.pos++
    return byte - forms.fixBase
  }
  const at = input.pos + 1
  if (byte === forms.b8 && at + 1 <= input.end) {
    input.pos = at + 1
    return buf[at] as number
  }
  if (byte === forms.b16 && at + 2 <= input.end) {
    input.pos = at + 2
    return view.getUint16(at)
  }
  if (byte === forms.b32 && at + 4 <= input.end) {
    input.pos = at + 4
    return view.getUint32(at)
  }
  return -1
}
