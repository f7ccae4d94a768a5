import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The HTTP fuzz test (test/fuzz.test.ts) runs the dashboard over the memory
// backend, which depends on core: a devDependency back on it would make a
// workspace cycle, so the test reads its source instead. `@qadmin/core` is
// pointed at this package's source too, so the backend and the code under
// test share one copy of core (and core need not be built first).
// tsconfig.json has the same two paths for the typecheck.
export default defineConfig({
  resolve: {
    alias: {
      '@qadmin/backend-memory': source('../backend-memory/src/index.ts'),
      '@qadmin/core': source('./src/index.ts'),
    },
  },
  // scrypt at N=32768 and spawned processes on a 2-core CI machine running every package's
  // tests at once: the 5 s default was seen to run out. Tests assert behaviour, not time.
  test: { testTimeout: 30_000 },
});
