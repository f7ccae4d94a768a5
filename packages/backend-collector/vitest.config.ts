import { defineConfig } from 'vitest/config';

// Every store is a SQLite file in a temporary folder of its own (or :memory:):
// no server to start, nothing shared between files.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
