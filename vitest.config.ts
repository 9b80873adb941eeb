import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores on the build machines: one fork per core keeps long scenario tests from starving.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
