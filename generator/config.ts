/**
 * `mosaik/config`: the optional `mosaik.config.ts` of a user project.
 */

export interface MosaikConfig {
  /** Globs of schema modules, relative to the config file. Default `['schemas/**\/*.ts']`. */
  schemas?: string[]
  /** Output directory of generated code. Default `'src/generated/mosaik'`. */
  out?: string
  /** Lock file path. Default `'mosaik.lock.json'`. */
  lockfile?: string
  /**
   * Extension of relative imports in generated code. Default `'.js'` (what `tsc` with `nodenext`
   * resolves); use `'.ts'` to run generated code directly with Node's type stripping (needs
   * `allowImportingTsExtensions` or `rewriteRelativeImportExtensions`), `''` for bundlers.
   */
  importExtension?: '.js' | '.ts' | ''
}

/** Identity helper that gives `mosaik.config.ts` type checking and editor completion. */
export function defineConfig(config: MosaikConfig): MosaikConfig {
  return config
}
