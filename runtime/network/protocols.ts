/**
 * Protocol ids: every subsystem speaks its own libp2p protocols named `/mosaik/<subsystem>/<version>`
 * (optionally with a sub-protocol: `/mosaik/discovery/sync/1`).
 */
import { InvalidInputError } from '../primitives/errors.ts'

const SEGMENT = /^[a-z0-9][a-z0-9-]*$/
const PROTOCOL = /^\/mosaik(\/[a-z0-9][a-z0-9-]*)+\/[0-9]+(\.[0-9]+)*$/

/** `/mosaik/<part>/…/<version>`, e.g. `protocolId('streams', 1)` → `/mosaik/streams/1`. */
export function protocolId(...parts: [string, ...(string | number)[]]): string {
  const version = parts.at(-1)
  const names = parts.slice(0, -1)
  if (names.length === 0 || (typeof version !== 'number' && !/^[0-9]+(\.[0-9]+)*$/.test(String(version)))) {
    throw new InvalidInputError(
      `protocolId needs a name and a trailing version, got ${JSON.stringify(parts)}`,
    )
  }
  for (const name of names) {
    if (typeof name !== 'string' || !SEGMENT.test(name)) {
      throw new InvalidInputError(`protocol name segments are lowercase [a-z0-9-], got '${String(name)}'`)
    }
  }
  return `/mosaik/${names.join('/')}/${version}`
}

/** Throws unless `protocol` has the `/mosaik/<subsystem>/<version>` form. */
export function assertProtocolId(protocol: string): void {
  if (!PROTOCOL.test(protocol)) {
    throw new InvalidInputError(`protocol ids look like /mosaik/<subsystem>/<version>, got '${protocol}'`)
  }
}
