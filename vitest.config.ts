import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    // Two cores: keep parallelism modest so end-to-end tests that spawn the binary are not starved.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
