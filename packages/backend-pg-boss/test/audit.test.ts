/**
 * What is particular to the audit trail in `qadmin.pgboss_audit`: created on
 * the first append with its index, trimmed to a small cap, read the same by a
 * new backend (another dashboard instance) over the same database, and kept
 * apart per pg-boss schema. Order, `before`, `limit`, round trips and
 * concurrent appends are the backend contract's (test/contract.test.ts).
 */
import type { AuditEntry } from '@qadmin/core';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createPgBossBackend, type PgBossBackend } from '../src/index';
import { openBoss, type SeedBoss } from './seed';
import { testDatabase } from './support';

let url: string;
let boss: SeedBoss;
const backends: PgBossBackend[] = [];

beforeAll(async () => {
  url = await testDatabase(inject('postgresUrl'), 'audit');
  boss = await openBoss(url, 'pgboss');
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close?.()));
  await boss?.stop({ graceful: false, close: true });
});

function backend(options: Partial<Parameters<typeof createPgBossBackend>[0]> = {}): PgBossBackend {
  const created = createPgBossBackend({ connection: url, metrics: false, ...options });
  backends.push(created);
  return created;
}

const entry = (n: number): AuditEntry => ({
  id: `e${n}`,
  at: 1_700_000_000_000 + n * 1000,
  actor: { id: 'ana', name: 'ana', role: 'operator', via: 'password' },
  action: 'job.retry',
  queueId: 'pgboss:emails',
  jobId: `job-${n}`,
  affected: 1,
  outcome: n % 2 ? 'ok' : 'error',
  status: n % 2 ? 200 : 409,
  ...(n % 2 ? {} : { error: { title: 'Job is not failed' } }),
});

it('creates its table on the first append, trims to the cap, and survives a new backend', async () => {
  const a = backend({ auditCap: 5 });
  expect(a.capabilities.audit).toBe(true);
  // Nothing recorded yet: no table, no error.
  expect(await a.listAudit!({ limit: 10 })).toEqual([]);
  for (let n = 1; n <= 10; n++) await a.appendAudit!(entry(n));
  const newest = await a.listAudit!({ limit: 10 });
  expect(newest.map((e) => e.id)).toEqual(['e10', 'e9', 'e8', 'e7', 'e6']);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query('SELECT count(*)::int AS n FROM qadmin.pgboss_audit');
    expect(rows.rows[0].n).toBe(5);
    const index = await client.query(
      "SELECT indexdef FROM pg_indexes WHERE schemaname = 'qadmin' AND tablename = 'pgboss_audit' AND indexname = 'pgboss_audit_source_at'",
    );
    expect(index.rows[0]?.indexdef).toMatch(/\(source, at DESC\)/);
  } finally {
    await client.end();
  }

  // Another dashboard instance: the same trail; another pg-boss schema: its own.
  const b = backend({ auditCap: 5 });
  expect((await b.listAudit!({ limit: 10 })).map((e) => e.id)).toEqual(newest.map((e) => e.id));
  const other = backend({ schema: 'elsewhere' });
  expect(await other.listAudit!({ limit: 10 })).toEqual([]);
});

it('stores an entry holding characters jsonb refuses (NUL, an unpaired surrogate), marking where they were', async () => {
  const b = backend({ schema: 'pgboss' });
  const hostile: AuditEntry = {
    ...entry(900),
    id: 'hostile',
    jobId: 'a\u0000b',
    error: { title: 'Unknown job', detail: 'x\ud800y' },
  };
  await b.appendAudit!(hostile);
  const [stored] = await b.listAudit!({ before: hostile.at + 1, limit: 1 });
  expect(stored?.id).toBe('hostile');
  expect(stored?.jobId).toBe('a\u2400b');
  expect(stored?.error?.detail).toBe('x\ufffdy');
});
