import { defineConfig } from 'vitest/config';

// test/global-setup.ts starts one throwaway Redis (bee-queue) and one
// throwaway PostgreSQL (graphile-worker) for the whole run. The fault tests
// talk to a node:http server each test controls, the end-to-end tests to a
// real collector on a real dashboard; the child-process test runs the built
// `dist`, so turbo builds first (`test` depends on `build`).
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // Real servers, real retries with backoff: generous on a busy CI machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
