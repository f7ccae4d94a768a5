import { startPostgres, type ThrowawayPostgres } from '@qadmin/test-fixtures';
import { Queue } from 'bullmq';
import * as PgBossModule from 'pg-boss';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runQadmin, type Served, startServe } from './qadmin';

interface SeedBoss {
  start(): Promise<unknown>;
  stop(options?: object): Promise<void>;
  createQueue(name: string): Promise<void>;
  send(name: string, data: object): Promise<string | null>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
// pg-boss 12 exports the class by name, 10 as the default.
const PgBoss = ((PgBossModule as Record<string, unknown>).PgBoss ??
  (PgBossModule as Record<string, unknown>).default) as new (
  options: object,
) => SeedBoss;

async function overviewIds(served: Served): Promise<string[]> {
  const response = await fetch(`${served.url}api/overview`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { queues: { id: string }[] };
  return body.queues.map((queue) => queue.id);
}

describe('qadmin serve --redis', () => {
  const prefix = `cli${process.pid}`;
  let queue: Queue;

  beforeAll(async () => {
    queue = new Queue('invoices', { connection: { url: inject('redisUrl') }, prefix });
    await queue.add('send', { to: 'ana@example.com' });
    await queue.add('send', { to: 'bo@example.com' }, { delay: 60_000 });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('discovers the BullMQ queues under the prefix and serves their counts', async () => {
    const served = await startServe([
      '--redis',
      inject('redisUrl'),
      '--prefix',
      prefix,
      '--port',
      '0',
    ]);
    try {
      expect(served.output()).toMatch(
        /source bullmq: Redis redis:\/\/127\.0\.0\.1:\d+.*prefix cli\d+\): 1 queue: invoices/,
      );
      expect(await overviewIds(served)).toEqual(['bullmq:invoices']);
      const detail = (await (await fetch(`${served.url}api/queues/bullmq:invoices`)).json()) as {
        counts: Record<string, number>;
      };
      expect(detail.counts.waiting).toBe(1);
      expect(detail.counts.delayed).toBe(1);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
  });

  it('gives several sources ids of their own', async () => {
    const served = await startServe([
      '--redis',
      inject('redisUrl'),
      '--redis',
      inject('redisUrl'),
      '--prefix',
      prefix,
      '--demo',
      '--port',
      '0',
    ]);
    try {
      expect(served.output()).toMatch(/source memory: /);
      expect(served.output()).toMatch(/source bullmq: .*invoices/);
      expect(served.output()).toMatch(/source bullmq-2: .*invoices/);
      expect(await overviewIds(served)).toEqual(
        expect.arrayContaining(['bullmq:invoices', 'bullmq-2:invoices', 'memory:emails']),
      );
    } finally {
      await served.stop();
    }
  });

  it('exits 1 naming an unreachable Redis, without a stack', async () => {
    const result = await runQadmin([
      'serve',
      '--redis',
      'redis://:s3cret@127.0.0.1:1/0',
      '--port',
      '0',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot read from source "bullmq", Redis redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 .*ECONNREFUSED/,
    );
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('qadmin serve --postgres', () => {
  // Only this file needs PostgreSQL: a throwaway server of its own, stopped after.
  let postgres: ThrowawayPostgres;
  let url: string;

  beforeAll(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase('cli_pgboss');
    const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, max: 2 });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue('reports');
    await boss.send('reports', { month: '2025-01' });
    await boss.stop({ graceful: false, wait: true });
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('discovers the pg-boss queues of the schema', async () => {
    const served = await startServe(['--postgres', url, '--port', '0']);
    try {
      expect(served.output()).toMatch(
        /source pgboss: PostgreSQL postgres:.*schema pgboss\): 1 queue: reports/,
      );
      expect(await overviewIds(served)).toEqual(['pgboss:reports']);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
  });

  it('exits 1 naming an unreachable PostgreSQL, without a stack', async () => {
    const result = await runQadmin([
      'serve',
      '--postgres',
      'postgres://app:s3cret@127.0.0.1:1/app',
      '--port',
      '0',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot read from source "pgboss", PostgreSQL postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app .*ECONNREFUSED/,
    );
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
