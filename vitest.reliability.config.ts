import { defineConfig } from 'vitest/config'

// The long reliability suite (npm run test:reliability): many kill -9s, fault storms, fuzzing.
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
