import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * electron-vite's `?modulePath` import (app/index.ts names the import worker's built file with it):
 * under vitest, the path of the source, as a string, instead of running the worker's module here.
 */
const modulePath: Plugin = {
  name: 'paysync:module-path',
  enforce: 'pre',
  async resolveId(id, importer) {
    if (!id.endsWith('?modulePath')) return null
    const resolved = await this.resolve(id.slice(0, -'?modulePath'.length), importer, { skipSelf: true })
    return resolved ? `\0module-path:${resolved.id}` : null
  },
  load(id) {
    return id.startsWith('\0module-path:') ? `export default ${JSON.stringify(id.slice(13))}` : null
  },
}

export default defineConfig({
  plugins: [vue(), modulePath],
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: [
            'tests/renderer/**',
            'tests/reliability/**',
            'tests/e2e/**',
            'tests/pg/**',
            'node_modules/**',
          ],
          environment: 'node',
        },
      },
      {
        // Team mode on PostgreSQL: a throwaway cluster per run unless PAYSYNC_PG_URL names a server
        // (tests/helpers/pg-global-setup.ts); skipped with the reason when neither, never in CI.
        extends: true,
        test: {
          name: 'postgres',
          include: ['tests/pg/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/helpers/pg-global-setup.ts'],
        },
      },
      {
        // The screens, in a DOM, with the bridge to main replaced by the fake API once for all.
        extends: true,
        test: {
          name: 'renderer',
          include: ['tests/renderer/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['tests/renderer/setup.ts'],
        },
      },
    ],
  },
})
