import { defineConfig } from 'vitest/config'

// End to end in Debian's Chromium against browser mode (needs `electron-vite build` first).
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
