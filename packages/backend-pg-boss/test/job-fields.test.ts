/**
 * What pg-boss itself writes, read back through the backend: a failure from a
 * real worker (its error and stack, the attempts, the dead-letter copy), the
 * queue's policy and settings, pg-boss 10's archive, search in data by a
 * SQL/JSON path, and pg-boss's own internal queue staying hidden.
 */
import { isQadminError } from '@qadmin/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgBossBackend, type PgBossBackend } from '../src/index';
import { openBoss, PGBOSS_MAJOR, type SeedBoss, seedPgBossQueue } from './seed';
import { testDatabase } from './support';

let url: string;
let boss: SeedBoss & {
  work(
    name: string,
    options: object,
    handler: (jobs: { id: string }[]) => Promise<unknown>,
  ): Promise<string>;
  offWork(name: string): Promise<void>;
  archive?(): Promise<void>;
};
let backend: PgBossBackend;

beforeAll(async () => {
  url = await testDatabase(inject('postgresUrl'), 'fields');
  boss = (await openBoss(url, 'pgboss')) as typeof boss;
  backend = createPgBossBackend({ connection: url, metrics: false });
});

afterAll(async () => {
  await backend?.close?.();
  await boss?.stop({ graceful: false, close: true });
});

async function until<T>(what: string, read: () => Promise<T | null | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a job a real worker failed twice', () => {
  it('shows the error, its stack, the attempts, the policy, and the dead-letter copy', {
    timeout: 60_000,
  }, async () => {
    await boss.createQueue('fields-dead');
    await boss.createQueue('fields-emails', {
      policy: 'standard',
      retryLimit: 1,
      retryDelay: 0,
      deadLetter: 'fields-dead',
    });
    const id = (await boss.send('fields-emails', { to: 'a@example.com' }, { singletonKey: 'a' }))!;
    await boss.work('fields-emails', { pollingIntervalSeconds: 0.5, batchSize: 1 }, async () => {
      throw new Error('SMTP 421: greylisted');
    });
    const job = await until('the job to fail for good', async () => {
      const found = await backend.getJob('fields-emails', id);
      return found?.state === 'failed' ? found : null;
    });
    await boss.offWork('fields-emails');

    expect(job.name).toBe('fields-emails');
    expect(job.nativeState).toBe('failed');
    expect(job.failedReason).toBe('SMTP 421: greylisted');
    expect(job.stacktrace[0]).toMatch(/^Error: SMTP 421: greylisted\n\s+at /);
    expect(job.attemptsMade).toBe(2);
    expect(job.attemptsAllowed).toBe(2);
    expect(job.processedAt).not.toBeNull();
    expect(job.finishedAt).toBeGreaterThanOrEqual(job.processedAt!);
    expect(job.options).toMatchObject({
      singletonKey: 'a',
      deadLetter: 'fields-dead',
      retryLimit: 1,
      policy: 'standard',
    });

    const queues = await backend.listQueues();
    expect(queues.find((q) => q.name === 'fields-emails')?.meta).toMatchObject({
      policy: 'standard',
      deadLetter: 'fields-dead',
      retryLimit: 1,
    });

    // The dead-letter queue holds a copy, carrying the error.
    const dead = await backend.listJobs('fields-dead', {
      state: 'waiting',
      order: 'newest',
      limit: 5,
    });
    expect(dead.jobs).toHaveLength(1);
    expect(dead.jobs[0]!.data).toEqual({ to: 'a@example.com' });
    expect(dead.jobs[0]!.failedReason).toBe('SMTP 421: greylisted');
    if (PGBOSS_MAJOR >= 12) {
      expect(dead.jobs[0]!.options.deadLetterOf).toEqual({ queue: 'fields-emails', id });
    }

    // Searching errors finds it; searching data for the error text does not.
    const query = { state: 'failed' as const, order: 'newest' as const, limit: 10, scanLimit: 100 };
    const byError = await backend.searchJobs!('fields-emails', {
      ...query,
      text: 'greylist',
      fields: ['error'],
    });
    expect(byError.jobs.map((j) => j.id)).toEqual([id]);
    expect(byError.exhausted).toBe(true);
    const byData = await backend.searchJobs!('fields-emails', {
      ...query,
      text: 'greylist',
      fields: ['data'],
    });
    expect(byData.jobs).toEqual([]);
  });
});

describe('search in data by a SQL/JSON path', () => {
  it('finds jobs by a path predicate or filter, and names `text` when the path is not one', async () => {
    const ids = await seedPgBossQueue(boss, 'fields-orders', {
      waiting: 4,
      data: (_state, i) => ({ customer: { id: 40 + i, tier: i % 2 ? 'gold' : 'basic' } }),
    });
    const query = {
      state: 'waiting' as const,
      order: 'oldest' as const,
      limit: 10,
      scanLimit: 100,
      fields: ['data' as const],
    };
    const equal = await backend.searchJobs!('fields-orders', {
      ...query,
      text: '$.customer.id == 42',
    });
    expect(equal.jobs.map((j) => j.id)).toEqual([ids.waiting![2]]);
    const filter = await backend.searchJobs!('fields-orders', {
      ...query,
      text: '$.customer ? (@.tier == "gold")',
    });
    expect(filter.jobs.map((j) => j.id)).toEqual([ids.waiting![1], ids.waiting![3]]);
    const none = await backend.searchJobs!('fields-orders', {
      ...query,
      text: '$.customer.id == 7',
    });
    expect(none.jobs).toEqual([]);
    expect(none.scanned).toBe(4);

    const error = await backend.searchJobs!('fields-orders', {
      ...query,
      text: '$.customer.id ==',
    }).catch((e: unknown) => e);
    expect(isQadminError(error) && error.status).toBe(400);
    expect(isQadminError(error) && error.field).toBe('text');
  });

  it('bounds the scan: the page says how many it looked at and where to go on', async () => {
    await seedPgBossQueue(boss, 'fields-bounded', { completed: 7, data: (_s, i) => ({ n: i }) });
    const first = await backend.searchJobs!('fields-bounded', {
      state: 'completed',
      order: 'oldest',
      limit: 10,
      scanLimit: 5,
      fields: ['data'],
      text: '"n"',
    });
    expect(first.scanned).toBe(5);
    expect(first.jobs).toHaveLength(5);
    expect(first.exhausted).toBe(false);
    const rest = await backend.searchJobs!('fields-bounded', {
      state: 'completed',
      order: 'oldest',
      limit: 10,
      scanLimit: 5,
      fields: ['data'],
      text: '"n"',
      cursor: first.nextCursor!,
    });
    expect(rest.scanned).toBe(2);
    expect(rest.exhausted).toBe(true);
    expect([...first.jobs, ...rest.jobs].map((j) => (j.data as { n: number }).n)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
  });
});

describe.runIf(PGBOSS_MAJOR === 10)("pg-boss 10's archive", () => {
  it('keeps archived jobs in their states: counted, listed, found, and removable', {
    timeout: 60_000,
  }, async () => {
    const ids = await seedPgBossQueue(boss, 'fields-archive', {
      completed: 2,
      failed: 1,
      waiting: 1,
    });
    // A pg-boss that archives everything finished more than a second ago.
    const archiver = (await openBoss(url, 'pgboss')) as typeof boss;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const { default: PgBoss10 } = (await import('pg-boss')) as unknown as {
        default: new (o: object) => typeof boss & { start(): Promise<unknown> };
      };
      const quick = new PgBoss10({
        connectionString: url,
        supervise: false,
        schedule: false,
        archiveCompletedAfterSeconds: 1,
      });
      quick.on('error', () => {});
      await quick.start();
      await quick.archive!();
      await quick.stop({ graceful: false, close: true });
    } finally {
      await archiver.stop({ graceful: false, close: true });
    }
    const stats = (await backend.getStats(['fields-archive']))['fields-archive']!;
    expect(stats.counts).toMatchObject({ completed: 2, failed: 1, waiting: 1 });
    const completed = await backend.listJobs('fields-archive', {
      state: 'completed',
      order: 'oldest',
      limit: 10,
    });
    expect(completed.jobs.map((j) => j.id)).toEqual(ids.completed);
    expect(completed.jobs.map((j) => j.nativeState)).toEqual([
      'completed (archived)',
      'completed (archived)',
    ]);
    const one = await backend.getJob('fields-archive', ids.failed![0]!);
    expect(one?.state).toBe('failed');
    expect(one?.options.archivedOn).toEqual(expect.any(Number));
    await backend.jobAction!('fields-archive', ids.completed![0]!, { type: 'remove' });
    expect(await backend.getJob('fields-archive', ids.completed![0]!)).toBeNull();
    expect((await backend.getStats(['fields-archive']))['fields-archive']!.counts.completed).toBe(
      1,
    );
  });
});

describe('job ids', () => {
  it('finds a job by its uuid in any spelling, and answers null for what is no uuid', async () => {
    const ids = await seedPgBossQueue(boss, 'fields-ids', { waiting: 1 });
    const id = ids.waiting![0]!;
    expect((await backend.getJob('fields-ids', id.toUpperCase()))?.id).toBe(id);
    expect((await backend.getJob('fields-ids', id.replaceAll('-', '')))?.id).toBe(id);
    expect(await backend.getJob('fields-ids', 'not-a-uuid')).toBeNull();
    expect(await backend.getJob('fields-ids', "1' OR '1'='1")).toBeNull();
  });
});

describe("pg-boss's own queues", () => {
  it('are not shown', async () => {
    await boss.createQueue('__pgboss__send-it');
    await seedPgBossQueue(boss, 'fields-visible', { waiting: 1 });
    const names = (await backend.listQueues()).map((q) => q.name);
    expect(names).toContain('fields-visible');
    expect(names.filter((name) => name.startsWith('__pgboss__'))).toEqual([]);
  });
});
