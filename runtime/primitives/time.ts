/**
 * Time scaling for tests: on a loaded 2-core CI machine, timeouts written for a quiet laptop need
 * headroom. `MOSAIK_TIME_FACTOR` (default 1) multiplies every test timeout that goes through `scaled`.
 */
import { InvalidInputError } from './errors.ts'

function readFactor(): number {
  const raw = process.env.MOSAIK_TIME_FACTOR
  if (raw === undefined || raw === '') return 1
  const factor = Number(raw)
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new InvalidInputError(`MOSAIK_TIME_FACTOR must be a positive number, got '${raw}'`)
  }
  return factor
}

/** The multiplier from `MOSAIK_TIME_FACTOR`, read once at start-up. */
export const TIME_FACTOR: number = readFactor()

/** `ms` multiplied by TIME_FACTOR, rounded up. */
export function scaled(ms: number): number {
  return Math.ceil(ms * TIME_FACTOR)
}
