/**
 * Turns on Node's on-disk compile cache (Node ≥ 22.1) before the CLI loads anything heavy. The
 * TypeScript compiler bundled by ts-morph is loaded lazily, after this ran, so later runs of
 * `mosaik generate` skip most of its compilation.
 */
import module from 'node:module'

module.enableCompileCache?.()
