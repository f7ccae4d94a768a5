/**
 * The collector over real HTTP (createAdmin on node:http) and over a real
 * SQLite file: ingest with per-event verdicts, order tolerance, abandoned
 * jobs, commands to workers, retention, full-text search, metrics, workers
 * and restarts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdmin, createNodeListener, type QadminApp } from '@qadmin/core';
import { hostilePayloads } from '@qadmin/test-fixtures';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type CollectorBackend,
  type CollectorEventInput,
  createCollectorBackend,
} from '../src/index';

const TOKEN = 'collector-test-ingest-token-0001';
const folder = mkdtempSync(join(tmpdir(), 'qadmin-collector-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Served {
  backend: CollectorBackend;
  admin: QadminApp;
  server: Server;
  base: string;
  file: string;
}
const open: Served[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await stop(s);
});

let files = 0;
async function serve(
  options: Partial<Parameters<typeof createCollectorBackend>[0]> = {},
): Promise<Served> {
  const file = options.file ?? join(folder, `store-${files++}.db`);
  const backend = createCollectorBackend({ ingestTokens: [TOKEN], ...options, file });
  const admin = createAdmin({ backends: [backend], unsafeAnonymousWrites: true, warn: () => {} });
  const server = createServer(createNodeListener(admin));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const served = {
    backend,
    admin,
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    file,
  };
  open.push(served);
  return served;
}

async function stop(s: Served): Promise<void> {
  s.server.closeAllConnections();
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
  await s.admin.close();
}

let ids = 0;
const ev = (fields: Record<string, unknown>): CollectorEventInput =>
  ({ id: `t-${++ids}`, time: Date.now(), ...fields }) as CollectorEventInput;

async function send(s: Served, events: unknown[], token = TOKEN) {
  const response = await fetch(`${s.base}/api/ingest/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function api(s: Served, path: string, init: RequestInit = {}) {
  const response = await fetch(`${s.base}/api/${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as any };
}

const job = (s: Served, queue: string, id: string) =>
  api(s, `queues/collector%3A${queue}/jobs/${encodeURIComponent(id)}`).then((r) => r.body);

describe('ingest', () => {
  it('stores a batch, refuses bad events one by one with their field, and is idempotent', async () => {
    const s = await serve();
    const good = ev({
      type: 'queued',
      queue: 'emails',
      jobId: '1',
      name: 'send',
      data: { to: 'a@b.c' },
    });
    const answer = await send(s, [
      good,
      { id: 'bad-1', type: 'exploded', time: 1, queue: 'emails', jobId: '2' },
      ev({ type: 'failed', queue: 'emails', jobId: '3', error: 'not an object' }),
      ev({ type: 'queued', queue: '', jobId: '4' }),
      'not an event',
      null,
      ev({ type: 'started', queue: 'emails', jobId: '1', worker: 'w1' }),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.accepted).toBe(2);
    expect(answer.body.duplicates).toBe(0);
    expect(
      answer.body.rejected.map((r: { index: number; field: string }) => [r.index, r.field]),
    ).toEqual([
      [1, 'events[1].type'],
      [2, 'events[2].error'],
      [3, 'events[3].queue'],
      [4, 'events[4]'],
      [5, 'events[5]'],
    ]);
    expect(answer.body.rejected[0].id).toBe('bad-1');
    expect(answer.body.rejected.every((r: { reason: string }) => r.reason.length > 0)).toBe(true);
    const again = await send(s, [good]);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const stored = await job(s, 'emails', '1');
    expect(stored).toMatchObject({
      name: 'send',
      state: 'active',
      data: { to: 'a@b.c' },
      workerId: 'w1',
    });
  });

  it('keeps hostile data exactly, and refuses oversized or non-JSON fields with a reason', async () => {
    const s = await serve();
    const events = hostilePayloads
      .filter((p) => p.roundTrips)
      .map((p, i) => ev({ type: 'queued', queue: 'hostile', jobId: `h${i}`, data: p.data }));
    const sizes = events.map((e) => JSON.stringify(e).length);
    const small = events.filter((_, i) => sizes[i]! < 200_000);
    const answer = await send(s, small);
    expect(answer.body.rejected).toEqual([]);
    for (const [i, event] of small.entries()) {
      const stored = await job(s, 'hostile', (event as { jobId: string }).jobId);
      expect(stored.data, `payload ${i}`).toEqual((event as { data: unknown }).data);
    }
    const big = s.backend.record(
      ev({ type: 'queued', queue: 'hostile', jobId: 'big', data: { blob: 'x'.repeat(300_000) } }),
    );
    expect(big.rejected[0]).toMatchObject({ field: 'events[0].data' });
    expect(big.rejected[0]!.reason).toMatch(/at most/);
    const proto = JSON.parse(
      '{"id":"p1","type":"queued","time":1,"queue":"hostile","jobId":"p","data":{"__proto__":{"polluted":true}}}',
    );
    expect((await send(s, [proto])).body.accepted).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an unknown token with 401 and stores nothing', async () => {
    const s = await serve();
    const answer = await send(s, [ev({ type: 'queued', queue: 'q', jobId: '1' })], 'x'.repeat(30));
    expect(answer.status).toBe(401);
    expect(s.backend.store.totalJobs()).toBe(0);
  });
});

describe('order of arrival', () => {
  it('ends every permutation of a job story in the same state', async () => {
    const s = await serve();
    const t = Date.now() - 10_000;
    const story = (jobId: string) => [
      { type: 'queued', queue: 'perm', jobId, time: t, data: { n: 1 }, name: 'resize' },
      { type: 'started', queue: 'perm', jobId, time: t + 10, worker: 'w1' },
      {
        type: 'failed',
        queue: 'perm',
        jobId,
        time: t + 20,
        error: { message: 'first' },
        willRetry: true,
      },
      { type: 'started', queue: 'perm', jobId, time: t + 30, attempt: 2, worker: 'w2' },
      { type: 'progress', queue: 'perm', jobId, time: t + 35, attempt: 2, progress: 50 },
      { type: 'completed', queue: 'perm', jobId, time: t + 40, attempt: 2, result: { ok: true } },
    ];
    const permutations = [
      [0, 1, 2, 3, 4, 5],
      [5, 4, 3, 2, 1, 0],
      [5, 0, 1, 2, 3, 4],
      [2, 5, 0, 4, 3, 1],
      [3, 1, 5, 2, 0, 4],
    ];
    for (const [p, order] of permutations.entries()) {
      const events = story(`job-${p}`);
      // One event per request, as a worker's retries could deliver them.
      for (const i of order) await send(s, [{ id: `perm-${p}-${i}`, ...events[i] }]);
      const stored = await job(s, 'perm', `job-${p}`);
      expect(stored, `order ${order}`).toMatchObject({
        state: 'completed',
        name: 'resize',
        data: { n: 1 },
        returnValue: { ok: true },
        attemptsMade: 2,
        createdAt: t,
        processedAt: t + 30,
        finishedAt: t + 40,
        workerId: 'w2',
        failedReason: 'first',
      });
    }
  });

  it('shows a failure that will be retried as waiting or delayed, not failed', async () => {
    const s = await serve();
    s.backend.record([
      ev({ type: 'queued', queue: 'r', jobId: 'a' }),
      ev({
        type: 'failed',
        queue: 'r',
        jobId: 'a',
        error: { message: 'x' },
        willRetry: true,
        retryAt: Date.now() + 60_000,
      }),
      ev({ type: 'queued', queue: 'r', jobId: 'b' }),
      ev({ type: 'failed', queue: 'r', jobId: 'b', error: { message: 'y' }, willRetry: true }),
    ]);
    expect(await job(s, 'r', 'a')).toMatchObject({ state: 'delayed', nativeState: 'retrying' });
    expect(await job(s, 'r', 'b')).toMatchObject({ state: 'waiting', nativeState: 'retrying' });
  });
});

describe('abandoned jobs', () => {
  it('abandons the jobs of a worker that stops sending heartbeats, and believes a late result', async () => {
    const s = await serve({ heartbeatTimeoutMs: 300, sweepIntervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 350)); // the restart grace passes
    s.backend.record([
      ev({ type: 'heartbeat', worker: 'w1', queues: ['q'] }),
      ev({ type: 'queued', queue: 'q', jobId: '1' }),
      ev({ type: 'started', queue: 'q', jobId: '1', worker: 'w1' }),
    ]);
    expect((await job(s, 'q', '1')).state).toBe('active');
    await expect
      .poll(async () => (await job(s, 'q', '1')).state, { timeout: 3000 })
      .toBe('abandoned');
    s.backend.record(ev({ type: 'completed', queue: 'q', jobId: '1', worker: 'w1' }));
    expect((await job(s, 'q', '1')).state).toBe('completed');
  });

  it('abandons at once the jobs of a worker that says it stops', async () => {
    const s = await serve({ heartbeatTimeoutMs: 60_000 });
    s.backend.record([
      ev({ type: 'started', queue: 'q', jobId: '1', worker: 'w9' }),
      ev({ type: 'heartbeat', worker: 'w9', queues: ['q'], stopping: true }),
    ]);
    s.backend.sweep();
    expect((await job(s, 'q', '1')).state).toBe('abandoned');
  });

  it('after a restart, gives workers one timeout to come back, keeps everything stored', async () => {
    const first = await serve({ heartbeatTimeoutMs: 60_000 });
    first.backend.record([
      ev({ type: 'heartbeat', worker: 'gone', queues: ['q'] }),
      ev({ type: 'heartbeat', worker: 'back', queues: ['q'] }),
      ev({ type: 'started', queue: 'q', jobId: 'g', worker: 'gone' }),
      ev({ type: 'started', queue: 'q', jobId: 'b', worker: 'back' }),
      ev({ type: 'completed', queue: 'q', jobId: 'done' }),
    ]);
    await stop(open.splice(open.indexOf(first), 1)[0]!);
    const second = await serve({ file: first.file, heartbeatTimeoutMs: 400, sweepIntervalMs: 50 });
    second.backend.sweep();
    expect((await job(second, 'q', 'g')).state).toBe('active');
    const beat = setInterval(
      () => second.backend.record(ev({ type: 'heartbeat', worker: 'back', queues: ['q'] })),
      100,
    );
    try {
      await expect
        .poll(async () => (await job(second, 'q', 'g')).state, { timeout: 3000 })
        .toBe('abandoned');
      expect((await job(second, 'q', 'b')).state).toBe('active');
    } finally {
      clearInterval(beat);
    }
    expect((await job(second, 'q', 'done')).state).toBe('completed');
    expect(second.backend.store.totalJobs()).toBe(3);
  });
});

describe('commands', () => {
  it('a retry asked in the dashboard reaches one worker, shows pending, then follows the new attempt', async () => {
    const s = await serve();
    s.backend.record([
      ev({ type: 'queued', queue: 'mail', jobId: '7', name: 'send', data: { to: 'x' } }),
      ev({ type: 'failed', queue: 'mail', jobId: '7', error: { message: 'smtp' } }),
    ]);
    const retry = await api(s, 'queues/collector%3Amail/jobs/7/actions', {
      method: 'POST',
      body: JSON.stringify({ type: 'retry' }),
    });
    expect(retry.status).toBe(200);
    expect(retry.body.job).toMatchObject({
      state: 'waiting',
      nativeState: 'retry pending',
      attemptsMade: 1,
    });
    const twice = await api(s, 'queues/collector%3Amail/jobs/7/actions', {
      method: 'POST',
      body: JSON.stringify({ type: 'retry' }),
    });
    expect(twice.status).toBe(409);
    const poll = (worker: string, queues: string) =>
      fetch(`${s.base}/api/ingest/commands?worker=${worker}&queues=${queues}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      }).then((r) => r.json() as Promise<{ commands: any[] }>);
    expect((await poll('w1', 'other')).commands).toEqual([]);
    const { commands } = await poll('w1', 'mail,other');
    expect(commands).toEqual([
      expect.objectContaining({
        type: 'retry',
        queue: 'mail',
        jobId: '7',
        name: 'send',
        data: { to: 'x' },
        attempt: 1,
      }),
    ]);
    expect((await poll('w2', 'mail')).commands, 'leased to w1').toEqual([]);
    await send(s, [
      ev({ type: 'command-result', worker: 'w1', commandId: commands[0].id, ok: true }),
    ]);
    expect(await job(s, 'mail', '7')).toMatchObject({
      state: 'waiting',
      nativeState: 'retry sent',
    });
    await send(s, [ev({ type: 'started', queue: 'mail', jobId: '7', attempt: 2, worker: 'w1' })]);
    expect(await job(s, 'mail', '7')).toMatchObject({ state: 'active', attemptsMade: 2 });
  });

  it('a refused command puts the job back where its events say', async () => {
    const s = await serve();
    s.backend.record([
      ev({ type: 'queued', queue: 'mail', jobId: '8' }),
      ev({ type: 'started', queue: 'mail', jobId: '8', worker: 'w1' }),
    ]);
    const cancel = await s.backend.jobAction!('mail', '8', { type: 'cancel' });
    expect(cancel).toMatchObject({ state: 'cancelled', nativeState: 'cancel pending' });
    const [command] = await s.backend.ingest.commands({ worker: 'w1', queues: ['mail'] });
    s.backend.record(
      ev({
        type: 'command-result',
        worker: 'w1',
        commandId: command!.id,
        ok: false,
        message: 'already done',
      }),
    );
    expect(await job(s, 'mail', '8')).toMatchObject({ state: 'active', nativeState: 'running' });
    const counts = (await api(s, 'queues/collector%3Amail')).body.counts;
    expect(counts).toMatchObject({ active: 1, cancelled: 0 });
  });

  it('retry-all over 10,000 failed jobs asks once per job, even when two run at once', async () => {
    const s = await serve();
    const events: CollectorEventInput[] = [];
    for (let i = 0; i < 10_000; i++) {
      events.push(ev({ type: 'failed', queue: 'bulk', jobId: `f${i}`, error: { message: 'x' } }));
    }
    for (let i = 0; i < events.length; i += 1000) s.backend.record(events.slice(i, i + 1000));
    const [a, b] = await Promise.all([
      s.backend.bulkAction!('bulk', { type: 'retry-all', state: 'failed' }),
      s.backend.bulkAction!('bulk', { type: 'retry-all', state: 'failed' }),
    ]);
    expect(a.affected + b.affected).toBe(10_000);
    const commands = s.backend.store.db
      .prepare(
        "SELECT count(*) AS n, count(DISTINCT job_id) AS jobs FROM commands WHERE queue = 'bulk'",
      )
      .get() as { n: number; jobs: number };
    expect(commands).toEqual({ n: 10_000, jobs: 10_000 });
    const stats = await s.backend.getStats(['bulk']);
    expect(stats.bulk!.counts).toMatchObject({ failed: 0, waiting: 10_000 });
  });
});

describe('retention', () => {
  it('drops finished jobs by age and by count with their events, never running ones', async () => {
    let now = Date.now();
    const s = await serve({ now: () => now, retention: { maxAgeMs: 60_000, maxJobs: 3 } });
    // Age is counted from when the worker says the job finished.
    s.backend.record([
      ev({ type: 'completed', queue: 'q', jobId: 'old', time: now }),
      ev({ type: 'started', queue: 'q', jobId: 'running', time: now }),
    ]);
    now += 120_000;
    s.backend.record([
      ev({ type: 'failed', queue: 'q', jobId: 'f1', error: { message: 'x' }, time: now }),
      ev({ type: 'completed', queue: 'q', jobId: 'c1', time: now + 1 }),
    ]);
    now += 2;
    s.backend.record([ev({ type: 'completed', queue: 'q', jobId: 'c2', time: now })]);
    expect(await s.backend.runRetention()).toBe(2);
    const left = (
      s.backend.store.db.prepare('SELECT id FROM jobs ORDER BY id').all() as { id: string }[]
    ).map((r) => r.id);
    expect(left).toEqual(['c1', 'c2', 'running']);
    const orphans = s.backend.store.db
      .prepare('SELECT count(*) AS n FROM events WHERE job_id NOT IN (SELECT id FROM jobs)')
      .get() as { n: number };
    expect(orphans.n).toBe(0);
  });
});

describe('reads', () => {
  it('searches data and errors with full-text search, and names by scan', async () => {
    const s = await serve();
    s.backend.record([
      ev({
        type: 'queued',
        queue: 'q',
        jobId: '1',
        name: 'invoice',
        data: { customer: 'Ada Lovelace', id: 42 },
      }),
      ev({
        type: 'failed',
        queue: 'q',
        jobId: '1',
        error: { message: 'Connection refused by payments.example.com' },
      }),
      ev({
        type: 'queued',
        queue: 'q',
        jobId: '2',
        name: 'receipt',
        data: { customer: 'Grace Hopper' },
      }),
      ev({ type: 'failed', queue: 'q', jobId: '2', error: { message: 'timeout' } }),
    ]);
    const find = (q: string, fields: string) =>
      api(s, `queues/collector%3Aq/jobs?state=failed&q=${encodeURIComponent(q)}&in=${fields}`).then(
        (r) => r.body.jobs.map((j: { id: string }) => j.id),
      );
    expect(await find('lovelace', 'data')).toEqual(['1']);
    expect(await find('payments.example', 'error')).toEqual(['1']);
    expect(await find('Grac', 'data')).toEqual(['2']);
    expect(await find('timeout', 'data')).toEqual([]);
    expect(await find('rece', 'name')).toEqual(['2']);
    expect(await find('"); DROP TABLE jobs; --', 'data,error,name')).toEqual([]);
    expect(s.backend.store.totalJobs()).toBe(2);
  });

  it('computes throughput and duration percentiles from the stored jobs', async () => {
    const s = await serve();
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    const events: CollectorEventInput[] = [];
    for (let i = 0; i < 100; i++) {
      const t = minute + i * 100;
      events.push(ev({ type: 'queued', queue: 'm', jobId: `${i}`, time: t }));
      events.push(ev({ type: 'started', queue: 'm', jobId: `${i}`, time: t + 10 }));
      events.push(
        i % 10 === 0
          ? ev({
              type: 'failed',
              queue: 'm',
              jobId: `${i}`,
              time: t + 10 + i,
              error: { message: 'x' },
            })
          : ev({ type: 'completed', queue: 'm', jobId: `${i}`, time: t + 10 + i }),
      );
    }
    s.backend.record(events);
    const series = await s.backend.getMetrics!('m', {
      from: minute,
      to: minute + 180_000,
      bucketMs: 60_000,
    });
    expect(series.buckets.map((b) => [b.completed, b.failed])).toEqual([
      [90, 10],
      [0, 0],
      [0, 0],
    ]);
    expect(series.buckets[0]!.waitMs).toEqual({ p50: 10, p95: 10, p99: 10 });
    expect(series.buckets[0]!.processMs!.p50).toBeGreaterThanOrEqual(45);
    expect(series.buckets[0]!.processMs!.p99).toBeLessThanOrEqual(99);
  });

  it('lists workers from heartbeats with their queues and running jobs, and a timeline per job', async () => {
    const s = await serve();
    s.backend.record([
      ev({
        type: 'heartbeat',
        worker: 'w1',
        queues: ['a', 'b'],
        name: 'img-1',
        host: 'box',
        pid: 12,
        concurrency: 4,
      }),
      ev({ type: 'queued', queue: 'a', jobId: '1' }),
      ev({ type: 'started', queue: 'a', jobId: '1', worker: 'w1' }),
      ev({ type: 'log', queue: 'a', jobId: '1', worker: 'w1', message: 'resized' }),
    ]);
    const workers = await api(s, 'workers');
    expect(workers.body).toEqual([
      expect.objectContaining({
        name: 'img-1',
        address: 'box (pid 12)',
        concurrency: 4,
        activeJobs: 1,
      }),
    ]);
    const detail = await job(s, 'a', '1');
    expect(detail.options.timeline).toEqual([
      expect.stringMatching(/ queued$/),
      expect.stringMatching(/ started on w1$/),
      expect.stringMatching(/ log: resized$/),
    ]);
    const logs = await api(s, 'queues/collector%3Aa/jobs/1/logs');
    expect(logs.body.lines.map((l: { message: string }) => l.message)).toEqual(['resized']);
  });

  it('refuses a file that is not a store with a clear error', () => {
    const file = join(folder, 'not-a-db.db');
    writeFileSync(file, 'this is not sqlite at all, just text '.repeat(200));
    expect(() => createCollectorBackend({ file })).toThrow(/not a database/);
  });
});
