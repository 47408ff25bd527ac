import { defineConfig } from 'vitest/config';

// Tests start real MariaDB servers and HTTP targets; they are slow to boot, so
// files run in parallel but each gets generous hook time. No test asserts a duration.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
