import { defineConfig } from 'mosaik/config'

// Generated modules import each other with `.ts` so Node runs them directly (type stripping).
export default defineConfig({ schemas: ['schemas/*.ts'], out: 'src/generated', importExtension: '.ts' })
