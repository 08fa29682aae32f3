/**
 * Typed errors of the fault harness. They reuse the runtime's `MosaikError` so tests can match on
 * stable codes the same way they do for runtime errors.
 */
import { MosaikError, type MosaikErrorOptions } from '../../../runtime/primitives/errors.ts'

/** An external program (`ip`, `nft`, a child node process) failed or exited unexpectedly. */
export class SubprocessError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_SUBPROCESS', message, options)
  }
}

/** The machine lacks something the harness needs (root, network namespaces, nftables). */
export class UnsupportedError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_UNSUPPORTED', message, options)
  }
}
