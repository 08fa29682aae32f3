/**
 * `mosaik`: the runtime API. Subsystems are re-exported here as they land.
 */
export * from './primitives/index.ts'
export * from './tickets/index.ts'
