import { defineConfig } from 'vitest/config';

// One project per supported Express major. The adapter imports `express`; each
// project points that import (and the tests') at one installed major, and the
// tests assert the major they got, so the matrix cannot test one twice.
const majors = [4, 5];

export default defineConfig({
  test: {
    projects: majors.map((major) => ({
      extends: true,
      resolve: { alias: { express: `express-v${major}` } },
      test: {
        name: `express-v${major}`,
        include: ['test/**/*.test.ts'],
        env: { EXPECTED_EXPRESS_MAJOR: String(major) },
      },
    })),
  },
});
