/**
 * The backend conformance suite from @qadmin/testkit against a throwaway
 * PostgreSQL (test/global-setup.ts), once per pg-boss major
 * (vitest.config.ts). Each backend works in a pg-boss schema of its own,
 * installed by pg-boss itself: a fresh, empty store.
 */
import { runBackendContract } from '@qadmin/testkit';
import { inject } from 'vitest';
import { createPgBossBackend, type PgBossBackend } from '../src/index';
import { openBoss, PGBOSS_MAJOR, type SeedBoss, seedPgBossQueue } from './seed';
import { testDatabase } from './support';

const bosses = new WeakMap<PgBossBackend, SeedBoss>();
let next = 0;

runBackendContract<PgBossBackend>({
  name: `pg-boss ${PGBOSS_MAJOR}`,
  async createBackend() {
    const url = await testDatabase(inject('postgresUrl'), 'contract');
    const schema = `c${process.pid.toString(36)}_${(next++).toString(36)}`;
    const boss = await openBoss(url, schema);
    const backend = createPgBossBackend({
      connection: url,
      schema,
      metrics: { schema: `${schema}_qadmin` },
    });
    bosses.set(backend, boss);
    // Read the schema now, so the capabilities the suite reads are the version's.
    await backend.listQueues();
    return backend;
  },
  seed: (backend, queue, spec) => seedPgBossQueue(bosses.get(backend)!, queue, spec),
  async destroyBackend(backend) {
    await backend.close?.();
    await bosses.get(backend)?.stop({ graceful: false, close: true });
  },
});
