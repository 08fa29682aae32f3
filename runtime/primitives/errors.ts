/**
 * Typed errors. Every error the runtime raises on purpose is a `MosaikError` with a stable
 * `code` that callers, logs and metrics can match on; messages may change, codes may not.
 */

/** Stable error codes. Adding a code is fine; renaming or reusing one is a breaking change. */
export type ErrorCode =
  | 'ERR_INVALID_INPUT'
  | 'ERR_DECODE'
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_FRAME_TRUNCATED'
  | 'ERR_ENCODE'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_CLOSED'
  | 'ERR_SCHEMA_MISMATCH'
  | 'ERR_VALIDATION'
  | 'ERR_OFFLINE'
  | 'ERR_NOT_LEADER'
  | 'ERR_GROUP_CLOSED'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_PROTOCOL'
  | 'ERR_STORAGE'
  | 'ERR_CONFIG'
  | 'ERR_COMMAND_REJECTED'
  | 'ERR_HISTORY_TRUNCATED'
  | 'ERR_SUBPROCESS'
  | 'ERR_UNSUPPORTED'
  | 'ERR_CONNECT'
  | 'ERR_REJECTED'

export interface MosaikErrorOptions {
  cause?: unknown
  /** Structured facts about the failure (declaration, peer, path…), safe to log. */
  details?: Record<string, unknown>
}

export class MosaikError extends Error {
  readonly code: ErrorCode
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: ErrorCode, message: string, options: MosaikErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.details = options.details ?? {}
  }
}

/** A caller passed a value the API cannot accept. */
export class InvalidInputError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_INVALID_INPUT', message, options)
  }
}

/** Bytes from the network or disk could not be decoded. */
export class DecodeError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_DECODE', message, options)
  }
}

/** A value could not be encoded (unsupported type, non-canonical input). */
export class EncodeError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_ENCODE', message, options)
  }
}

/** A frame header announced more bytes than the configured maximum. */
export class FrameTooLargeError extends MosaikError {
  constructor(size: number, max: number) {
    super('ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the maximum of ${max} bytes`, {
      details: { size, max },
    })
  }
}

/** A stream ended in the middle of a frame. */
export class FrameTruncatedError extends MosaikError {
  constructor(buffered: number) {
    super('ERR_FRAME_TRUNCATED', `stream ended with ${buffered} bytes of an incomplete frame`, {
      details: { buffered },
    })
  }
}

export class TimeoutError extends MosaikError {
  constructor(message = 'operation timed out', options?: MosaikErrorOptions) {
    super('ERR_TIMEOUT', message, options)
  }
}

export class AbortedError extends MosaikError {
  constructor(message = 'operation aborted', options?: MosaikErrorOptions) {
    super('ERR_ABORTED', message, options)
  }
}

/** The object was closed before or during the operation. */
export class ClosedError extends MosaikError {
  constructor(message = 'closed', options?: MosaikErrorOptions) {
    super('ERR_CLOSED', message, options)
  }
}

/** Two peers disagree on the schema signature of a declaration. */
export class SchemaMismatchError extends MosaikError {
  readonly declaration: string
  readonly localSignature: string
  readonly remoteSignature: string

  constructor(
    declaration: string,
    localSignature: string,
    remoteSignature: string,
    options: MosaikErrorOptions = {},
  ) {
    super(
      'ERR_SCHEMA_MISMATCH',
      `schema mismatch for '${declaration}': local signature ${localSignature}, remote signature ${remoteSignature}`,
      { ...options, details: { declaration, localSignature, remoteSignature, ...options.details } },
    )
    this.declaration = declaration
    this.localSignature = localSignature
    this.remoteSignature = remoteSignature
  }
}

/** A value failed schema validation. `path` is a JSON pointer to the failing location. */
export class ValidationError extends MosaikError {
  readonly declaration: string
  readonly path: string

  constructor(declaration: string, path: string, reason: string, options: MosaikErrorOptions = {}) {
    super('ERR_VALIDATION', `invalid value for '${declaration}' at '${path || '/'}': ${reason}`, {
      ...options,
      details: { declaration, path, reason, ...options.details },
    })
    this.declaration = declaration
    this.path = path
  }
}

export class ProtocolError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_PROTOCOL', message, options)
  }
}

export class StorageError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_STORAGE', message, options)
  }
}

export class ConfigError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_CONFIG', message, options)
  }
}

/** A peer could not be reached, or refused the protocol. `details.peer`/`details.protocol` say which. */
export class ConnectError extends MosaikError {
  constructor(message: string, options?: MosaikErrorOptions) {
    super('ERR_CONNECT', message, options)
  }
}

/** A peer's message was refused (bad signature, wrong network, stale, oversized…); `reason` says why. */
export class RejectedError extends MosaikError {
  readonly reason: string

  constructor(reason: string, message: string, options: MosaikErrorOptions = {}) {
    super('ERR_REJECTED', message, { ...options, details: { reason, ...options.details } })
    this.reason = reason
  }
}

/** No leader is reachable (or this node is not online in its group), so the operation could not run. */
export class OfflineError extends MosaikError {
  constructor(message = 'offline: no leader is reachable', options?: MosaikErrorOptions) {
    super('ERR_OFFLINE', message, options)
  }
}

/** The operation needs the leader and the node asked is not (or no longer) the leader. */
export class NotLeaderError extends MosaikError {
  constructor(message = 'not the leader', options?: MosaikErrorOptions) {
    super('ERR_NOT_LEADER', message, options)
  }
}

/** The group was closed (left) before or during the operation. */
export class GroupClosedError extends MosaikError {
  constructor(message = 'the group is closed', options?: MosaikErrorOptions) {
    super('ERR_GROUP_CLOSED', message, options)
  }
}

/** True when `err` is a MosaikError, optionally with the given code. */
export function isMosaikError(err: unknown, code?: ErrorCode): err is MosaikError {
  return err instanceof MosaikError && (code === undefined || err.code === code)
}
