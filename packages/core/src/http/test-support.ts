/**
 * Test support for the HTTP layer: a small in-memory backend built with
 * defineBackend and a real node:http server. Not exported from the package.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineBackend, type QueueBackend } from '../backend';
import { conflict, notFound } from '../errors';
import type {
  BackendEvent,
  Capabilities,
  Job,
  JobState,
  Schedule,
  SearchPage,
  Worker,
} from '../model';
import type { QadminApp } from './admin';
import { createNodeListener } from './node';

export const FULL_CAPABILITIES: Capabilities = {
  states: ['waiting', 'delayed', 'active', 'completed', 'failed'],
  jobActions: ['retry', 'remove', 'promote', 'update-data'],
  addJob: true,
  bulkActions: ['retry-all', 'clean', 'pause', 'resume'],
  retryAllStates: ['failed'],
  cleanStates: ['completed', 'failed'],
  search: ['name', 'data', 'error'],
  offsetPagination: true,
  jobNames: true,
  logs: true,
  workers: true,
  schedules: { read: true, write: true, intervals: true, multiple: true },
  metrics: true,
  events: true,
  flows: false,
  audit: false,
};

export const MINIMAL_CAPABILITIES: Capabilities = {
  states: ['waiting', 'completed'],
  jobActions: [],
  addJob: false,
  bulkActions: [],
  retryAllStates: [],
  cleanStates: [],
  search: [],
  offsetPagination: false,
  jobNames: false,
  logs: false,
  workers: false,
  schedules: { read: false, write: false, intervals: false, multiple: false },
  metrics: false,
  events: false,
  flows: false,
  audit: false,
};

export function makeJob(id: string, state: JobState, overrides: Partial<Job> = {}): Job {
  return {
    id,
    name: 'send',
    state,
    nativeState: state,
    data: { to: `user${id}@example.com` },
    options: {},
    progress: null,
    attemptsMade: state === 'failed' ? 1 : 0,
    attemptsAllowed: 1,
    priority: null,
    createdAt: 1_700_000_000_000 + Number(id.replace(/\D/g, '') || 0) * 1000,
    delayedUntil: null,
    processedAt: null,
    finishedAt: null,
    returnValue: null,
    failedReason: state === 'failed' ? 'SMTP timeout' : null,
    stacktrace: state === 'failed' ? ['Error: SMTP timeout', '    at send (mail.js:1:1)'] : [],
    parent: null,
    children: [],
    workerId: null,
    ...overrides,
  };
}

interface FakeQueue {
  paused: boolean;
  jobs: Job[];
  schedules: Schedule[];
  logs: Map<string, string[]>;
}

/** The in-memory backend: a few queues with jobs in arrays, counting calls. */
export function createFakeBackend(options: { id?: string; capabilities?: Capabilities } = {}) {
  const queues = new Map<string, FakeQueue>([
    [
      'emails',
      {
        paused: false,
        jobs: [
          makeJob('1', 'completed'),
          makeJob('2', 'failed'),
          makeJob('3', 'failed', { failedReason: 'mailbox full' }),
          makeJob('4', 'waiting'),
          makeJob('5', 'delayed', { delayedUntil: 1_900_000_000_000 }),
          makeJob('a/b', 'waiting', { name: 'slashed' }),
        ],
        schedules: [],
        logs: new Map([['1', ['started', 'sent']]]),
      },
    ],
    [
      'reports',
      {
        paused: true,
        jobs: [makeJob('r1', 'waiting', { name: 'build' })],
        schedules: [],
        logs: new Map(),
      },
    ],
  ]);
  const listeners = new Set<(event: BackendEvent) => void>();
  const calls: Record<string, number> = {};
  let nextId = 100;
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const queueOf = (name: string) => {
    const queue = queues.get(name);
    if (!queue) throw notFound('queue', name);
    return queue;
  };
  const jobOf = (queue: string, id: string) => {
    const job = queueOf(queue).jobs.find((j) => j.id === id);
    if (!job) throw notFound('job', id);
    return job;
  };
  const emit = (event: BackendEvent) => {
    for (const listener of listeners) listener(event);
  };
  const worker: Worker = {
    id: 'w1',
    name: 'mailer',
    queues: ['emails'],
    address: '127.0.0.1',
    startedAt: 1_700_000_000_000,
    lastSeenAt: 1_700_000_100_000,
    idleMs: 10,
    concurrency: 2,
    activeJobs: 0,
  };

  const backend = defineBackend({
    id: options.id ?? 'mem',
    kind: 'fake',
    label: 'Fake',
    capabilities: options.capabilities ?? FULL_CAPABILITIES,
    async listQueues() {
      count('listQueues');
      return [...queues.keys()].map((name) => ({ name, meta: { fake: true } }));
    },
    async getStats(names: readonly string[]) {
      count('getStats');
      await Promise.resolve();
      const stats: Awaited<ReturnType<QueueBackend['getStats']>> = {};
      for (const name of names) {
        const queue = queues.get(name);
        if (!queue) continue;
        const counts: Partial<Record<JobState, number>> = {};
        for (const job of queue.jobs) counts[job.state] = (counts[job.state] ?? 0) + 1;
        stats[name] = { counts, paused: queue.paused, workers: name === 'emails' ? 1 : 0 };
      }
      return stats;
    },
    async listJobs(name, query) {
      count('listJobs');
      const all = queueOf(name)
        .jobs.filter(
          (j) => j.state === query.state && (query.name === undefined || j.name === query.name),
        )
        .sort((a, b) =>
          query.order === 'newest' ? b.createdAt - a.createdAt : a.createdAt - b.createdAt,
        );
      const start = query.offset ?? Number(query.cursor ?? 0);
      const jobs = all.slice(start, start + query.limit);
      const end = start + jobs.length;
      return { jobs, nextCursor: end < all.length ? String(end) : null, total: all.length };
    },
    async searchJobs(name, query): Promise<SearchPage> {
      const text = query.text.toLowerCase();
      const inState = queueOf(name).jobs.filter((j) => j.state === query.state);
      const scanned = inState.slice(0, query.scanLimit);
      const jobs = scanned.filter((j) =>
        query.fields.some((field) => {
          const value =
            field === 'name'
              ? j.name
              : field === 'data'
                ? JSON.stringify(j.data)
                : (j.failedReason ?? '');
          return value.toLowerCase().includes(text);
        }),
      );
      return {
        jobs: jobs.slice(0, query.limit),
        nextCursor: null,
        total: null,
        scanned: scanned.length,
        exhausted: scanned.length === inState.length,
      };
    },
    async getJob(name, id) {
      count('getJob');
      return queueOf(name).jobs.find((j) => j.id === id) ?? null;
    },
    async getJobLogs(name, id, page) {
      const lines = queueOf(name).logs.get(id) ?? [];
      return {
        lines: lines
          .slice(page.offset, page.offset + page.limit)
          .map((message) => ({ timestamp: null, message })),
        total: lines.length,
      };
    },
    async jobAction(name, id, action) {
      const queue = queueOf(name);
      const job = jobOf(name, id);
      switch (action.type) {
        case 'retry':
          if (job.state !== 'failed') throw conflict('Only failed jobs can be retried');
          job.state = 'waiting';
          job.nativeState = 'waiting';
          break;
        case 'promote':
          if (job.state !== 'delayed') throw conflict('Only delayed jobs can be promoted');
          job.state = 'waiting';
          job.nativeState = 'waiting';
          break;
        case 'remove':
          queue.jobs.splice(queue.jobs.indexOf(job), 1);
          emit({ type: 'job', queue: name, jobId: id, state: 'removed' });
          return null;
        case 'update-data':
          job.data = action.data;
          break;
        default:
          throw conflict(`${action.type} is not implemented by the fake`);
      }
      emit({ type: 'job', queue: name, jobId: id, state: job.state });
      return job;
    },
    async addJob(name, input) {
      const job = makeJob(input.jobId ?? String(nextId++), input.delayMs ? 'delayed' : 'waiting', {
        name: input.name ?? name,
        data: input.data ?? null,
      });
      queueOf(name).jobs.push(job);
      return job;
    },
    async bulkAction(name, action) {
      const queue = queueOf(name);
      switch (action.type) {
        case 'pause':
        case 'resume':
          queue.paused = action.type === 'pause';
          emit({ type: 'queue', queue: name, paused: queue.paused });
          return { affected: 0 };
        case 'clean': {
          const before = queue.jobs.length;
          queue.jobs = queue.jobs.filter((j) => j.state !== action.state);
          return { affected: before - queue.jobs.length };
        }
        case 'retry-all': {
          const failed = queue.jobs.filter((j) => j.state === action.state);
          for (const job of failed) job.state = 'waiting';
          return { affected: failed.length };
        }
        default:
          throw conflict(`${action.type} is not implemented by the fake`);
      }
    },
    async getWorkers(names) {
      return names && !names.includes('emails') ? [] : [worker];
    },
    async listSchedules(name) {
      return queueOf(name).schedules;
    },
    async upsertSchedule(name, input) {
      const queue = queueOf(name);
      const schedule: Schedule = {
        id: input.id,
        queue: name,
        jobName: input.jobName,
        pattern: input.pattern ?? null,
        everyMs: input.everyMs ?? null,
        timezone: input.timezone ?? null,
        nextRunAt: null,
        lastRunAt: null,
        data: input.data ?? null,
        options: input.options ?? {},
      };
      queue.schedules = [...queue.schedules.filter((s) => s.id !== input.id), schedule];
      return schedule;
    },
    async removeSchedule(name, id) {
      const queue = queueOf(name);
      if (!queue.schedules.some((s) => s.id === id)) throw notFound('schedule', id);
      queue.schedules = queue.schedules.filter((s) => s.id !== id);
    },
    async getMetrics(_name, query) {
      const buckets = [];
      for (let start = query.from; start < query.to; start += query.bucketMs) {
        buckets.push({ start, completed: 1, failed: 0, waitMs: null, processMs: null });
      }
      return { from: query.from, to: query.to, bucketMs: query.bucketMs, buckets };
    },
    subscribe(listener: (event: BackendEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  return Object.assign(backend, { queues, calls, emit, listenerCount: () => listeners.size });
}

/** A backend whose store cannot be reached (connection refused). */
export function createDownBackend(id = 'down') {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  return defineBackend({
    id,
    kind: 'fake',
    capabilities: MINIMAL_CAPABILITIES,
    listQueues: async () => {
      throw refused();
    },
    getStats: async () => {
      throw refused();
    },
    listJobs: async () => {
      throw refused();
    },
    getJob: async () => {
      throw refused();
    },
  });
}

/** A backend that lists its queue and then never answers. */
export function createHangingBackend(id = 'slow') {
  const never = () => new Promise<never>(() => {});
  return defineBackend({
    id,
    kind: 'fake',
    capabilities: MINIMAL_CAPABILITIES,
    listQueues: async () => [{ name: 'stuck' }],
    getStats: never,
    listJobs: never,
    getJob: never,
  });
}

/** A backend whose store breaks with an unexpected error carrying secrets in its stack. */
export function createBrokenBackend(id = 'broken') {
  return defineBackend({
    id,
    kind: 'fake',
    capabilities: MINIMAL_CAPABILITIES,
    listQueues: async () => [{ name: 'q' }],
    getStats: async () => ({ q: { counts: {}, paused: false, workers: null } }),
    listJobs: async () => {
      throw new Error('password=hunter2 leaked in a message');
    },
    getJob: async () => {
      throw new TypeError('Cannot read properties of undefined (reading "secret")');
    },
  });
}

/** Serves `admin` with createNodeListener on a free port. */
export async function startServer(admin: QadminApp, basePath?: string) {
  const server = createServer(
    createNodeListener(admin, basePath === undefined ? {} : { basePath }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A request over node:http that shows the bytes and headers as sent (no
 * automatic decompression) and keeps `path` exactly as given (no URL
 * normalisation of `..`).
 */
export function rawRequest(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
