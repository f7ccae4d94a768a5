/**
 * qadmin's own metrics table and the change poller, against jobs pg-boss
 * finished: two dashboard instances sampling at once count each job once,
 * the table lives in qadmin's schema with its retention, and live events
 * report jobs as pg-boss creates, starts and finishes them.
 */
import { type BackendEvent, METRICS_RESOLUTION_MS } from '@qadmin/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgBossBackend, type PgBossBackend } from '../src/index';
import { openBoss, type SeedBoss, seedPgBossQueue } from './seed';
import { testDatabase } from './support';

let url: string;
let boss: SeedBoss;
const backends: PgBossBackend[] = [];

beforeAll(async () => {
  url = await testDatabase(inject('postgresUrl'), 'metrics');
  boss = await openBoss(url, 'pgboss');
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close?.()));
  await boss?.stop({ graceful: false, close: true });
});

function backend(options: Partial<Parameters<typeof createPgBossBackend>[0]> = {}): PgBossBackend {
  const created = createPgBossBackend({
    connection: url,
    metrics: { intervalMs: 3_600_000 },
    ...options,
  });
  backends.push(created);
  return created;
}

describe('metrics', () => {
  it('counts every finished job once across two instances, with wait and processing times', {
    timeout: 60_000,
  }, async () => {
    const a = backend();
    const b = backend();
    await a.listQueues();
    // A first round sets the position; what finishes after it is counted.
    await Promise.all([a.sampleMetrics(), b.sampleMetrics()]);
    const started = Date.now();
    await seedPgBossQueue(boss, 'metrics-emails', { completed: 6, failed: 3 });
    // Rounds stop 5 s short of now, for transactions that commit late.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    // Both at once: one holds the lock and records, the other records nothing.
    const recorded = await Promise.all([a.sampleMetrics(), b.sampleMetrics()]);
    expect(recorded.reduce((sum, n) => sum + n, 0)).toBe(9);
    expect(await a.sampleMetrics()).toBe(0);
    expect(await b.sampleMetrics()).toBe(0);

    const from =
      Math.floor(started / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS - METRICS_RESOLUTION_MS;
    const query = { from, to: from + 3 * METRICS_RESOLUTION_MS, bucketMs: METRICS_RESOLUTION_MS };
    for (const instance of [a, b]) {
      const series = await instance.getMetrics!('metrics-emails', query);
      const completed = series.buckets.reduce((sum, bucket) => sum + bucket.completed, 0);
      const failed = series.buckets.reduce((sum, bucket) => sum + bucket.failed, 0);
      expect([completed, failed]).toEqual([6, 3]);
      const withTimes = series.buckets.filter((bucket) => bucket.waitMs !== null);
      expect(withTimes.length).toBeGreaterThan(0);
      expect(withTimes[0]!.processMs!.p50).toBeGreaterThanOrEqual(0);
    }
  });

  it("lives in qadmin's own schema and forgets minutes older than the retention", {
    timeout: 60_000,
  }, async () => {
    const c = backend({
      metrics: { intervalMs: 3_600_000, retentionMs: 3_600_000, schema: 'qadmin_retention' },
    });
    await c.sampleMetrics();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO qadmin_retention.pgboss_metrics (source, queue, minute, completed)
         VALUES ('pgboss', 'metrics-emails', now() - interval '2 hours', 5), ('pgboss', 'metrics-emails', now() - interval '10 minutes', 1)`,
      );
      await c.sampleMetrics();
      // The minute 2 hours ago is gone, the one 10 minutes ago stays.
      const rows = await client.query(
        `SELECT completed FROM qadmin_retention.pgboss_metrics
         WHERE queue = 'metrics-emails' AND minute < now() - interval '5 minutes' ORDER BY minute`,
      );
      expect(rows.rows.map((row) => row.completed)).toEqual([1]);
      // Nothing of qadmin's went into pg-boss's schema.
      const ours = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'pgboss' AND table_name LIKE '%metrics%'`,
      );
      expect(ours.rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('answers an empty series before any round ran in the database', async () => {
    const d = backend({ metrics: { intervalMs: 3_600_000, schema: 'qadmin_never' } });
    await seedPgBossQueue(boss, 'metrics-none', { waiting: 1 });
    const now = Date.now();
    const series = await d.getMetrics!('metrics-none', {
      from: now - 600_000,
      to: now,
      bucketMs: 60_000,
    });
    expect(series.buckets.every((bucket) => bucket.completed === 0)).toBe(true);
  });
});

describe('live events', () => {
  it('reports jobs as pg-boss creates, starts and finishes them', { timeout: 60_000 }, async () => {
    const e = backend({ eventsIntervalMs: 200 });
    await seedPgBossQueue(boss, 'events-q', { waiting: 1 });
    const events: BackendEvent[] = [];
    const stop = e.subscribe!((event) => events.push(event));
    try {
      // The first look takes the server's clock; changes after it are reported.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ids = await seedPgBossQueue(boss, 'events-q', { waiting: 1, completed: 1, active: 1 });
      const want = [
        ['waiting', ids.waiting![0]],
        ['completed', ids.completed![0]],
        ['active', ids.active![0]],
      ];
      const deadline = Date.now() + 10_000;
      const seen = () =>
        want.filter(([state, id]) =>
          events.some((ev) => ev.type === 'job' && ev.jobId === id && ev.state === state),
        );
      while (seen().length < want.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen()).toEqual(want);
      // Each change once, though looks overlap.
      const keys = events.map((ev) => (ev.type === 'job' ? `${ev.jobId}:${ev.state}` : ev.type));
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      stop();
    }
  });
});
