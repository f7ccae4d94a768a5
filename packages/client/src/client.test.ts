import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Capabilities,
  createAdmin,
  createNodeListener,
  createSetupCode,
  type DashboardEvent,
  defineBackend,
  type Job,
  notFound,
  passwordAuth,
  type QadminApp,
  type Schedule,
} from '@qadmin/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, isQadminApiError, QadminApiError } from './index';

// A tiny in-memory backend: the real one is tested in @qadmin/backend-memory.
function job(id: string, state: Job['state'], failedReason: string | null = null): Job {
  return {
    id,
    name: 'send',
    state,
    nativeState: state,
    data: { id },
    options: {},
    progress: null,
    attemptsMade: 0,
    attemptsAllowed: null,
    priority: null,
    createdAt: Number(id.replace(/\D/g, '') || 0),
    delayedUntil: null,
    processedAt: null,
    finishedAt: null,
    returnValue: null,
    failedReason,
    stacktrace: [],
    parent: null,
    children: [],
    workerId: null,
  };
}

const capabilities: Capabilities = {
  states: ['waiting', 'completed', 'failed'],
  jobActions: ['retry'],
  addJob: true,
  bulkActions: ['pause', 'resume'],
  retryAllStates: [],
  cleanStates: [],
  search: ['error'],
  offsetPagination: false,
  jobNames: true,
  logs: true,
  workers: true,
  schedules: { read: true, write: true, intervals: true, multiple: true },
  metrics: true,
  events: false,
  flows: false,
  audit: false,
};

function createBackend() {
  let jobs = [job('1', 'failed', 'timeout'), job('2', 'failed', 'refused'), job('a/b', 'waiting')];
  let schedules: Schedule[] = [];
  let paused = false;
  const find = (id: string) => {
    const found = jobs.find((j) => j.id === id);
    if (!found) throw notFound('job', id);
    return found;
  };
  return defineBackend({
    id: 'mem',
    kind: 'fake',
    capabilities,
    listQueues: async () => [{ name: 'emails' }],
    getStats: async () => ({ emails: { counts: { failed: 2 }, paused, workers: 1 } }),
    async listJobs(_queue, query) {
      const all = jobs.filter((j) => j.state === query.state);
      const start = Number(query.cursor ?? 0);
      const end = start + query.limit;
      return {
        jobs: all.slice(start, end),
        nextCursor: end < all.length ? String(end) : null,
        total: all.length,
      };
    },
    async searchJobs(_queue, query) {
      const inState = jobs.filter((j) => j.state === query.state);
      const hits = inState.filter((j) => j.failedReason?.includes(query.text));
      return {
        jobs: hits,
        nextCursor: null,
        total: null,
        scanned: inState.length,
        exhausted: true,
      };
    },
    getJob: async (_queue, id) => jobs.find((j) => j.id === id) ?? null,
    getJobLogs: async (_queue, _id, page) => ({
      lines: ['a', 'b', 'c']
        .slice(page.offset, page.offset + page.limit)
        .map((message) => ({ timestamp: null, message })),
      total: 3,
    }),
    async jobAction(_queue, id) {
      const retried = { ...find(id), state: 'waiting' as const };
      jobs = jobs.map((j) => (j.id === id ? retried : j));
      return retried;
    },
    async addJob(queue, input) {
      const added = {
        ...job(String(jobs.length + 10), 'waiting'),
        name: input.name ?? queue,
        data: input.data,
      };
      jobs.push(added);
      return added;
    },
    async bulkAction(_queue, action) {
      paused = action.type === 'pause';
      return { affected: 0 };
    },
    getWorkers: async () => [
      {
        id: 'w1',
        name: null,
        queues: ['emails'],
        address: null,
        startedAt: null,
        lastSeenAt: null,
        idleMs: null,
        concurrency: 1,
        activeJobs: 0,
      },
    ],
    listSchedules: async () => schedules,
    async upsertSchedule(queue, input) {
      const schedule: Schedule = {
        id: input.id,
        queue,
        jobName: input.jobName,
        pattern: input.pattern ?? null,
        everyMs: input.everyMs ?? null,
        timezone: null,
        nextRunAt: null,
        lastRunAt: null,
        data: null,
        options: {},
      };
      schedules = [...schedules.filter((s) => s.id !== input.id), schedule];
      return schedule;
    },
    async removeSchedule(_queue, id) {
      if (!schedules.some((s) => s.id === id)) throw notFound('schedule', id);
      schedules = schedules.filter((s) => s.id !== id);
    },
    getMetrics: async (_queue, q) => ({
      ...q,
      buckets: Array.from({ length: (q.to - q.from) / q.bucketMs }, (_, i) => ({
        start: q.from + i * q.bucketMs,
        completed: 0,
        failed: 0,
        waitMs: null,
        processMs: null,
      })),
    }),
  });
}

let admin: QadminApp;
let server: ReturnType<typeof createServer>;
let origin: string;

beforeAll(async () => {
  // Writes without login: this file tests the client, not the access rules (core's tests do).
  admin = createAdmin({
    backends: [createBackend()],
    sseHeartbeatMs: 60_000,
    unsafeAnonymousWrites: true,
    warn: () => {},
  });
  server = createServer(createNodeListener(admin, { basePath: '/admin/queues' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await admin.close();
});

const client = () => createClient({ baseUrl: `${origin}/admin/queues/` });
const Q = 'mem:emails';

describe('reads', () => {
  it('overview, queue, health, workers', async () => {
    const api = client();
    expect((await api.overview()).queues.map((q) => q.id)).toEqual([Q]);
    expect(await api.queue(Q)).toMatchObject({ id: Q, capabilities: { logs: true } });
    expect((await api.health()).status).toBe('ok');
    expect((await api.workers()).map((w) => w.queueIds)).toEqual([[Q]]);
    expect(await api.workers(Q)).toHaveLength(1);
  });

  it('listJobs pages with a cursor and searches with q and in', async () => {
    const api = client();
    const first = await api.listJobs(Q, { state: 'failed', limit: 1 });
    expect(first.jobs).toHaveLength(1);
    const second = await api.listJobs(Q, { state: 'failed', limit: 1, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    const found = await api.listJobs(Q, { state: 'failed', q: 'refused', in: ['error'] });
    expect(found.jobs.map((j) => j.id)).toEqual(['2']);
    expect(found.search).toMatchObject({ fields: ['error'], exhausted: true });
  });

  it('getJob encodes ids, getJobLogs pages', async () => {
    const api = client();
    expect((await api.getJob(Q, 'a/b')).id).toBe('a/b');
    expect(await api.getJobLogs(Q, '1')).toMatchObject({ total: 3 });
    expect((await api.getJobLogs(Q, '1', { offset: 2, limit: 1 })).lines).toEqual([
      { timestamp: null, message: 'c' },
    ]);
  });

  it('metrics, openapi, prometheus', async () => {
    const api = client();
    expect((await api.metrics(Q)).range).toBe('1h');
    expect((await api.metrics(Q, '24h')).buckets).toHaveLength(96);
    const doc = await api.openapi();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/admin/queues' }]);
    expect(await api.prometheus()).toContain(
      'qadmin_queue_jobs{backend="mem",queue="emails",state="failed"} 2',
    );
  });
});

describe('mutations', () => {
  it('addJob, jobAction, bulkAction', async () => {
    const api = client();
    const added = await api.addJob(Q, { name: 'welcome', data: { to: 'x' } });
    expect(added).toMatchObject({ name: 'welcome', queueId: Q });
    expect((await api.jobAction(Q, '1', { type: 'retry' })).job?.state).toBe('waiting');
    expect(await api.bulkAction(Q, { type: 'pause' })).toEqual({ affected: 0 });
    expect((await api.queue(Q)).paused).toBe(true);
    await api.bulkAction(Q, { type: 'resume' });
  });

  it('schedules: upsert, list, remove', async () => {
    const api = client();
    expect(
      await api.upsertSchedule(Q, { id: 'n', jobName: 'send', everyMs: 60_000 }),
    ).toMatchObject({ id: 'n', everyMs: 60_000 });
    expect(await api.schedules(Q)).toHaveLength(1);
    expect(await api.removeSchedule(Q, 'n')).toBeUndefined();
    expect(await api.schedules(Q)).toEqual([]);
  });
});

describe('errors', () => {
  it('rejects with QadminApiError carrying the problem', async () => {
    const api = client();
    const missing = await api.getJob(Q, 'nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(QadminApiError);
    expect(missing).toMatchObject({
      status: 404,
      code: 'not-found',
      instance: '/admin/queues/api/queues/mem%3Aemails/jobs/nope',
    });
    const invalid = await api
      .listJobs(Q, { state: 'failed', limit: 5000 })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({
      status: 400,
      field: 'query.limit',
      title: 'Invalid query.limit',
    });
    const body = await api.addJob(Q, { name: '' }).catch((e: unknown) => e);
    expect(isQadminApiError(body) && body.field).toBe('body.name');
    const unsupported = await api.bulkAction(Q, { type: 'empty' }).catch((e: unknown) => e);
    expect(unsupported).toMatchObject({ status: 501, problem: { capability: 'empty' } });
  });

  it('describes answers that are not problem documents', async () => {
    const api = createClient({
      baseUrl: 'http://example.test',
      fetch: async () =>
        new Response('<h1>Bad gateway</h1>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html' },
        }),
    });
    await expect(api.overview()).rejects.toMatchObject({
      name: 'QadminApiError',
      status: 502,
      title: 'Bad Gateway',
    });
  });

  it('aborts with the signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client().overview({ signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});

describe('setup', () => {
  it('creates the first admin with the setup code, names a bad field, then answers 409', async () => {
    const code = createSetupCode();
    const firstRun = createAdmin({
      backends: [createBackend()],
      auth: passwordAuth({ users: [], setup: { code, store: () => {} } }),
      warn: () => {},
    });
    const listener = createServer(createNodeListener(firstRun));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const api = createClient({
        baseUrl: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
      });
      expect(await api.me()).toMatchObject({ principal: null, setup: true });
      const short = await api
        .setup({ code, username: 'root', password: 'too-short' })
        .catch((e: unknown) => e);
      expect(short).toMatchObject({ status: 400, field: 'body.password' });
      const status = await api.setup({ code, username: 'root', password: 'a-long-password' });
      expect(status).toMatchObject({ principal: { name: 'root', role: 'admin' }, setup: false });
      await expect(
        api.setup({ code, username: 'eve', password: 'a-long-password' }),
      ).rejects.toMatchObject({ status: 409, code: 'setup-closed' });
    } finally {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
      await firstRun.close();
    }
  });
});

describe('headers', () => {
  it('sends static, per-call and computed headers', async () => {
    const seen: Headers[] = [];
    const recording: typeof fetch = (input, init) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    let n = 0;
    const api = createClient({
      baseUrl: `${origin}/admin/queues`,
      fetch: recording,
      headers: async () => ({ authorization: `Bearer ${++n}` }),
    });
    await api.health();
    await api.health({ headers: { 'x-trace': 't' } });
    expect(seen.map((h) => h.get('authorization'))).toEqual(['Bearer 1', 'Bearer 2']);
    expect(seen[1]?.get('x-trace')).toBe('t');
    expect(seen[0]?.get('accept')).toBe('application/json');
  });
});

describe('events', () => {
  it('delivers the overview, then live events, and stops on abort', async () => {
    const api = client();
    const controller = new AbortController();
    const events: DashboardEvent[] = [];
    const done = api.events((event) => events.push(event), { signal: controller.signal });
    await vi.waitFor(() => expect(events[0]?.type).toBe('overview'));
    await api.jobAction(Q, '2', { type: 'retry' });
    await vi.waitFor(() =>
      expect(events.some((e) => e.type === 'action' && e.jobId === '2')).toBe(true),
    );
    controller.abort();
    await expect(done).resolves.toBeUndefined();
    await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(0));
  });

  it('reconnects when the connection drops', async () => {
    const api = client();
    const controller = new AbortController();
    const overviews: number[] = [];
    const onOpen = vi.fn();
    const onError = vi.fn();
    const done = api.events(
      (event) => {
        if (event.type === 'overview') overviews.push(event.overview.generatedAt);
      },
      { signal: controller.signal, onOpen, onError, initialRetryMs: 10 },
    );
    await vi.waitFor(() => expect(overviews).toHaveLength(1));
    server.closeAllConnections();
    await vi.waitFor(() => expect(overviews.length).toBeGreaterThanOrEqual(2));
    expect(onOpen).toHaveBeenCalledTimes(2);
    controller.abort();
    await done;
  });

  it('gives up on a 4xx and rejects', async () => {
    const api = createClient({ baseUrl: `${origin}/elsewhere` });
    await expect(api.events(() => {})).rejects.toMatchObject({ status: 404 });
  });

  it('rejects with the error onEvent throws', async () => {
    const failure = new Error('render failed');
    await expect(
      client().events(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(0));
  });
});
