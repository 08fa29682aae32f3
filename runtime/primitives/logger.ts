/**
 * Structured logging (pino). The level comes from the `MOSAIK_LOG` environment variable
 * (`trace`…`fatal`, or `silent`), defaulting to `info`, or `silent` under a test runner.
 */
import { type Logger, pino } from 'pino'

export type { Logger }

function defaultLevel(): string {
  const fromEnv = process.env.MOSAIK_LOG
  if (fromEnv) return fromEnv
  return process.env.VITEST ? 'silent' : 'info'
}

/** The process-wide root logger; subsystems take children of it with `logger.child({ subsystem })`. */
export function createLogger(options: { name?: string; level?: string } = {}): Logger {
  return pino({ name: options.name ?? 'mosaik', level: options.level ?? defaultLevel() })
}
