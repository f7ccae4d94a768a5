/**
 * The matrix in vitest.config.ts is only worth something if each project runs
 * against the pg-boss major it is named after: both the package `pg-boss`
 * resolves to and the schema it installs.
 */
import { createRequire } from 'node:module';
import { expect, inject, it } from 'vitest';
import { createPgBossBackend } from '../src/index';
import { openBoss, PGBOSS_MAJOR } from './seed';
import { testDatabase } from './support';

const expectedMajor = process.env.EXPECTED_PGBOSS_MAJOR;

it('resolves `pg-boss` to the major this project is for, and the backend reads its schema', async () => {
  expect(expectedMajor, 'EXPECTED_PGBOSS_MAJOR is set by vitest.config.ts').toMatch(/^\d+$/);
  const require = createRequire(import.meta.url);
  const { version } = require(`pg-boss-v${expectedMajor}/package.json`) as { version: string };
  expect(version.split('.')[0]).toBe(expectedMajor);

  const url = await testDatabase(inject('postgresUrl'), 'major');
  const boss = await openBoss(url, 'pgboss');
  const backend = createPgBossBackend({ connection: url, metrics: false });
  try {
    await backend.listQueues();
    // pg-boss 10 installs schema version 24, with an archive; 12 installs 46 and has none.
    expect(backend.layout?.version).toBe(PGBOSS_MAJOR === 10 ? 24 : 46);
    expect(backend.layout?.archive).toBe(PGBOSS_MAJOR === 10);
  } finally {
    await backend.close?.();
    await boss.stop({ graceful: false, close: true });
  }
});
