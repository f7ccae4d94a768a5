import { defineConfig } from 'vitest/config';

// One project per supported BullMQ major. The backend imports `bullmq`; each
// project points that import (and the tests') at one installed major, and
// test/major.test.ts asserts the major it got, so the matrix cannot test one
// twice. Both projects share the one Redis that test/global-setup.ts starts and
// the one Redis Cluster that test/global-setup-cluster.ts starts: unlike
// packages/express, the projects do not `extends: true` the root, or each would
// inherit the root's globalSetup and start a Redis of its own (three in all, as
// the root project always runs its own). Values the root provides reach every
// project.
const majors = [5, 6];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts', 'test/global-setup-cluster.ts'],
    projects: majors.map((major) => ({
      resolve: { alias: { bullmq: `bullmq-v${major}` } },
      test: {
        name: `bullmq-v${major}`,
        include: ['test/**/*.test.ts'],
        env: { EXPECTED_BULLMQ_MAJOR: String(major) },
      },
    })),
  },
});
