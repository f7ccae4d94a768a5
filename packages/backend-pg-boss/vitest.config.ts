import { defineConfig } from 'vitest/config';

// One project per supported pg-boss major. The backend imports `pg-boss`; each
// project points that import (and the tests') at one installed major, and
// test/major.test.ts asserts the major it got, so the matrix cannot test one
// twice. Both projects share the one PostgreSQL that test/global-setup.ts
// starts (the projects do not `extends: true` the root, or each would start a
// server of its own); every test file works in databases of its own.
const majors = [10, 12];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    projects: majors.map((major) => ({
      resolve: { alias: { 'pg-boss': `pg-boss-v${major}` } },
      test: {
        name: `pg-boss-v${major}`,
        include: ['test/**/*.test.ts'],
        env: { EXPECTED_PGBOSS_MAJOR: String(major) },
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
