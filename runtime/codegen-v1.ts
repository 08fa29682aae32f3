/**
 * `mosaik/codegen-v1`: the frozen surface that generated code imports. Generated modules import
 * nothing else from the runtime, so this module is the contract between `mosaik generate` and the
 * runtime; it only grows, and a breaking change means a new `codegen-v2`.
 */
export { Digest, derive, id } from './primitives/digest.ts'
