import type {
  AddJobInput,
  ApiJob,
  ApiJobPage,
  ApiMetrics,
  ApiOperation,
  ApiOperationId,
  ApiWorker,
  AuditPage,
  BulkAction,
  BulkResult,
  DashboardEvent,
  Health,
  JobAction,
  JobLogPage,
  MetricRange,
  OpenApiDocument,
  Overview,
  QueueDetail,
  Schedule,
  ScheduleInput,
  Throughput,
} from '@qadmin/core';
import { errorFromResponse, isQadminApiError } from './errors';
import { createSseParser } from './sse';

/**
 * Query of {@link QadminClient.listJobs}: a state, and optionally order, page
 * size, cursor or offset, a name filter, or a text search (`q` in the fields
 * of `in`, looking at no more than `scanLimit` jobs).
 *
 * @example
 * ```ts
 * const query: ListJobsParams = { state: 'failed', limit: 50, q: 'timeout', in: ['error'] };
 * ```
 */
export type ListJobsParams = ApiOperation<'listJobs'>['query'];

/**
 * Page of {@link QadminClient.getJobLogs}.
 *
 * @example
 * ```ts
 * const page: JobLogsParams = { offset: 100, limit: 100 };
 * ```
 */
export type JobLogsParams = ApiOperation<'getJobLogs'>['query'];

/**
 * Page of {@link QadminClient.audit}: entries older than `before` (the
 * previous page's `nextBefore`), at most `limit` (default 100, at most 1000).
 *
 * @example
 * ```ts
 * const query: AuditParams = { before: page.nextBefore ?? undefined, limit: 50 };
 * ```
 */
export type AuditParams = ApiOperation<'audit'>['query'];

/**
 * Body of {@link QadminClient.setup}: the one-time setup code from the
 * server's start-up output, and the first admin's username and password (at
 * least 12 characters).
 *
 * @example
 * ```ts
 * const input: SetupInput = { code: 'K7Q2M-9XD4R-...', username: 'root', password: 'a long passphrase' };
 * ```
 */
export type SetupInput = ApiOperation<'setup'>['body'];

/**
 * Options of {@link createClient}.
 *
 * @example
 * ```ts
 * const options: ClientOptions = {
 *   baseUrl: 'https://ops.example.com/admin/queues',
 *   headers: async () => ({ authorization: `Bearer ${await getToken()}` }),
 * };
 * ```
 */
export interface ClientOptions {
  /**
   * Where the dashboard is mounted: the URL below which `api/` is served
   * (`https://host/admin/queues`, or `/admin/queues` in a browser).
   */
  baseUrl: string | URL;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** Headers sent with every request, or a function that returns them per request. */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
}

/**
 * Options every request accepts.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await client.overview({ signal: controller.signal });
 * ```
 */
export interface RequestOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Headers for this request only. */
  headers?: HeadersInit;
}

/**
 * Options of {@link QadminClient.events}.
 *
 * @example
 * ```ts
 * const options: EventsOptions = { signal: controller.signal, onError: (e, ms) => console.warn(e, `retry in ${ms} ms`) };
 * ```
 */
export interface EventsOptions {
  /** Ends the stream; the returned promise then resolves. */
  signal?: AbortSignal;
  /** Called each time the stream (re)connects. */
  onOpen?: () => void;
  /** Called when the connection fails or drops, with the delay before the next attempt. */
  onError?: (error: unknown, retryInMs: number) => void;
  /** First reconnection delay. Default: the server's `retry:` (3 s), else 1 s. */
  initialRetryMs?: number;
  /** Longest reconnection delay; the delay doubles up to it. Default 30 s. */
  maxRetryMs?: number;
}

/**
 * A typed client of the qadmin JSON API. Every method rejects with a
 * {@link QadminApiError} when the API answers with a problem.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl: 'http://localhost:3000/admin/queues' });
 * const { queues } = await client.overview();
 * const page = await client.listJobs(queues[0].id, { state: 'failed' });
 * ```
 */
export interface QadminClient {
  /** Every queue of every backend with its counts. `GET api/overview` */
  overview(options?: RequestOptions): Promise<Overview>;
  /** One queue with its counts and capabilities. `GET api/queues/{queueId}` */
  queue(queueId: string, options?: RequestOptions): Promise<QueueDetail>;
  /** A page of jobs in one state, optionally filtered or searched. `GET api/queues/{queueId}/jobs` */
  listJobs(queueId: string, query: ListJobsParams, options?: RequestOptions): Promise<ApiJobPage>;
  /** One job with data, result and stack traces. `GET api/queues/{queueId}/jobs/{jobId}` */
  getJob(queueId: string, jobId: string, options?: RequestOptions): Promise<ApiJob>;
  /** A page of a job's log lines. `GET api/queues/{queueId}/jobs/{jobId}/logs` */
  getJobLogs(
    queueId: string,
    jobId: string,
    page?: JobLogsParams,
    options?: RequestOptions,
  ): Promise<JobLogPage>;
  /** Add a job. `POST api/queues/{queueId}/jobs` */
  addJob(queueId: string, input: AddJobInput, options?: RequestOptions): Promise<ApiJob>;
  /**
   * Act on one job; resolves to the job after the action (the copy for
   * `duplicate`), or `null` once removed. `POST api/queues/{queueId}/jobs/{jobId}/actions`
   */
  jobAction(
    queueId: string,
    jobId: string,
    action: JobAction,
    options?: RequestOptions,
  ): Promise<{ job: ApiJob | null }>;
  /** Act on a whole queue. `POST api/queues/{queueId}/actions` */
  bulkAction(queueId: string, action: BulkAction, options?: RequestOptions): Promise<BulkResult>;
  /** Workers of one queue, or of every backend when `queueId` is left out. `GET api/workers`, `GET api/queues/{queueId}/workers` */
  workers(queueId?: string, options?: RequestOptions): Promise<ApiWorker[]>;
  /** Schedules of a queue. `GET api/queues/{queueId}/schedules` */
  schedules(queueId: string, options?: RequestOptions): Promise<Schedule[]>;
  /** Create a schedule or replace the one with the same id. `POST api/queues/{queueId}/schedules` */
  upsertSchedule(
    queueId: string,
    input: ScheduleInput,
    options?: RequestOptions,
  ): Promise<Schedule>;
  /** Remove a schedule. `DELETE api/queues/{queueId}/schedules/{scheduleId}` */
  removeSchedule(queueId: string, scheduleId: string, options?: RequestOptions): Promise<void>;
  /** Throughput and durations of a queue over a range (default `1h`). `GET api/queues/{queueId}/metrics` */
  metrics(queueId: string, range?: MetricRange, options?: RequestOptions): Promise<ApiMetrics>;
  /** Whether every backend answers. `GET api/health` */
  health(options?: RequestOptions): Promise<Health>;
  /** Recent completed/failed counts of every queue with metrics (sparklines). `GET api/throughput` */
  throughput(options?: RequestOptions): Promise<Throughput>;
  /**
   * A page of the audit trail (every mutation, newest first); needs the
   * `audit.read` permission (admins). `GET api/audit`
   */
  audit(query?: AuditParams, options?: RequestOptions): Promise<AuditPage>;
  /** Who the caller is and what it may do. `GET api/auth/me` */
  me(options?: RequestOptions): Promise<ApiOperation<'me'>['response']>;
  /** Log in with a password; the session cookie is set by the answer. `POST api/auth/login` */
  login(
    credentials: { username: string; password: string },
    options?: RequestOptions,
  ): Promise<ApiOperation<'login'>['response']>;
  /** Log out (the session cookie is cleared). `POST api/auth/logout` */
  logout(options?: RequestOptions): Promise<void>;
  /**
   * Create the first admin while a first-run setup is pending (`me()`
   * answers `setup: true`), and log in as them: the session cookie is set by
   * the answer. `POST api/auth/setup`
   */
  setup(input: SetupInput, options?: RequestOptions): Promise<ApiOperation<'setup'>['response']>;
  /** The OpenAPI 3.1 document of the API. `GET api/openapi.json` */
  openapi(options?: RequestOptions): Promise<OpenApiDocument>;
  /** The Prometheus text exposition. `GET metrics` */
  prometheus(options?: RequestOptions): Promise<string>;
  /**
   * Live updates (`GET api/events`, Server-Sent Events read with fetch, no
   * EventSource needed). Calls `onEvent` for each event, starting with an
   * `overview`; reconnects with exponential backoff when the connection drops
   * or the server fails (each new connection starts with a fresh overview).
   * Resolves when `signal` aborts; rejects when the server refuses the stream
   * (a 4xx problem) or `onEvent` throws.
   */
  events(onEvent: (event: DashboardEvent) => void, options?: EventsOptions): Promise<void>;
}

type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>;

interface CallInit {
  query?: Query | undefined;
  body?: unknown;
  options?: RequestOptions | undefined;
  accept?: string;
}

const seg = encodeURIComponent;

/** `url` with the defined values of `query` as its search string (lists joined with commas). */
function withQuery(url: string, query: Query | undefined): string {
  if (!query) return url;
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = search.toString();
  return text ? `${url}?${text}` : url;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Creates a typed client of the qadmin JSON API served under `baseUrl`. It
 * runs in browsers and Node 20+ with the global fetch (or the one given) and
 * has no runtime dependency: its types come from `@qadmin/core`'s route
 * table, so it cannot drift from the API.
 *
 * @example
 * ```ts
 * import { createClient, QadminApiError } from '@qadmin/client';
 *
 * const client = createClient({ baseUrl: 'http://localhost:3000/admin/queues' });
 * const failed = await client.listJobs('memory:emails', { state: 'failed', limit: 20 });
 * for (const job of failed.jobs) await client.jobAction(job.queueId, job.id, { type: 'retry' });
 * ```
 */
export function createClient(options: ClientOptions): QadminClient {
  const base = String(options.baseUrl).replace(/\/+$/, '');
  const doFetch: typeof fetch = (input, init) => (options.fetch ?? fetch)(input, init);

  async function send(method: string, path: string, init: CallInit): Promise<Response> {
    const url = withQuery(`${base}/${path}`, init.query);
    const headers = new Headers(
      typeof options.headers === 'function' ? await options.headers() : options.headers,
    );
    for (const [name, value] of new Headers(init.options?.headers)) headers.set(name, value);
    headers.set('accept', init.accept ?? 'application/json');
    // Proves a change comes from a page of the dashboard, not a form on another site (the
    // server refuses changes without it unless they carry a bearer token).
    if (method !== 'GET' && method !== 'HEAD') headers.set('x-qadmin-csrf', '1');
    let body: string | undefined;
    if (init.body !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.body);
    }
    const response = await doFetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(init.options?.signal ? { signal: init.options.signal } : {}),
    });
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  /** A JSON call typed by the route table: the body and the answer come from `ApiOperation<Id>`. */
  async function call<Id extends ApiOperationId>(
    _operation: Id,
    method: string,
    path: string,
    init: Omit<CallInit, 'body'> & { body?: ApiOperation<Id>['body'] } = {},
  ): Promise<ApiOperation<Id>['response']> {
    const response = await send(method, path, init);
    if (response.status === 204) return undefined as ApiOperation<Id>['response'];
    return (await response.json()) as ApiOperation<Id>['response'];
  }

  const queuePath = (queueId: string) => `api/queues/${seg(queueId)}`;
  const jobPath = (queueId: string, jobId: string) => `${queuePath(queueId)}/jobs/${seg(jobId)}`;

  return {
    overview: (opts) => call('overview', 'GET', 'api/overview', { options: opts }),
    queue: (queueId, opts) => call('getQueue', 'GET', queuePath(queueId), { options: opts }),
    listJobs: (queueId, query, opts) =>
      call('listJobs', 'GET', `${queuePath(queueId)}/jobs`, { query, options: opts }),
    getJob: (queueId, jobId, opts) =>
      call('getJob', 'GET', jobPath(queueId, jobId), { options: opts }),
    getJobLogs: (queueId, jobId, page, opts) =>
      call('getJobLogs', 'GET', `${jobPath(queueId, jobId)}/logs`, {
        query: page,
        options: opts,
      }),
    addJob: (queueId, input, opts) =>
      call('addJob', 'POST', `${queuePath(queueId)}/jobs`, { body: input, options: opts }),
    jobAction: (queueId, jobId, action, opts) =>
      call('jobAction', 'POST', `${jobPath(queueId, jobId)}/actions`, {
        body: action,
        options: opts,
      }),
    bulkAction: (queueId, action, opts) =>
      call('bulkAction', 'POST', `${queuePath(queueId)}/actions`, { body: action, options: opts }),
    workers: (queueId, opts) =>
      queueId === undefined
        ? call('listWorkers', 'GET', 'api/workers', { options: opts })
        : call('listQueueWorkers', 'GET', `${queuePath(queueId)}/workers`, { options: opts }),
    schedules: (queueId, opts) =>
      call('listSchedules', 'GET', `${queuePath(queueId)}/schedules`, { options: opts }),
    upsertSchedule: (queueId, input, opts) =>
      call('upsertSchedule', 'POST', `${queuePath(queueId)}/schedules`, {
        body: input,
        options: opts,
      }),
    removeSchedule: (queueId, scheduleId, opts) =>
      call('removeSchedule', 'DELETE', `${queuePath(queueId)}/schedules/${seg(scheduleId)}`, {
        options: opts,
      }),
    metrics: (queueId, range, opts) =>
      call('getMetrics', 'GET', `${queuePath(queueId)}/metrics`, {
        query: { range },
        options: opts,
      }),
    health: (opts) => call('health', 'GET', 'api/health', { options: opts }),
    throughput: (opts) => call('throughput', 'GET', 'api/throughput', { options: opts }),
    audit: (query, opts) => call('audit', 'GET', 'api/audit', { query, options: opts }),
    me: (opts) => call('me', 'GET', 'api/auth/me', { options: opts }),
    login: (credentials, opts) =>
      call('login', 'POST', 'api/auth/login', { body: credentials, options: opts }),
    logout: async (opts) => {
      await send('POST', 'api/auth/logout', { options: opts });
    },
    setup: (input, opts) => call('setup', 'POST', 'api/auth/setup', { body: input, options: opts }),
    openapi: (opts) => call('openapi', 'GET', 'api/openapi.json', { options: opts }),
    prometheus: async (opts) =>
      (await send('GET', 'metrics', { options: opts, accept: 'text/plain' })).text(),
    events: (onEvent, opts = {}) => streamEvents(send, onEvent, opts),
  };
}

/** A failure that reconnecting cannot fix. */
class FatalStreamError {
  constructor(readonly error: unknown) {}
}

async function streamEvents(
  send: (method: string, path: string, init: CallInit) => Promise<Response>,
  onEvent: (event: DashboardEvent) => void,
  options: EventsOptions,
): Promise<void> {
  const { signal } = options;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  let serverRetryMs: number | undefined;
  let failures = 0;
  const nextDelay = () =>
    retryDelay(options.initialRetryMs ?? serverRetryMs ?? 1000, failures++, maxRetryMs);
  while (!signal?.aborted) {
    try {
      const response = await send('GET', 'api/events', {
        options: signal ? { signal } : {},
        accept: 'text/event-stream',
      }).catch((error: unknown) => {
        throw isRefusal(error) ? new FatalStreamError(error) : error;
      });
      if (
        !response.headers.get('content-type')?.startsWith('text/event-stream') ||
        !response.body
      ) {
        await response.body?.cancel().catch(() => {});
        throw new FatalStreamError(new TypeError('api/events did not answer with an event stream'));
      }
      options.onOpen?.();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let callbackError: FatalStreamError | undefined;
      const parser = createSseParser(
        (message) => {
          if (callbackError) return;
          let event: DashboardEvent;
          try {
            event = JSON.parse(message.data) as DashboardEvent;
          } catch {
            return;
          }
          failures = 0;
          try {
            onEvent(event);
          } catch (error) {
            callbackError = new FatalStreamError(error);
          }
        },
        (ms) => {
          serverRetryMs = ms;
        },
      );
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(decoder.decode(value, { stream: true }));
          if (callbackError) throw callbackError;
        }
      } finally {
        await reader.cancel().catch(() => {});
      }
      // The server ended the stream (a restart, a proxy timeout): connect again.
    } catch (error) {
      if (error instanceof FatalStreamError) throw error.error;
      if (signal?.aborted) break;
      const delay = nextDelay();
      options.onError?.(error, delay);
      await sleep(delay, signal);
      continue;
    }
    await sleep(nextDelay(), signal);
  }
}

/** A 4xx other than timeouts and rate limits: it will not go away by retrying. */
function isRefusal(error: unknown): boolean {
  return (
    isQadminApiError(error) && error.status < 500 && error.status !== 408 && error.status !== 429
  );
}

/** Exponential backoff with ±25 % jitter, so many dashboards do not reconnect in step. */
function retryDelay(initialMs: number, failures: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 16));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
