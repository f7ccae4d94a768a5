import type {
  ApiJob,
  ApiJobPage,
  ApiMetrics,
  ApiWorker,
  DashboardEvent,
  Overview,
  QueueDetail,
  Schedule,
} from '@qadmin/core';
import type { QadminApi } from '../shared/context';

/** One call the fake API received: the method and its arguments. */
export interface FakeCall {
  method: string;
  args: unknown[];
}

/** A fake API plus what the test needs to drive it. */
export interface FakeApi {
  api: QadminApi;
  calls: FakeCall[];
  /** Delivers a live event to every open `events()` stream. */
  push(event: DashboardEvent): void;
  /** The calls of one method. */
  callsOf(method: string): unknown[][];
}

const now = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A job of the fake data set. */
export function fakeJob(overrides: Partial<ApiJob> = {}): ApiJob {
  return {
    id: '1',
    queueId: 'memory:emails',
    name: 'send-email',
    state: 'failed',
    nativeState: 'failed',
    data: { to: 'ada@example.com', subject: 'Welcome' },
    options: { attempts: 3 },
    progress: null,
    attemptsMade: 3,
    attemptsAllowed: 3,
    priority: null,
    createdAt: now - 60_000,
    delayedUntil: null,
    processedAt: now - 50_000,
    finishedAt: now - 40_000,
    returnValue: null,
    failedReason: 'SMTP 421: try again later',
    stacktrace: ['Error: SMTP 421: try again later\n    at send (mailer.js:10:5)'],
    parent: null,
    children: [],
    workerId: 'mailer-1',
    ...overrides,
  };
}

/** The overview of the fake data set: two backends, three queues. */
export function fakeOverview(overrides: Partial<Overview> = {}): Overview {
  return {
    generatedAt: now,
    refreshIntervalMs: 2000,
    readOnly: false,
    backends: [
      { id: 'memory', kind: 'memory', label: 'in-memory', ok: true, error: null, queueCount: 2 },
      { id: 'redis', kind: 'bullmq', label: 'BullMQ', ok: true, error: null, queueCount: 1 },
    ],
    queues: [
      {
        id: 'memory:emails',
        backend: 'memory',
        name: 'emails',
        counts: { waiting: 12, active: 2, completed: 340, failed: 7, delayed: 1 },
        paused: false,
        workers: 2,
        meta: {},
      },
      {
        id: 'memory:exports',
        backend: 'memory',
        name: 'exports',
        counts: { waiting: 5, active: 0, completed: 0, failed: 0 },
        paused: false,
        workers: 0,
        meta: {},
      },
      {
        id: 'redis:webhooks',
        backend: 'redis',
        name: 'webhooks',
        counts: { waiting: 0, active: 1, completed: 90, failed: 30 },
        paused: true,
        workers: 1,
        meta: {},
      },
    ],
    ...overrides,
  };
}

/** The detail of a fake queue, with every capability unless overridden. */
export function fakeQueue(overrides: Partial<QueueDetail> = {}): QueueDetail {
  const queue = fakeOverview().queues[0]!;
  return {
    ...queue,
    readOnly: false,
    capabilities: {
      states: ['waiting', 'active', 'delayed', 'completed', 'failed'],
      jobActions: ['retry', 'remove', 'promote', 'discard', 'update-data', 'duplicate'],
      addJob: true,
      bulkActions: ['retry-all', 'promote-all', 'clean', 'empty', 'pause', 'resume', 'obliterate'],
      retryAllStates: ['failed', 'completed'],
      cleanStates: ['completed', 'failed'],
      search: ['name', 'data', 'error'],
      offsetPagination: true,
      jobNames: true,
      logs: true,
      workers: true,
      schedules: { read: true, write: true, intervals: true, multiple: true },
      metrics: true,
      events: true,
      flows: true,
    },
    ...overrides,
  };
}

/** Handlers the test can replace, one per API method. */
export type FakeHandlers = Partial<{ [K in keyof QadminApi]: QadminApi[K] }>;

/**
 * A fake {@link QadminApi} over the fake data set. Every method records its
 * call; `handlers` replace any method (to return other data or fail).
 */
export function createFakeApi(handlers: FakeHandlers = {}): FakeApi {
  const calls: FakeCall[] = [];
  const streams = new Set<(event: DashboardEvent) => void>();
  const page: ApiJobPage = {
    queueId: 'memory:emails',
    state: 'failed',
    jobs: [fakeJob(), fakeJob({ id: '2', failedReason: 'timeout' })].map(
      ({ data, returnValue: _r, stacktrace: _s, options: _o, children, ...rest }) => ({
        ...rest,
        dataPreview: JSON.stringify(data),
        childrenCount: children.length,
      }),
    ),
    nextCursor: null,
    total: 2,
    search: null,
  };
  const defaults: QadminApi = {
    overview: async () => fakeOverview(),
    queue: async (queueId) => fakeQueue({ id: queueId }),
    listJobs: async () => page,
    getJob: async (queueId, jobId) => fakeJob({ queueId, id: jobId }),
    getJobLogs: async () => ({
      lines: [{ timestamp: now - 45_000, message: 'connecting to smtp' }],
      total: 1,
    }),
    addJob: async (queueId, input) =>
      fakeJob({
        queueId,
        name: input.name ?? queueId.slice(queueId.indexOf(':') + 1),
        state: 'waiting',
      }),
    jobAction: async (queueId, jobId) => ({
      job: fakeJob({ queueId, id: jobId, state: 'waiting' }),
    }),
    bulkAction: async () => ({ affected: 7 }),
    workers: async (): Promise<ApiWorker[]> => [
      {
        id: 'mailer-1',
        name: 'mailer',
        queues: ['emails'],
        address: '10.0.0.7',
        startedAt: now - 3_600_000,
        lastSeenAt: now - 1000,
        idleMs: 0,
        concurrency: 4,
        activeJobs: 1,
        backend: 'memory',
        queueIds: ['memory:emails'],
      },
    ],
    schedules: async (queueId): Promise<Schedule[]> => [
      {
        id: 'nightly',
        queue: queueId.slice(queueId.indexOf(':') + 1),
        jobName: 'digest',
        pattern: '0 3 * * *',
        everyMs: null,
        timezone: 'UTC',
        nextRunAt: now + 3_600_000,
        lastRunAt: now - 82_800_000,
        data: {},
        options: {},
      },
    ],
    upsertSchedule: async (queueId, input) =>
      ({
        queue: queueId.slice(queueId.indexOf(':') + 1),
        pattern: null,
        everyMs: null,
        timezone: null,
        data: null,
        options: {},
        ...input,
        nextRunAt: now + 60_000,
        lastRunAt: null,
      }) as Schedule,
    removeSchedule: async () => {},
    metrics: async (queueId, range = '1h'): Promise<ApiMetrics> => ({
      queueId,
      range,
      from: now - 3_600_000,
      to: now,
      bucketMs: 60_000,
      buckets: Array.from({ length: 60 }, (_, i) => ({
        start: now - 3_600_000 + i * 60_000,
        completed: 20 + (i % 7) * 3,
        failed: i % 9 === 0 ? 4 : 0,
        waitMs: null,
        processMs: null,
      })),
    }),
    throughput: async () => ({
      from: now - 3_600_000,
      to: now,
      bucketMs: 300_000,
      queues: {
        'memory:emails': {
          completed: [30, 28, 35, 40, 31, 29, 33, 38, 41, 36, 30, 34],
          failed: [0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 0, 3],
        },
        'redis:webhooks': { completed: Array(12).fill(7), failed: Array(12).fill(3) },
      },
    }),
    health: async () => ({ status: 'ok', backends: fakeOverview().backends }),
    openapi: async () => ({}) as Awaited<ReturnType<QadminApi['openapi']>>,
    prometheus: async () => '',
    events: (onEvent, options = {}) =>
      new Promise<void>((resolve) => {
        streams.add(onEvent);
        options.onOpen?.();
        onEvent({ type: 'overview', overview: fakeOverview() });
        options.signal?.addEventListener('abort', () => {
          streams.delete(onEvent);
          resolve();
        });
      }),
  };
  const api = {} as QadminApi;
  for (const key of Object.keys(defaults) as (keyof QadminApi)[]) {
    const impl = (handlers[key] ?? defaults[key]) as (...args: unknown[]) => unknown;
    (api as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      calls.push({ method: key, args });
      return impl(...args);
    };
  }
  return {
    api,
    calls,
    push: (event) => {
      for (const stream of streams) stream(event);
    },
    callsOf: (method) => calls.filter((c) => c.method === method).map((c) => c.args),
  };
}
