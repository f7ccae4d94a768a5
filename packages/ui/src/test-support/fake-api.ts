import { QadminApiError } from '@qadmin/client';
import type {
  ApiJob,
  ApiJobPage,
  ApiMetrics,
  ApiWorker,
  AuditEntry,
  AuthStatus,
  BulkAction,
  DashboardEvent,
  JobAction,
  Overview,
  Permission,
  QueueDetail,
  Role,
  Schedule,
} from '@qadmin/core';
import type { QadminApi } from '../shared/context';

/** One call the fake API received: the method and its arguments. */
export interface FakeCall {
  method: string;
  args: unknown[];
}

/**
 * The access control of the fake server; change it while a test runs (a
 * session that expires: `auth.principal = null`).
 */
export interface FakeAuth {
  /** Who is signed in, `null`: nobody. Default: `ada`, an admin, by password. */
  principal: AuthStatus['principal'];
  /** What the principal may do. Default: what its role may by core's defaults. */
  permissions?: Permission[];
  /** A password login exists. Default true. */
  login: boolean;
  /** Nobody signs in (no auth configured). Default false. */
  anonymous: boolean;
  readOnlyReason: string | null;
  /** Who may sign in, with which password and role. Default `ada`/`secret` (admin). */
  users: Record<string, { password: string; role: Role }>;
  /** Failed logins are refused this many more seconds (429). */
  lockedForSeconds?: number;
  /** A first-run setup is pending. Default false. */
  setup: boolean;
  /** The code `setup()` takes. Default `ABCDE-FGHJK-MNPQR-STVWX`. */
  setupCode: string;
}

/** Options of {@link createFakeApi}. */
export interface FakeOptions {
  auth?: Partial<FakeAuth>;
}

const OPERATOR: Permission[] = [
  'read',
  ...(
    [
      'retry',
      'remove',
      'promote',
      'cancel',
      'discard',
      'complete',
      'update-data',
      'change-delay',
      'change-priority',
      'duplicate',
    ] as const
  ).map((action) => `job.${action}` as const),
  'job.add',
];
const ADMIN: Permission[] = [
  ...OPERATOR,
  ...(['retry-all', 'promote-all', 'clean', 'empty', 'pause', 'resume', 'obliterate'] as const).map(
    (action) => `queue.${action}` as const,
  ),
  'schedules.write',
  'audit.read',
];

/** What each role may do by core's default permissions. */
export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  viewer: ['read'],
  operator: OPERATOR,
  admin: ADMIN,
};

/** A problem answer of the fake server. */
export function fakeProblem(
  status: number,
  code: string,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): QadminApiError {
  return new QadminApiError({
    type: `https://qadmin.dev/problems/${code}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  });
}

/** The permission a call of the fake API needs (`read` for every read). */
function permissionOf(method: string, args: unknown[]): Permission | 'public' {
  switch (method) {
    case 'me':
    case 'login':
    case 'logout':
    case 'setup':
      return 'public';
    case 'jobAction':
      return `job.${(args[2] as JobAction).type}`;
    case 'bulkAction':
      return `queue.${(args[1] as BulkAction).type}`;
    case 'addJob':
      return 'job.add';
    case 'upsertSchedule':
    case 'removeSchedule':
      return 'schedules.write';
    case 'audit':
      return 'audit.read';
    default:
      return 'read';
  }
}

/** A fake API plus what the test needs to drive it. */
export interface FakeApi {
  api: QadminApi;
  /** The fake server's access control, to change while a test runs. */
  auth: FakeAuth;
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
      audit: true,
    },
    ...overrides,
  };
}

/**
 * The fake audit trail, newest first: 30 entries a minute apart, every third
 * a refusal, the first a bulk clean of an admin.
 */
export function fakeAuditEntries(): AuditEntry[] {
  return Array.from({ length: 30 }, (_, i): AuditEntry => {
    const base = {
      id: `audit-${i}`,
      at: now - 60_000 * (i + 1),
      remoteAddress: '10.0.0.9',
    };
    if (i === 0) {
      return {
        ...base,
        actor: { id: 'ada', name: 'ada', role: 'admin', via: 'password' },
        action: 'queue.clean',
        queueId: 'memory:emails',
        filter: { state: 'completed', olderThanMs: 86_400_000 },
        affected: 120,
        outcome: 'ok',
        status: 200,
      };
    }
    const refused = i % 3 === 0;
    return {
      ...base,
      actor: { id: 'otto', name: 'otto', role: 'operator', via: 'token' },
      action: refused ? 'queue.empty' : 'job.retry',
      queueId: 'memory:emails',
      ...(refused ? {} : { jobId: String(100 + i) }),
      affected: refused ? null : 1,
      outcome: refused ? 'error' : 'ok',
      status: refused ? 403 : 200,
      ...(refused
        ? { error: { title: 'Not allowed', detail: 'queue.empty needs the admin role' } }
        : {}),
    };
  });
}

/** Handlers the test can replace, one per API method. */
export type FakeHandlers = Partial<{ [K in keyof QadminApi]: QadminApi[K] }>;

/**
 * A fake {@link QadminApi} over the fake data set. Every method records its
 * call; `handlers` replace any method (to return other data or fail).
 */
export function createFakeApi(handlers: FakeHandlers = {}, options: FakeOptions = {}): FakeApi {
  const calls: FakeCall[] = [];
  const auth: FakeAuth = {
    principal: { id: 'ada', name: 'ada', role: 'admin', via: 'password' },
    login: true,
    anonymous: false,
    readOnlyReason: null,
    users: { ada: { password: 'secret', role: 'admin' } },
    setup: false,
    setupCode: 'ABCDE-FGHJK-MNPQR-STVWX',
    ...options.auth,
  };
  const status = (): AuthStatus => ({
    principal: auth.principal,
    permissions: auth.principal ? (auth.permissions ?? ROLE_PERMISSIONS[auth.principal.role]) : [],
    login: auth.login,
    anonymous: auth.anonymous,
    readOnlyReason: auth.readOnlyReason,
    setup: auth.setup,
  });
  // What core's access control answers before a route runs.
  const guard = (method: string, args: unknown[]) => {
    const permission = permissionOf(method, args);
    if (permission === 'public') return;
    const principal = auth.principal;
    if (!principal) {
      throw fakeProblem(401, 'unauthenticated', 'Login required', 'Log in, or send a bearer token');
    }
    if (!status().permissions.includes(permission)) {
      throw fakeProblem(
        403,
        'forbidden',
        'Not allowed',
        auth.readOnlyReason ??
          `${permission} needs another role; ${principal.name} is ${principal.role}`,
        { permission, role: principal.role },
      );
    }
  };
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
    audit: async (query = {}) => {
      const limit = query.limit ?? 100;
      const older = fakeAuditEntries().filter(
        (entry) => query.before === undefined || entry.at < query.before,
      );
      const entries = older.slice(0, limit);
      return {
        entries,
        nextBefore: older.length > limit ? entries.at(-1)!.at : null,
        unavailable: [],
      };
    },
    me: async () => status(),
    login: async ({ username, password }) => {
      if (!auth.login) {
        throw fakeProblem(404, 'no-login', 'No login here', 'This dashboard has no password login');
      }
      if (auth.lockedForSeconds) {
        throw fakeProblem(
          429,
          'too-many-logins',
          'Too many failed logins',
          `Try again in ${auth.lockedForSeconds} s`,
          { retryAfterSeconds: auth.lockedForSeconds },
        );
      }
      const user = auth.users[username];
      if (!user || user.password !== password) {
        throw fakeProblem(401, 'invalid-credentials', 'Wrong username or password');
      }
      auth.principal = { id: username, name: username, role: user.role, via: 'password' };
      auth.permissions = undefined;
      return status();
    },
    logout: async () => {
      auth.principal = null;
    },
    // What core's passwordAuth answers, in its order: closed, body, rate limit, code.
    setup: async ({ code, username, password }) => {
      if (!auth.setup) {
        throw fakeProblem(
          409,
          'setup-closed',
          'No first-run setup',
          'No first-run setup is pending here: log in instead',
        );
      }
      if (password.length < 12) {
        throw fakeProblem(
          400,
          'invalid-input',
          'Invalid body.password',
          'must be at least 12 characters',
          { field: 'body.password' },
        );
      }
      if (auth.lockedForSeconds) {
        throw fakeProblem(
          429,
          'too-many-attempts',
          'Too many failed attempts',
          `Try again in ${auth.lockedForSeconds} s`,
          { retryAfterSeconds: auth.lockedForSeconds },
        );
      }
      if (code !== auth.setupCode) {
        throw fakeProblem(
          403,
          'invalid-setup-code',
          'Wrong setup code',
          "Copy the setup code from the server's start-up output",
        );
      }
      auth.users[username] = { password, role: 'admin' };
      auth.setup = false;
      auth.readOnlyReason = null;
      auth.principal = { id: username, name: username, role: 'admin', via: 'password' };
      auth.permissions = undefined;
      return status();
    },
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
      try {
        guard(key, args);
      } catch (error) {
        return Promise.reject(error);
      }
      return impl(...args);
    };
  }
  return {
    api,
    auth,
    calls,
    push: (event) => {
      for (const stream of streams) stream(event);
    },
    callsOf: (method) => calls.filter((c) => c.method === method).map((c) => c.args),
  };
}
