import { defineConfig } from 'vitest/config';

// The tests run the built `qadmin` as a child process, as a user would: turbo
// builds the package first (`test` depends on `build`), and test/global-setup.ts
// starts one throwaway Redis and PostgreSQL for the whole run.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // Every test spawns Node and waits for a server: generous on a busy CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
