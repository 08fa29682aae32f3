/**
 * Finds, loads and validates `mosaik.config.ts`. The config is optional: without one the defaults
 * of SPEC §5 apply relative to the working directory. An explicit `--config` that does not exist,
 * a config that fails to load, or one with unknown or mistyped fields is an input error.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import type { MosaikConfig } from '../config.ts'
import { GeneratorError } from '../errors.ts'
import { importModules } from './import.ts'

/** A config with defaults applied and paths made absolute. */
export interface ResolvedConfig {
  /** The project root: the config file's directory, or the working directory. */
  readonly root: string
  /** The config file, if one was used. */
  readonly file: string | undefined
  readonly schemas: readonly string[]
  /** Absolute output directory. */
  readonly out: string
  /** Absolute lock file path. */
  readonly lockfile: string
  readonly importExtension: '.js' | '.ts' | ''
}

export const DEFAULT_CONFIG = {
  schemas: ['schemas/**/*.ts'],
  out: 'src/generated/mosaik',
  lockfile: 'mosaik.lock.json',
  importExtension: '.js',
} as const

/** Config file names looked up in the working directory when `--config` is not given. */
export const CONFIG_FILE_NAMES = [
  'mosaik.config.ts',
  'mosaik.config.mts',
  'mosaik.config.js',
  'mosaik.config.mjs',
]

const ConfigSchema = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    out: Type.Optional(Type.String({ minLength: 1 })),
    lockfile: Type.Optional(Type.String({ minLength: 1 })),
    importExtension: Type.Optional(Type.Union([Type.Literal('.js'), Type.Literal('.ts'), Type.Literal('')])),
  },
  { additionalProperties: false },
)
const checkConfig = Compile(ConfigSchema)

/** Loads the config named by `--config` (relative to `cwd`), or the default one if present. */
export async function loadConfig(cwd: string, explicit?: string): Promise<ResolvedConfig> {
  const file = explicit === undefined ? findConfig(cwd) : path.resolve(cwd, explicit)
  if (file === undefined) return resolveConfig(cwd, undefined, {})
  const shown = path.relative(cwd, file) || file
  if (!existsSync(file)) {
    throw new GeneratorError({ file: shown }, 'config file not found', 'check the --config path')
  }
  const [namespace] = await importModules([file], () => shown)
  const value = namespace?.default ?? namespace?.config
  if (value === undefined) {
    throw new GeneratorError(
      { file: shown },
      'the config has no default export',
      "export default defineConfig({ ... }) from 'mosaik/config'",
    )
  }
  if (!checkConfig.Check(value)) {
    const [first] = checkConfig.Errors(value)
    throw new GeneratorError(
      { file: shown, path: first?.instancePath || '/' },
      `invalid config: ${first?.message ?? 'unexpected shape'}`,
      'allowed fields: schemas (string[]), out (string), lockfile (string), importExtension (".js" | ".ts" | "")',
    )
  }
  return resolveConfig(path.dirname(file), file, value as MosaikConfig)
}

function findConfig(cwd: string): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((candidate) => existsSync(candidate))
}

function resolveConfig(root: string, file: string | undefined, config: MosaikConfig): ResolvedConfig {
  return {
    root,
    file,
    schemas: config.schemas ?? DEFAULT_CONFIG.schemas,
    out: path.resolve(root, config.out ?? DEFAULT_CONFIG.out),
    lockfile: path.resolve(root, config.lockfile ?? DEFAULT_CONFIG.lockfile),
    importExtension: config.importExtension ?? DEFAULT_CONFIG.importExtension,
  }
}
