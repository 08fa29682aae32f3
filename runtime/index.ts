/**
 * `mosaik`: the runtime API. Subsystems are re-exported here as they land.
 */
export * from './discovery/index.ts'
export * from './metrics/index.ts'
export * from './network/index.ts'
export * from './primitives/index.ts'
export * from './tickets/index.ts'
