import type { z } from 'zod';
import {
  type ApiJob,
  type ApiJobPage,
  type ApiJobSummary,
  type ApiMetrics,
  type ApiWorker,
  type BackendStatus,
  type DashboardEvent,
  type Health,
  type JobsQuery,
  jobsQuerySchema,
  METRIC_RANGES,
  type MetricRange,
  type Overview,
  type QueueDetail,
  type QueueOverview,
  THROUGHPUT_WINDOW,
  type Throughput,
} from './api';
import { type AuditEntry, type AuditPage, type AuditQuery, AuditTrail } from './audit';
import { assertBackendId, type QueueBackend } from './backend';
import {
  invalidInput,
  isConnectionError,
  isQadminError,
  notFound,
  QadminError,
  readOnly,
  unavailable,
  unsupported,
} from './errors';
import {
  type AddJobInput,
  addJobInputSchema,
  type BackendEvent,
  type BulkAction,
  type BulkResult,
  bulkActionSchema,
  type Capabilities,
  DEFAULT_SCHEDULE_ID,
  type Job,
  type JobAction,
  type JobLogPage,
  type JobPage,
  jobActionSchema,
  type QueueInfo,
  type QueueStats,
  type Schedule,
  type ScheduleInput,
  type SearchField,
  scheduleInputSchema,
} from './model';
import { previewJson } from './preview';
import {
  compileRedaction,
  matchesSearch,
  type Redaction,
  type RedactionOptions,
} from './redaction';

/**
 * Context passed to {@link AdminServiceOptions.formatJob}.
 *
 * @example
 * ```ts
 * const formatJob = (job: Job, ctx: FormatJobContext) => (ctx.backend === 'billing' ? { ...job, data: '[hidden]' } : job);
 * ```
 */
export interface FormatJobContext {
  queueId: string;
  backend: string;
  queue: string;
}

/**
 * Options of {@link AdminService}.
 *
 * @example
 * ```ts
 * const service = new AdminService({ backends: [memory], refreshIntervalMs: 2000, maxPageSize: 100 });
 * ```
 */
export interface AdminServiceOptions {
  /** One backend or several; their ids namespace the queues and must be unique. */
  backends: QueueBackend | readonly QueueBackend[];
  /** Refuse every mutation. Default `false`. */
  readOnly?: boolean;
  /** How long one overview snapshot is shared between callers. Default 2000 ms. */
  refreshIntervalMs?: number;
  /** Hard maximum page size for job lists. Default 100 (at most 1000). */
  maxPageSize?: number;
  /** How many jobs one search call may look at when the caller does not say. Default 5000. */
  defaultScanLimit?: number;
  /** Upper bound for a caller's `scanLimit`. Default 50,000. */
  maxScanLimit?: number;
  /** How long a backend call may take before it is reported as unavailable. Default 10 s. */
  backendTimeoutMs?: number;
  /**
   * Reshape every job before it leaves the server (API, lists, search). Runs
   * before {@link AdminServiceOptions.redact}, which is the way to hide secrets.
   */
  formatJob?: (job: Job, context: FormatJobContext) => Job;
  /**
   * What to hide of every job, log page, schedule and progress event before it
   * leaves the server: dotted paths (`data.password`, `data.*.token`,
   * `data.**.apiKey`, `logs`) and a formatter (see {@link RedactionOptions}).
   * Search hits that matched only hidden text are dropped.
   */
  redact?: RedactionOptions;
  /** Length of the data preview in list rows. Default 200 characters. */
  previewChars?: number;
  /** Close the backends when the service closes. Default `true`. */
  closeBackends?: boolean;
  /**
   * Called with every audit entry (each mutation a logged-in caller asked
   * for, refused ones included) once it is stored: forward it to the host
   * app's own log or SIEM. What it throws is logged, never sent to the caller.
   */
  onAudit?: (entry: AuditEntry) => void;
}

/**
 * Builds the dashboard-wide id of a queue: `<backend>:<name>`.
 *
 * @example
 * ```ts
 * formatQueueId('memory', 'emails'); // 'memory:emails'
 * ```
 */
export function formatQueueId(backend: string, name: string): string {
  return `${backend}:${name}`;
}

/**
 * Splits a dashboard-wide queue id into backend id and queue name, or returns
 * `null` when it has no backend part.
 *
 * @example
 * ```ts
 * parseQueueId('memory:emails'); // { backend: 'memory', name: 'emails' }
 * ```
 */
export function parseQueueId(queueId: string): { backend: string; name: string } | null {
  const colon = queueId.indexOf(':');
  if (colon <= 0 || colon === queueId.length - 1) return null;
  return { backend: queueId.slice(0, colon), name: queueId.slice(colon + 1) };
}

interface ResolvedQueue {
  queueId: string;
  backend: QueueBackend;
  name: string;
  info: QueueInfo;
  capabilities: Capabilities;
}

interface BackendListing {
  queues: QueueInfo[];
  at: number;
}

/**
 * Parses `input` with `schema`, reporting the first issue as a 400 naming
 * `<prefix>.<path>` (for a query string, just the parameter).
 *
 * @example
 * ```ts
 * const action = parseInput(jobActionSchema, body, 'body'); // throws 400 "Invalid body.type"
 * ```
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // A query parameter is one field however it is parsed; a body names the exact spot.
  const segments = prefix === 'query' ? issue?.path.slice(0, 1) : issue?.path;
  const path = segments?.length ? `${prefix}.${segments.join('.')}` : prefix;
  throw invalidInput(path, issue?.message ?? 'is invalid');
}

/**
 * The rules of the dashboard, shared by every adapter and every backend:
 * namespaced queue ids over several backends, one coalesced overview snapshot
 * per refresh interval, capability and read-only checks, page-size limits,
 * bounded search, job formatting/redaction, and the live event stream.
 *
 * @example
 * ```ts
 * import { AdminService } from '@qadmin/core';
 * import { createMemoryBackend } from '@qadmin/backend-memory';
 *
 * const service = new AdminService({ backends: [createMemoryBackend()] });
 * const overview = await service.overview();
 * ```
 */
export class AdminService {
  /** True when every mutation is refused. */
  readonly readOnly: boolean;
  /** How long one overview snapshot is shared. */
  readonly refreshIntervalMs: number;
  /** Hard maximum page size of job lists. */
  readonly maxPageSize: number;

  readonly #backends = new Map<string, QueueBackend>();
  readonly #options: Required<
    Pick<
      AdminServiceOptions,
      'defaultScanLimit' | 'maxScanLimit' | 'backendTimeoutMs' | 'previewChars' | 'closeBackends'
    >
  > &
    Pick<AdminServiceOptions, 'formatJob'>;
  readonly #listings = new Map<string, BackendListing>();
  #snapshot: { overview: Overview; at: number } | undefined;
  #inflight: Promise<Overview> | undefined;
  #throughput: { value: Throughput; at: number } | undefined;
  #throughputInflight: Promise<Throughput> | undefined;
  readonly #listeners = new Set<(event: DashboardEvent) => void>();
  readonly #backendUnsubscribes: (() => void)[] = [];
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #lastOverviewKey = '';
  #closed = false;
  readonly #redaction: Redaction | undefined;
  readonly #audit: AuditTrail;

  constructor(options: AdminServiceOptions) {
    const backends = Array.isArray(options.backends)
      ? (options.backends as readonly QueueBackend[])
      : [options.backends as QueueBackend];
    if (backends.length === 0) throw new TypeError('AdminService needs at least one backend');
    for (const backend of backends) {
      assertBackendId(backend.id);
      if (this.#backends.has(backend.id)) {
        throw new TypeError(`Two backends share the id ${JSON.stringify(backend.id)}`);
      }
      this.#backends.set(backend.id, backend);
    }
    this.readOnly = options.readOnly ?? false;
    this.refreshIntervalMs = Math.max(100, options.refreshIntervalMs ?? 2000);
    this.maxPageSize = Math.min(1000, Math.max(1, options.maxPageSize ?? 100));
    this.#options = {
      defaultScanLimit: options.defaultScanLimit ?? 5000,
      maxScanLimit: options.maxScanLimit ?? 50_000,
      backendTimeoutMs: options.backendTimeoutMs ?? 10_000,
      previewChars: options.previewChars ?? 200,
      closeBackends: options.closeBackends ?? true,
      formatJob: options.formatJob,
    };
    this.#redaction = options.redact === undefined ? undefined : compileRedaction(options.redact);
    this.#audit = new AuditTrail(this.#backends, {
      onAudit: options.onAudit,
      timeoutMs: this.#options.backendTimeoutMs,
    });
  }

  /** The backends, in the order they were given. */
  get backends(): readonly QueueBackend[] {
    return [...this.#backends.values()];
  }

  // ---------------------------------------------------------------- reads

  /**
   * Every queue with counts, paused flag and worker count. However many callers
   * ask within one refresh interval, each backend is asked once; concurrent
   * callers share the same in-flight request.
   */
  async overview(options: { fresh?: boolean } = {}): Promise<Overview> {
    const snapshot = this.#snapshot;
    if (!options.fresh && snapshot && Date.now() - snapshot.at < this.refreshIntervalMs) {
      return snapshot.overview;
    }
    if (this.#inflight) return this.#inflight;
    const inflight = this.#buildOverview().finally(() => {
      if (this.#inflight === inflight) this.#inflight = undefined;
    });
    this.#inflight = inflight;
    return inflight;
  }

  async #buildOverview(): Promise<Overview> {
    const startedAt = Date.now();
    const results = await Promise.all(
      this.backends.map(async (backend) => {
        try {
          const queues = await this.#listQueues(backend, this.refreshIntervalMs);
          const names = queues.map((q) => q.name);
          const stats =
            names.length === 0
              ? {}
              : await this.#call(backend, () => backend.getStats(names), 'getStats');
          const rows = queues.flatMap((info) => {
            const row = stats[info.name];
            return row ? [queueRow(backend, info, row)] : [];
          });
          return { status: backendStatus(backend, null, rows.length), rows };
        } catch (error) {
          return { status: backendStatus(backend, describeFailure(error), 0), rows: [] };
        }
      }),
    );
    const overview: Overview = {
      generatedAt: startedAt,
      refreshIntervalMs: this.refreshIntervalMs,
      readOnly: this.readOnly,
      backends: results.map((r) => r.status),
      queues: results.flatMap((r) => r.rows),
    };
    this.#snapshot = { overview, at: Date.now() };
    return overview;
  }

  /** One queue with its counts and capabilities. */
  async queue(queueId: string): Promise<QueueDetail> {
    const resolved = await this.#resolve(queueId);
    const stats = await this.#call(
      resolved.backend,
      () => resolved.backend.getStats([resolved.name]),
      'getStats',
    );
    const row = stats[resolved.name] ?? { counts: {}, paused: false, workers: null };
    return {
      ...queueRow(resolved.backend, resolved.info, row),
      capabilities: resolved.capabilities,
      readOnly: this.readOnly,
    };
  }

  /** What a queue supports. */
  async capabilities(queueId: string): Promise<Capabilities> {
    return (await this.#resolve(queueId)).capabilities;
  }

  /**
   * A page of jobs of one state, optionally filtered by name (where jobs
   * have names of their own: `capabilities.jobNames`), by id, or by a text
   * search whose cost is bounded (the page says how far it looked). Raw
   * query-string values are accepted and validated.
   */
  async listJobs(
    queueId: string,
    rawQuery: JobsQuery | Record<string, unknown>,
  ): Promise<ApiJobPage> {
    const resolved = await this.#resolve(queueId);
    const query = parseInput(jobsQuerySchema, rawQuery, 'query');
    const caps = resolved.capabilities;
    if (!caps.states.includes(query.state)) {
      throw invalidInput('query.state', `must be one of ${caps.states.join(', ')} for this queue`);
    }
    const limit = query.limit ?? Math.min(25, this.maxPageSize);
    if (limit > this.maxPageSize) {
      throw invalidInput('query.limit', `must be at most ${this.maxPageSize}`);
    }
    if (query.offset !== undefined && query.cursor !== undefined) {
      throw invalidInput('query.offset', 'give either a cursor or an offset, not both');
    }
    if (query.offset !== undefined && !caps.offsetPagination) {
      throw invalidInput('query.offset', 'this backend pages by cursor only');
    }
    if (query.name !== undefined && !caps.jobNames) {
      throw invalidInput('query.name', "this backend's jobs are named after their queue");
    }
    const { backend, name } = resolved;
    const respond = (
      page: JobPage,
      search: ApiJobPage['search'],
      keep?: (shown: ApiJob, stored: Job) => boolean,
    ): ApiJobPage => {
      const stored = page.jobs.slice(0, limit);
      const shown = stored.map((job) => this.#format(resolved, job));
      const jobs = keep ? shown.filter((job, i) => keep(job, stored[i]!)) : shown;
      return {
        queueId: resolved.queueId,
        state: query.state,
        jobs: jobs.map((job) => this.#summary(job)),
        nextCursor: page.nextCursor,
        total: page.total,
        search,
      };
    };
    if (query.id !== undefined) {
      const jobId = query.id;
      const job = await this.#call(backend, () => backend.getJob(name, jobId), 'getJob');
      const jobs = job !== null && job.state === query.state ? [job] : [];
      return respond({ jobs, nextCursor: null, total: jobs.length }, null);
    }
    if (query.q !== undefined) {
      if (caps.search.length === 0 || !backend.searchJobs) throw unsupported('search');
      const fields: SearchField[] = query.in?.length ? query.in : caps.search;
      for (const field of fields) {
        if (!caps.search.includes(field)) {
          throw invalidInput('query.in', `this backend can search in ${caps.search.join(', ')}`);
        }
      }
      if (query.scanLimit !== undefined && query.scanLimit > this.#options.maxScanLimit) {
        throw invalidInput('query.scanLimit', `must be at most ${this.#options.maxScanLimit}`);
      }
      const text = query.q;
      const search = backend.searchJobs.bind(backend);
      const page = await this.#call(
        backend,
        () =>
          search(name, {
            state: query.state,
            text,
            fields,
            order: query.order,
            limit,
            scanLimit: query.scanLimit ?? this.#options.defaultScanLimit,
            cursor: query.cursor,
          }),
        'searchJobs',
      );
      // The backend searched the jobs as stored. A hit whose stored text holds the words but
      // whose shown text does not matched hidden text only: showing it would tell that text.
      // Hits the backend found by other means than the words (a SQL/JSON path) stay. How far
      // the search looked stays the backend's, so such a page may hold fewer than `limit` jobs.
      const reshaped =
        this.#redaction?.reshapesJobs === true || this.#options.formatJob !== undefined;
      return respond(
        page,
        { text, fields, scanned: page.scanned, exhausted: page.exhausted },
        reshaped
          ? (shown, stored) =>
              matchesSearch(shown, text, fields) || !matchesSearch(stored, text, fields)
          : undefined,
      );
    }
    const page = await this.#call(
      backend,
      () =>
        backend.listJobs(name, {
          state: query.state,
          order: query.order,
          limit,
          cursor: query.cursor,
          offset: query.offset,
          name: query.name,
        }),
      'listJobs',
    );
    return respond(page, null);
  }

  /** One job, formatted. Throws 404 when the queue or job is unknown. */
  async getJob(queueId: string, jobId: string): Promise<ApiJob> {
    const resolved = await this.#resolve(queueId);
    const job = await this.#call(
      resolved.backend,
      () => resolved.backend.getJob(resolved.name, jobId),
      'getJob',
    );
    if (!job) throw notFound('job', jobId);
    return this.#format(resolved, job);
  }

  /** A page of a job's log lines. */
  async getJobLogs(
    queueId: string,
    jobId: string,
    page: { offset?: number; limit?: number } = {},
  ): Promise<JobLogPage> {
    const resolved = await this.#resolve(queueId);
    const { backend } = resolved;
    if (!resolved.capabilities.logs || !backend.getJobLogs) throw unsupported('logs');
    const offset = page.offset ?? 0;
    const limit = page.limit ?? 100;
    if (!Number.isInteger(offset) || offset < 0) {
      throw invalidInput('query.offset', 'must be a non-negative integer');
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw invalidInput('query.limit', 'must be an integer from 1 to 1000');
    }
    const getLogs = backend.getJobLogs.bind(backend);
    const job = await this.#call(backend, () => backend.getJob(resolved.name, jobId), 'getJob');
    if (!job) throw notFound('job', jobId);
    const logs = await this.#call(
      backend,
      () => getLogs(resolved.name, jobId, { offset, limit }),
      'getJobLogs',
    );
    return this.#redaction ? this.#redaction.logs(logs) : logs;
  }

  /** Workers of one queue, or of every backend that reports workers. */
  async workers(queueId?: string): Promise<ApiWorker[]> {
    const targets: { backend: QueueBackend; queues?: string[] }[] = [];
    if (queueId !== undefined) {
      const resolved = await this.#resolve(queueId);
      if (!resolved.capabilities.workers) throw unsupported('workers');
      targets.push({ backend: resolved.backend, queues: [resolved.name] });
    } else {
      for (const backend of this.backends) {
        if (backend.capabilities.workers && backend.getWorkers) targets.push({ backend });
      }
    }
    const lists = await Promise.all(
      targets.map(async ({ backend, queues }) => {
        const getWorkers = backend.getWorkers?.bind(backend);
        if (!getWorkers) return [];
        const workers = await this.#call(backend, () => getWorkers(queues), 'getWorkers');
        return workers.map(
          (w): ApiWorker => ({
            ...w,
            backend: backend.id,
            queueIds: w.queues.map((q) => formatQueueId(backend.id, q)),
          }),
        );
      }),
    );
    return lists.flat();
  }

  /** Schedules (repeatable jobs) of a queue. */
  async schedules(queueId: string): Promise<Schedule[]> {
    const resolved = await this.#resolve(queueId);
    const { backend } = resolved;
    if (!resolved.capabilities.schedules.read || !backend.listSchedules) {
      throw unsupported('schedules');
    }
    const list = backend.listSchedules.bind(backend);
    const schedules = await this.#call(backend, () => list(resolved.name), 'listSchedules');
    const redaction = this.#redaction;
    return redaction ? schedules.map((schedule) => redaction.schedule(schedule)) : schedules;
  }

  /** Throughput and duration percentiles of a queue over a range. */
  async metrics(queueId: string, range: string = '1h'): Promise<ApiMetrics> {
    const resolved = await this.#resolve(queueId);
    const { backend } = resolved;
    if (!resolved.capabilities.metrics || !backend.getMetrics) throw unsupported('metrics');
    if (!Object.hasOwn(METRIC_RANGES, range)) {
      throw invalidInput('query.range', `must be one of ${Object.keys(METRIC_RANGES).join(', ')}`);
    }
    const { durationMs, bucketMs } = METRIC_RANGES[range as MetricRange];
    const to = Math.ceil((Date.now() + 1) / bucketMs) * bucketMs;
    const from = to - durationMs;
    const getMetrics = backend.getMetrics.bind(backend);
    const series = await this.#call(
      backend,
      () => getMetrics(resolved.name, { from, to, bucketMs }),
      'getMetrics',
    );
    return { ...series, queueId: resolved.queueId, range: range as MetricRange };
  }

  /**
   * Recent throughput of every queue with metrics, for sparklines: one
   * request for all queues, built at most once per minute (buckets are 5
   * minutes wide) and shared by every caller; a queue whose metrics fail is
   * left out rather than failing the rest.
   */
  async throughput(): Promise<Throughput> {
    const cached = this.#throughput;
    if (cached && Date.now() - cached.at < Math.max(this.refreshIntervalMs, 60_000)) {
      return cached.value;
    }
    this.#throughputInflight ??= this.#buildThroughput().finally(() => {
      this.#throughputInflight = undefined;
    });
    return this.#throughputInflight;
  }

  async #buildThroughput(): Promise<Throughput> {
    const { durationMs, bucketMs } = THROUGHPUT_WINDOW;
    const to = Math.ceil((Date.now() + 1) / bucketMs) * bucketMs;
    const from = to - durationMs;
    const { queues } = await this.overview();
    const result: Throughput = { from, to, bucketMs, queues: {} };
    await Promise.all(
      queues.map(async (row) => {
        const backend = this.#backends.get(row.backend);
        const getMetrics = backend?.getMetrics?.bind(backend);
        if (!backend || !getMetrics) return;
        try {
          const resolved = await this.#resolve(row.id);
          if (!resolved.capabilities.metrics) return;
          const series = await this.#call(
            backend,
            () => getMetrics(resolved.name, { from, to, bucketMs }),
            'getMetrics',
          );
          result.queues[row.id] = {
            completed: series.buckets.map((b) => b.completed),
            failed: series.buckets.map((b) => b.failed),
          };
        } catch {
          // One queue's metrics failing leaves its sparkline empty, not the others.
        }
      }),
    );
    this.#throughput = { value: result, at: Date.now() };
    return result;
  }

  /** `ok` when every backend answered the latest snapshot. */
  async health(): Promise<Health> {
    const overview = await this.overview();
    return {
      status: overview.backends.every((b) => b.ok) ? 'ok' : 'degraded',
      backends: overview.backends,
    };
  }

  // ------------------------------------------------------------ mutations

  /** Perform a single-job action (validated), returning the job after it, or `null` when removed. */
  async jobAction(
    queueId: string,
    jobId: string,
    rawAction: JobAction | unknown,
  ): Promise<{ job: ApiJob | null }> {
    this.#assertWritable();
    const resolved = await this.#resolve(queueId);
    const action = parseInput(jobActionSchema, rawAction, 'body');
    const { backend } = resolved;
    if (!resolved.capabilities.jobActions.includes(action.type) || !backend.jobAction) {
      throw unsupported(action.type);
    }
    const act = backend.jobAction.bind(backend);
    const job = await this.#call(backend, () => act(resolved.name, jobId, action), action.type);
    this.#afterMutation(resolved, action.type, jobId, null);
    return { job: job ? this.#format(resolved, job) : null };
  }

  /** Add a job (validated; named, unless the queue's jobs are named after it). */
  async addJob(queueId: string, rawInput: AddJobInput | unknown): Promise<ApiJob> {
    this.#assertWritable();
    const resolved = await this.#resolve(queueId);
    const input = parseInput(addJobInputSchema, rawInput, 'body');
    const { backend } = resolved;
    if (!resolved.capabilities.addJob || !backend.addJob) throw unsupported('add');
    if (input.name === undefined && resolved.capabilities.jobNames) {
      throw invalidInput('body.name', 'is required: jobs of this queue have a name of their own');
    }
    const add = backend.addJob.bind(backend);
    const job = await this.#call(backend, () => add(resolved.name, input), 'addJob');
    this.#afterMutation(resolved, 'add', job.id, null);
    return this.#format(resolved, job);
  }

  /** Perform a queue-wide action (validated) and report how many jobs it touched. */
  async bulkAction(queueId: string, rawAction: BulkAction | unknown): Promise<BulkResult> {
    this.#assertWritable();
    const resolved = await this.#resolve(queueId);
    const action = parseInput(bulkActionSchema, rawAction, 'body');
    const caps = resolved.capabilities;
    const { backend } = resolved;
    if (!caps.bulkActions.includes(action.type) || !backend.bulkAction) {
      throw unsupported(action.type);
    }
    if (action.type === 'retry-all' && !caps.retryAllStates.includes(action.state)) {
      throw invalidInput('body.state', `retry-all accepts ${caps.retryAllStates.join(', ')}`);
    }
    if (action.type === 'clean' && !caps.cleanStates.includes(action.state)) {
      throw invalidInput('body.state', `clean accepts ${caps.cleanStates.join(', ')}`);
    }
    const bulk = backend.bulkAction.bind(backend);
    const result = await this.#call(backend, () => bulk(resolved.name, action), action.type);
    if (action.type === 'obliterate') this.#listings.delete(backend.id);
    this.#afterMutation(resolved, action.type, null, result.affected);
    return result;
  }

  /** Create or replace a schedule (validated). */
  async upsertSchedule(queueId: string, rawInput: ScheduleInput | unknown): Promise<Schedule> {
    this.#assertWritable();
    const resolved = await this.#resolve(queueId);
    const input = parseInput(scheduleInputSchema, rawInput, 'body');
    const { backend } = resolved;
    const caps = resolved.capabilities.schedules;
    if (!caps.write || !backend.upsertSchedule) throw unsupported('schedules');
    if (input.everyMs !== undefined && !caps.intervals) {
      throw invalidInput('body.everyMs', "this queue's schedules are cron patterns: give pattern");
    }
    if (input.id !== DEFAULT_SCHEDULE_ID && !caps.multiple) {
      throw invalidInput(
        'body.id',
        `this queue keeps one schedule, whose id is "${DEFAULT_SCHEDULE_ID}"`,
      );
    }
    const upsert = backend.upsertSchedule.bind(backend);
    const schedule = await this.#call(
      backend,
      () => upsert(resolved.name, input),
      'upsertSchedule',
    );
    this.#afterMutation(resolved, 'upsert-schedule', null, null);
    return this.#redaction ? this.#redaction.schedule(schedule) : schedule;
  }

  /** Remove a schedule. */
  async removeSchedule(queueId: string, scheduleId: string): Promise<void> {
    this.#assertWritable();
    const resolved = await this.#resolve(queueId);
    const { backend } = resolved;
    if (!resolved.capabilities.schedules.write || !backend.removeSchedule) {
      throw unsupported('schedules');
    }
    const remove = backend.removeSchedule.bind(backend);
    await this.#call(backend, () => remove(resolved.name, scheduleId), 'removeSchedule');
    this.#afterMutation(resolved, 'remove-schedule', null, null);
  }

  // ---------------------------------------------------------------- audit

  /**
   * Keeps one audit entry: in the store of its queue's backend when that
   * backend declares `capabilities.audit`, else in process (a ring of
   * {@link DEFAULT_AUDIT_CAP} entries, also used while a store fails), then
   * hands it to `onAudit`. The promise never rejects (a failing store or
   * hook is logged, once until it recovers) and resolves once the entry is
   * stored; the HTTP layer does not wait for it, and {@link listAudit} does.
   *
   * @example
   * ```ts
   * await service.recordAudit({ ...entry, outcome: 'ok', status: 200 });
   * ```
   */
  recordAudit(entry: AuditEntry): Promise<void> {
    return this.#audit.record(entry);
  }

  /**
   * A page of the audit trail of every backend (and of the in-process
   * fallback), newest first; `nextBefore` asks for the next, older page.
   * Backends whose store does not answer are named in `unavailable`.
   *
   * @example
   * ```ts
   * const { entries, nextBefore } = await service.listAudit({ limit: 100 });
   * ```
   */
  listAudit(query: AuditQuery): Promise<AuditPage> {
    return this.#audit.list(query);
  }

  // --------------------------------------------------------------- events

  /**
   * Receive live updates: an `overview` event whenever the shared snapshot
   * changes (polled once per refresh interval while anyone listens, whatever
   * the number of listeners), job and queue changes the backends report, and
   * every action taken through the service. Returns the unsubscribe function.
   */
  subscribe(listener: (event: DashboardEvent) => void): () => void {
    if (this.#closed) throw new Error('AdminService is closed');
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#startLive();
    return () => {
      if (!this.#listeners.delete(listener)) return;
      if (this.#listeners.size === 0) this.#stopLive();
    };
  }

  /** Number of live subscribers (SSE streams and others). */
  get subscriberCount(): number {
    return this.#listeners.size;
  }

  /** Stop timers and subscriptions, and close the backends unless told not to. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#stopLive();
    // Entries still on their way to a store get there before the store closes.
    await this.#audit.settle();
    if (this.#options.closeBackends) {
      await Promise.allSettled(this.backends.map((b) => b.close?.()));
    }
  }

  #emit(event: DashboardEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not stop the others or the service.
      }
    }
  }

  #startLive(): void {
    for (const backend of this.backends) {
      if (!backend.capabilities.events || !backend.subscribe) continue;
      this.#backendUnsubscribes.push(
        backend.subscribe((event) => this.#onBackendEvent(backend, event)),
      );
    }
    const poll = async (fresh: boolean) => {
      try {
        // Fresh on every tick: the snapshot a tick finds is younger than one interval (it was
        // stamped when the last build finished), so reusing it would refresh every other tick.
        const overview = await this.overview({ fresh });
        const key = overviewKey(overview);
        if (key !== this.#lastOverviewKey) {
          this.#lastOverviewKey = key;
          this.#emit({ type: 'overview', overview });
        }
      } catch {
        // overview() reports backend failures inside the snapshot; nothing else to do.
      }
    };
    this.#lastOverviewKey = '';
    void poll(false);
    this.#pollTimer = setInterval(() => void poll(true), this.refreshIntervalMs);
    this.#pollTimer.unref?.();
  }

  #stopLive(): void {
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
    for (const unsubscribe of this.#backendUnsubscribes.splice(0)) {
      try {
        unsubscribe();
      } catch {
        // Already gone.
      }
    }
  }

  #onBackendEvent(backend: QueueBackend, event: BackendEvent): void {
    switch (event.type) {
      case 'job':
        this.#emit({
          type: 'job',
          queueId: formatQueueId(backend.id, event.queue),
          jobId: event.jobId,
          state: event.state,
        });
        return;
      case 'progress':
        this.#emit({
          type: 'progress',
          queueId: formatQueueId(backend.id, event.queue),
          jobId: event.jobId,
          progress: this.#redaction ? this.#redaction.progress(event.progress) : event.progress,
        });
        return;
      case 'queue':
        this.#snapshot = undefined;
        this.#emit({
          type: 'queue',
          queueId: formatQueueId(backend.id, event.queue),
          paused: event.paused,
        });
        return;
      case 'queues-changed':
        this.#listings.delete(backend.id);
        this.#snapshot = undefined;
        return;
    }
  }

  // -------------------------------------------------------------- helpers

  #assertWritable(): void {
    if (this.readOnly) throw readOnly();
  }

  #afterMutation(
    resolved: ResolvedQueue,
    action: string,
    jobId: string | null,
    affected: number | null,
  ): void {
    this.#snapshot = undefined;
    this.#emit({
      type: 'action',
      queueId: resolved.queueId,
      jobId,
      action,
      affected,
      at: Date.now(),
    });
  }

  /** The backend's queue listing, fetched again when older than `maxAgeMs`. */
  async #listQueues(backend: QueueBackend, maxAgeMs: number): Promise<QueueInfo[]> {
    const cached = this.#listings.get(backend.id);
    if (cached && Date.now() - cached.at < maxAgeMs) return cached.queues;
    const queues = await this.#call(backend, () => backend.listQueues(), 'listQueues');
    this.#listings.set(backend.id, { queues, at: Date.now() });
    return queues;
  }

  async #resolve(queueId: string): Promise<ResolvedQueue> {
    const parsed = parseQueueId(queueId);
    const backend = parsed ? this.#backends.get(parsed.backend) : undefined;
    if (!parsed || !backend) throw notFound('queue', queueId);
    const find = (queues: QueueInfo[]) => queues.find((q) => q.name === parsed.name);
    // Queues rarely appear, so a cached listing answers; a queue created since
    // the listing is looked for again, at most once a second per backend.
    const info =
      find(await this.#listQueues(backend, this.refreshIntervalMs)) ??
      find(await this.#listQueues(backend, 1000));
    if (!info) throw notFound('queue', queueId);
    return {
      queueId,
      backend,
      name: parsed.name,
      info,
      capabilities: backend.queueCapabilities?.(parsed.name) ?? backend.capabilities,
    };
  }

  /** The job as it leaves the server: formatJob, then redaction (whose paths see formatJob's output). */
  #format(resolved: ResolvedQueue, job: Job): ApiJob {
    const context = {
      queueId: resolved.queueId,
      backend: resolved.backend.id,
      queue: resolved.name,
    };
    const formatted = this.#options.formatJob ? this.#options.formatJob(job, context) : job;
    const redacted = this.#redaction ? this.#redaction.job(formatted, context) : formatted;
    return { ...redacted, queueId: resolved.queueId };
  }

  #summary(job: ApiJob): ApiJobSummary {
    const { data, returnValue, stacktrace, options, children, ...rest } = job;
    return {
      ...rest,
      dataPreview: previewJson(data, this.#options.previewChars),
      childrenCount: children.length,
    };
  }

  /** Runs a backend call with a timeout; connection-level failures become 503. */
  async #call<T>(backend: QueueBackend, fn: () => Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new QadminError(503, 'backend-timeout', 'Backend did not answer in time', {
              detail: `${backend.id}.${what} took longer than ${this.#options.backendTimeoutMs} ms`,
              extra: { backend: backend.id },
            }),
          ),
        this.#options.backendTimeoutMs,
      );
      timer.unref?.();
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (error) {
      if (isQadminError(error)) throw error;
      if (isConnectionError(error)) throw unavailable(backend.id, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

function backendStatus(
  backend: QueueBackend,
  error: string | null,
  queueCount: number,
): BackendStatus {
  return {
    id: backend.id,
    kind: backend.kind,
    label: backend.label ?? backend.id,
    ok: error === null,
    error,
    queueCount,
  };
}

function queueRow(backend: QueueBackend, info: QueueInfo, stats: QueueStats): QueueOverview {
  return {
    id: formatQueueId(backend.id, info.name),
    backend: backend.id,
    name: info.name,
    counts: stats.counts,
    paused: stats.paused,
    workers: stats.workers,
    meta: info.meta ?? {},
  };
}

function describeFailure(error: unknown): string {
  const cause = isQadminError(error) ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isConnectionError(cause)) return `unreachable (${code})`;
  if (isQadminError(error)) return error.detail ?? error.title;
  return 'the backend failed to answer';
}

function overviewKey(overview: Overview): string {
  return JSON.stringify([overview.backends, overview.queues]);
}
