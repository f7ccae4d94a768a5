/**
 * The domain model every backend speaks and the JSON API returns.
 *
 * Each shape is a zod schema and the TypeScript type inferred from it, so the
 * runtime validation of API input, the OpenAPI document and the types the
 * client compiles against come from one definition and cannot drift.
 */
import { z } from 'zod';

/**
 * The canonical job states, in the order the dashboard shows them. A backend
 * maps its own states onto these and keeps its native name beside them in
 * {@link Job.nativeState}.
 *
 * @example
 * ```ts
 * import { JOB_STATES } from '@qadmin/core';
 * for (const state of JOB_STATES) console.log(state);
 * ```
 */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'waiting-children',
  'delayed',
  'active',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'abandoned',
] as const;

/**
 * Schema of a canonical job state.
 *
 * @example
 * ```ts
 * const value = jobStateSchema.parse(JSON.parse(text));
 * ```
 */
export const jobStateSchema = z.enum(JOB_STATES).meta({ id: 'JobState' });

/**
 * One of the canonical job states.
 *
 * @example
 * ```ts
 * const state: JobState = 'failed';
 * ```
 */
export type JobState = z.infer<typeof jobStateSchema>;

/**
 * Job counts by canonical state. A backend leaves out the states it does not
 * have (see {@link Capabilities.states}).
 *
 * @example
 * ```ts
 * const counts: StateCounts = { waiting: 3, active: 1, failed: 0 };
 * ```
 */
export type StateCounts = Partial<Record<JobState, number>>;

/**
 * Schema of {@link StateCounts}.
 *
 * @example
 * ```ts
 * const value = stateCountsSchema.parse(JSON.parse(text));
 * ```
 */
export const stateCountsSchema = z
  .partialRecord(jobStateSchema, z.number().int().nonnegative())
  .meta({ id: 'StateCounts' });

const epochMs = z.number().describe('Milliseconds since the Unix epoch');

/**
 * Schema of a reference to another job (a parent or a child).
 *
 * @example
 * ```ts
 * const value = jobRefSchema.parse(JSON.parse(text));
 * ```
 */
export const jobRefSchema = z
  .object({
    queue: z.string().describe('Queue name inside the same backend'),
    id: z.string(),
    state: jobStateSchema.optional(),
  })
  .meta({ id: 'JobRef' });

/**
 * A reference to another job of the same backend, used for parents and
 * children in flows.
 *
 * @example
 * ```ts
 * const parent: JobRef = { queue: 'reports', id: '42' };
 * ```
 */
export type JobRef = z.infer<typeof jobRefSchema>;

/**
 * Schema of a {@link Job}.
 *
 * @example
 * ```ts
 * const value = jobSchema.parse(JSON.parse(text));
 * ```
 */
export const jobSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    state: jobStateSchema,
    nativeState: z.string().describe("The backend's own name for the state"),
    data: z.unknown(),
    options: z.record(z.string(), z.unknown()),
    progress: z.union([z.number(), z.record(z.string(), z.unknown()), z.null()]),
    attemptsMade: z.number().int().nonnegative(),
    attemptsAllowed: z.number().int().positive().nullable(),
    priority: z.number().nullable(),
    createdAt: epochMs,
    delayedUntil: epochMs.nullable(),
    processedAt: epochMs.nullable(),
    finishedAt: epochMs.nullable(),
    returnValue: z.unknown(),
    failedReason: z.string().nullable(),
    stacktrace: z.array(z.string()),
    parent: jobRefSchema.nullable(),
    children: z.array(jobRefSchema),
    workerId: z.string().nullable().describe('The worker that holds or last ran the job'),
  })
  .meta({ id: 'Job' });

/**
 * A job as a backend reports it. Times are epoch milliseconds; fields the
 * backend does not know are `null` (or empty).
 *
 * @example
 * ```ts
 * const job: Job = {
 *   id: '1', name: 'send-email', state: 'failed', nativeState: 'failed',
 *   data: { to: 'a@example.com' }, options: { attempts: 3 }, progress: null,
 *   attemptsMade: 3, attemptsAllowed: 3, priority: null, createdAt: Date.now(),
 *   delayedUntil: null, processedAt: null, finishedAt: null, returnValue: null,
 *   failedReason: 'SMTP timeout', stacktrace: [], parent: null, children: [], workerId: null,
 * };
 * ```
 */
export type Job = z.infer<typeof jobSchema>;

/**
 * Schema of a {@link JobSummary}.
 *
 * @example
 * ```ts
 * const value = jobSummarySchema.parse(JSON.parse(text));
 * ```
 */
export const jobSummarySchema = jobSchema
  .omit({ data: true, returnValue: true, stacktrace: true, options: true, children: true })
  .extend({
    dataPreview: z.string().describe('Start of the (redacted) data as JSON, cut at a limit'),
    childrenCount: z.number().int().nonnegative(),
  })
  .meta({ id: 'JobSummary' });

/**
 * The slim form of a job used in lists: no full data, return value or stack
 * traces, but a short preview of the data.
 *
 * @example
 * ```ts
 * const row: JobSummary = page.jobs[0];
 * console.log(row.id, row.state, row.dataPreview);
 * ```
 */
export type JobSummary = z.infer<typeof jobSummarySchema>;

/**
 * Schema of a {@link JobLogLine}.
 *
 * @example
 * ```ts
 * const value = jobLogLineSchema.parse(JSON.parse(text));
 * ```
 */
export const jobLogLineSchema = z
  .object({ timestamp: epochMs.nullable(), message: z.string() })
  .meta({ id: 'JobLogLine' });

/**
 * One line of a job's log.
 *
 * @example
 * ```ts
 * const line: JobLogLine = { timestamp: Date.now(), message: 'resized 3 images' };
 * ```
 */
export type JobLogLine = z.infer<typeof jobLogLineSchema>;

/**
 * Schema of a {@link JobLogPage}.
 *
 * @example
 * ```ts
 * const value = jobLogPageSchema.parse(JSON.parse(text));
 * ```
 */
export const jobLogPageSchema = z
  .object({ lines: z.array(jobLogLineSchema), total: z.number().int().nonnegative() })
  .meta({ id: 'JobLogPage' });

/**
 * A page of a job's log lines, oldest first, with the total number of lines.
 *
 * @example
 * ```ts
 * const { lines, total } = await backend.getJobLogs('emails', '1', { offset: 0, limit: 100 });
 * ```
 */
export type JobLogPage = z.infer<typeof jobLogPageSchema>;

/**
 * Schema of a {@link Worker}.
 *
 * @example
 * ```ts
 * const value = workerSchema.parse(JSON.parse(text));
 * ```
 */
export const workerSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    queues: z.array(z.string()).describe('Queue names inside the backend'),
    address: z.string().nullable(),
    startedAt: epochMs.nullable(),
    lastSeenAt: epochMs.nullable(),
    idleMs: z.number().nullable(),
    concurrency: z.number().int().positive().nullable(),
    activeJobs: z.number().int().nonnegative().nullable(),
  })
  .meta({ id: 'Worker' });

/**
 * A process or connection that consumes jobs.
 *
 * @example
 * ```ts
 * const workers: Worker[] = await backend.getWorkers(['emails']);
 * ```
 */
export type Worker = z.infer<typeof workerSchema>;

/**
 * Schema of a {@link Schedule}.
 *
 * @example
 * ```ts
 * const value = scheduleSchema.parse(JSON.parse(text));
 * ```
 */
export const scheduleSchema = z
  .object({
    id: z.string().describe('Key of the schedule inside its queue'),
    queue: z.string(),
    jobName: z.string(),
    pattern: z.string().nullable().describe('Cron expression'),
    everyMs: z.number().int().positive().nullable().describe('Fixed interval'),
    timezone: z.string().nullable(),
    nextRunAt: epochMs.nullable(),
    lastRunAt: epochMs.nullable(),
    data: z.unknown(),
    options: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Schedule' });

/**
 * A repeatable job: a cron pattern or a fixed interval that creates jobs.
 *
 * @example
 * ```ts
 * const nightly: Schedule = {
 *   id: 'nightly-report', queue: 'reports', jobName: 'build', pattern: '0 3 * * *',
 *   everyMs: null, timezone: 'UTC', nextRunAt: null, lastRunAt: null, data: {}, options: {},
 * };
 * ```
 */
export type Schedule = z.infer<typeof scheduleSchema>;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The id of a queue's only schedule where a backend keeps at most one per
 * queue (`capabilities.schedules.multiple` is false, as in pg-boss 10): such a
 * backend lists it under this id, and the service refuses any other id.
 *
 * @example
 * ```ts
 * const id = capabilities.schedules.multiple ? 'nightly-report' : DEFAULT_SCHEDULE_ID;
 * await backend.upsertSchedule('reports', { id, jobName: 'build', pattern: '0 3 * * *' });
 * ```
 */
export const DEFAULT_SCHEDULE_ID = 'default';

/**
 * Schema of a {@link ScheduleInput}.
 *
 * @example
 * ```ts
 * const value = scheduleInputSchema.parse(JSON.parse(text));
 * ```
 */
export const scheduleInputSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(256)
      .describe(
        'Key of the schedule inside its queue; `default` where the backend keeps one schedule per queue (capabilities.schedules.multiple false)',
      ),
    jobName: z
      .string()
      .min(1)
      .max(256)
      .describe(
        "Name of the jobs it creates; where jobs are named after their queue (capabilities.jobNames false) they get the queue's name instead",
      ),
    pattern: z.string().min(1).max(256).optional(),
    everyMs: z
      .number()
      .int()
      .min(1000)
      .optional()
      .describe('Fixed interval, where the backend declares capabilities.schedules.intervals'),
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: 'Unknown IANA time zone' })
      .optional(),
    data: z.unknown().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((s) => (s.pattern === undefined) !== (s.everyMs === undefined), {
    message: 'Give exactly one of pattern or everyMs',
    path: ['pattern'],
  })
  .meta({ id: 'ScheduleInput' });

/**
 * What creates or replaces a schedule: exactly one of a cron `pattern` or an
 * `everyMs` interval. `everyMs` only where the backend declares
 * `capabilities.schedules.intervals`; an `id` other than
 * {@link DEFAULT_SCHEDULE_ID} only where it declares `schedules.multiple`.
 *
 * @example
 * ```ts
 * await backend.upsertSchedule('reports', { id: 'nightly', jobName: 'build', pattern: '0 3 * * *' });
 * ```
 */
export type ScheduleInput = z.infer<typeof scheduleInputSchema>;

/**
 * Schema of {@link Percentiles}.
 *
 * @example
 * ```ts
 * const value = percentilesSchema.parse(JSON.parse(text));
 * ```
 */
export const percentilesSchema = z
  .object({ p50: z.number(), p95: z.number(), p99: z.number() })
  .meta({ id: 'Percentiles' });

/**
 * Duration percentiles in milliseconds.
 *
 * @example
 * ```ts
 * const wait: Percentiles = { p50: 12, p95: 80, p99: 230 };
 * ```
 */
export type Percentiles = z.infer<typeof percentilesSchema>;

/**
 * Schema of a {@link MetricBucket}.
 *
 * @example
 * ```ts
 * const value = metricBucketSchema.parse(JSON.parse(text));
 * ```
 */
export const metricBucketSchema = z
  .object({
    start: epochMs,
    completed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    waitMs: percentilesSchema.nullable(),
    processMs: percentilesSchema.nullable(),
  })
  .meta({ id: 'MetricBucket' });

/**
 * What happened in one time bucket of a queue: finished jobs and, where the
 * backend knows them, wait (created to started) and processing (started to
 * finished) duration percentiles.
 *
 * @example
 * ```ts
 * const b: MetricBucket = { start: 0, completed: 10, failed: 1, waitMs: null, processMs: null };
 * ```
 */
export type MetricBucket = z.infer<typeof metricBucketSchema>;

/**
 * Schema of a {@link MetricSeries}.
 *
 * @example
 * ```ts
 * const value = metricSeriesSchema.parse(JSON.parse(text));
 * ```
 */
export const metricSeriesSchema = z
  .object({
    from: epochMs,
    to: epochMs,
    bucketMs: z.number().int().positive(),
    buckets: z.array(metricBucketSchema),
  })
  .meta({ id: 'MetricSeries' });

/**
 * A time series of {@link MetricBucket}s, one per `bucketMs` from `from`
 * (inclusive) to `to` (exclusive), with no gaps.
 *
 * @example
 * ```ts
 * const series = await backend.getMetrics('emails', { from, to, bucketMs: 60_000 });
 * ```
 */
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

/**
 * The single-job actions a backend may support.
 *
 * @example
 * ```ts
 * for (const item of JOB_ACTIONS) console.log(item);
 * ```
 */
export const JOB_ACTIONS = [
  'retry',
  'remove',
  'promote',
  'cancel',
  'discard',
  'update-data',
  'change-delay',
  'change-priority',
  'duplicate',
  'complete',
] as const;

/**
 * The name of a single-job action.
 *
 * @example
 * ```ts
 * const action: JobActionType = 'retry';
 * ```
 */
export type JobActionType = (typeof JOB_ACTIONS)[number];

/**
 * Schema of a {@link JobAction}.
 *
 * @example
 * ```ts
 * const value = jobActionSchema.parse(JSON.parse(text));
 * ```
 */
export const jobActionSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('retry') }),
    z.object({ type: z.literal('remove') }),
    z.object({ type: z.literal('promote') }),
    z.object({ type: z.literal('cancel') }),
    z.object({ type: z.literal('discard') }),
    z.object({ type: z.literal('update-data'), data: z.unknown() }),
    z.object({ type: z.literal('change-delay'), delayMs: z.number().int().nonnegative() }),
    z.object({ type: z.literal('change-priority'), priority: z.number().int().nonnegative() }),
    z.object({ type: z.literal('duplicate') }),
    z.object({ type: z.literal('complete'), returnValue: z.unknown().optional() }),
  ])
  .meta({ id: 'JobAction' });

/**
 * An action on one job. `retry` re-runs a failed (or completed) job, `promote`
 * runs a delayed job now, `cancel` stops a job that has not finished, `discard`
 * fails an active job without further attempts, `duplicate` adds a copy,
 * `complete` marks a job that is active (or waiting to run) as completed by
 * hand, with an optional return value, without running it (a running job's
 * worker is told to stop).
 *
 * @example
 * ```ts
 * await backend.jobAction('emails', '17', { type: 'update-data', data: { to: 'b@example.com' } });
 * await backend.jobAction('emails', '18', { type: 'complete', returnValue: { skipped: true } });
 * ```
 */
export type JobAction = z.infer<typeof jobActionSchema>;

/**
 * Schema of an {@link AddJobInput}.
 *
 * @example
 * ```ts
 * const value = addJobInputSchema.parse(JSON.parse(text));
 * ```
 */
export const addJobInputSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        "The job's name; required where the backend's jobs carry one (capabilities.jobNames), ignored where not",
      ),
    data: z.unknown().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    priority: z.number().int().nonnegative().optional(),
    attempts: z.number().int().positive().max(1000).optional(),
    jobId: z.string().min(1).max(256).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'AddJobInput' });

/**
 * A new job to add to a queue. `name` is required by backends whose jobs carry
 * a name of their own ({@link Capabilities.jobNames}); the service refuses a
 * job without one there. Other backends ignore it: the job is named after its
 * queue.
 *
 * @example
 * ```ts
 * const job = await backend.addJob('emails', { name: 'send', data: { to: 'a@example.com' }, attempts: 3 });
 * ```
 */
export type AddJobInput = z.infer<typeof addJobInputSchema>;

/**
 * The queue-wide (bulk) actions a backend may support.
 *
 * @example
 * ```ts
 * for (const item of BULK_ACTIONS) console.log(item);
 * ```
 */
export const BULK_ACTIONS = [
  'retry-all',
  'promote-all',
  'clean',
  'empty',
  'pause',
  'resume',
  'obliterate',
] as const;

/**
 * The name of a bulk action.
 *
 * @example
 * ```ts
 * const action: BulkActionType = 'clean';
 * ```
 */
export type BulkActionType = (typeof BULK_ACTIONS)[number];

/**
 * Schema of a {@link BulkAction}.
 *
 * @example
 * ```ts
 * const value = bulkActionSchema.parse(JSON.parse(text));
 * ```
 */
export const bulkActionSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('retry-all'), state: jobStateSchema.default('failed') }),
    z.object({ type: z.literal('promote-all') }),
    z.object({
      type: z.literal('clean'),
      state: jobStateSchema,
      olderThanMs: z.number().int().nonnegative().default(0),
      limit: z.number().int().positive().max(1_000_000).default(10_000),
    }),
    z.object({ type: z.literal('empty') }),
    z.object({ type: z.literal('pause') }),
    z.object({ type: z.literal('resume') }),
    z.object({ type: z.literal('obliterate') }),
  ])
  .meta({ id: 'BulkAction' });

/**
 * An action on a whole queue. `retry-all` re-runs every job in a state,
 * `clean` removes jobs in a state that finished (or were created) more than
 * `olderThanMs` ago, at most `limit` of them; `empty` removes every job that is
 * not active; `obliterate` removes the queue itself.
 *
 * @example
 * ```ts
 * const { affected } = await backend.bulkAction('emails', {
 *   type: 'clean', state: 'completed', olderThanMs: 86_400_000, limit: 1000,
 * });
 * ```
 */
export type BulkAction = z.input<typeof bulkActionSchema>;

/**
 * A {@link BulkAction} after defaults were applied: what a backend receives.
 *
 * @example
 * ```ts
 * const action: ResolvedBulkAction = bulkActionSchema.parse({ type: 'clean', state: 'completed' });
 * // { type: 'clean', state: 'completed', olderThanMs: 0, limit: 10_000 }
 * ```
 */
export type ResolvedBulkAction = z.output<typeof bulkActionSchema>;

/**
 * Schema of a {@link BulkResult}.
 *
 * @example
 * ```ts
 * const value = bulkResultSchema.parse(JSON.parse(text));
 * ```
 */
export const bulkResultSchema = z
  .object({ affected: z.number().int().nonnegative() })
  .meta({ id: 'BulkResult' });

/**
 * How many jobs a bulk action touched.
 *
 * @example
 * ```ts
 * const result: BulkResult = { affected: 120 };
 * ```
 */
export type BulkResult = z.infer<typeof bulkResultSchema>;

/**
 * The job fields a backend may be able to search in.
 *
 * @example
 * ```ts
 * for (const item of SEARCH_FIELDS) console.log(item);
 * ```
 */
export const SEARCH_FIELDS = ['name', 'data', 'error'] as const;

/**
 * A field to search in: the job name, its (serialized) data, or its failure
 * reason and stack trace.
 *
 * @example
 * ```ts
 * const fields: SearchField[] = ['data', 'error'];
 * ```
 */
export type SearchField = (typeof SEARCH_FIELDS)[number];

/**
 * Schema of {@link Capabilities}.
 *
 * @example
 * ```ts
 * const value = capabilitiesSchema.parse(JSON.parse(text));
 * ```
 */
export const capabilitiesSchema = z
  .object({
    states: z.array(jobStateSchema).describe('States the backend reports'),
    jobActions: z.array(z.enum(JOB_ACTIONS)),
    addJob: z.boolean(),
    bulkActions: z.array(z.enum(BULK_ACTIONS)),
    retryAllStates: z.array(jobStateSchema).describe('States retry-all accepts'),
    cleanStates: z.array(jobStateSchema).describe('States clean accepts'),
    search: z.array(z.enum(SEARCH_FIELDS)).describe('Fields searchJobs can look in'),
    offsetPagination: z.boolean().describe('listJobs accepts an offset besides a cursor'),
    jobNames: z
      .boolean()
      .describe(
        "Jobs carry a name of their own besides their queue: listJobs filters by name, add-job takes one. When false, a job's `name` is its queue's name and the name filter is refused.",
      ),
    logs: z.boolean(),
    workers: z.boolean(),
    schedules: z.object({
      read: z.boolean(),
      write: z.boolean(),
      intervals: z
        .boolean()
        .describe('upsertSchedule accepts `everyMs` (a fixed interval) besides a cron `pattern`'),
      multiple: z
        .boolean()
        .describe(
          "A queue can have several schedules, each under an id of the caller's choice; when false a queue has at most one, whose id is `default` (DEFAULT_SCHEDULE_ID)",
        ),
    }),
    metrics: z.boolean(),
    events: z.boolean(),
    flows: z.boolean(),
    audit: z
      .boolean()
      .describe(
        'The backend keeps the audit trail in its own store (appendAudit/listAudit); when false the dashboard keeps it in process',
      ),
  })
  .meta({ id: 'Capabilities' });

/**
 * What a backend can read and do. The service refuses, and the UI hides,
 * anything a backend does not declare here.
 *
 * `jobNames`: jobs carry a name of their own besides their queue: listJobs
 * filters by name, add-job takes one. When false, a job's `name` is its
 * queue's name and the name filter is refused (pg-boss, where a job's name is
 * its queue); such a backend does not declare the `name` search field either.
 *
 * `schedules.intervals`: upsertSchedule accepts `everyMs` (a fixed interval)
 * besides a cron `pattern`; when false the service refuses `everyMs` (pg-boss
 * schedules are cron patterns only).
 *
 * `schedules.multiple`: a queue can have several schedules, each under an id
 * of the caller's choice; when false a queue has at most one, whose id is
 * {@link DEFAULT_SCHEDULE_ID}, and the service refuses any other id (pg-boss 10
 * keeps one schedule per queue).
 *
 * `audit`: the backend stores audit entries itself ({@link QueueBackend.appendAudit},
 * {@link QueueBackend.listAudit}), so that every dashboard instance over the same
 * store reads the same trail; when false the service keeps the entries of its
 * queues in process (a ring of {@link DEFAULT_AUDIT_CAP} entries).
 *
 * @example
 * ```ts
 * const readOnlyBackend: Capabilities = {
 *   states: ['waiting', 'active', 'completed', 'failed'], jobActions: [], addJob: false,
 *   bulkActions: [], retryAllStates: [], cleanStates: [], search: [], offsetPagination: true,
 *   jobNames: true, logs: false, workers: false,
 *   schedules: { read: false, write: false, intervals: false, multiple: false },
 *   metrics: false, events: false, flows: false, audit: false,
 * };
 * ```
 */
export type Capabilities = z.infer<typeof capabilitiesSchema>;

/**
 * Schema of {@link QueueInfo}.
 *
 * @example
 * ```ts
 * const value = queueInfoSchema.parse(JSON.parse(text));
 * ```
 */
export const queueInfoSchema = z
  .object({
    name: z.string(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'QueueInfo' });

/**
 * A queue a backend knows, by its backend-local name, with optional facts to
 * show beside it (prefix, policy, dead-letter target, ...).
 *
 * @example
 * ```ts
 * const info: QueueInfo = { name: 'emails', meta: { prefix: 'bull' } };
 * ```
 */
export type QueueInfo = z.infer<typeof queueInfoSchema>;

/**
 * Schema of {@link QueueStats}.
 *
 * @example
 * ```ts
 * const value = queueStatsSchema.parse(JSON.parse(text));
 * ```
 */
export const queueStatsSchema = z
  .object({
    counts: stateCountsSchema,
    paused: z.boolean(),
    workers: z.number().int().nonnegative().nullable().describe('null when unknown'),
  })
  .meta({ id: 'QueueStats' });

/**
 * Counts by state, paused flag and number of workers of one queue, as
 * returned for many queues at once by {@link QueueBackend.getStats}.
 *
 * @example
 * ```ts
 * const stats: QueueStats = { counts: { waiting: 4, failed: 1 }, paused: false, workers: 2 };
 * ```
 */
export type QueueStats = z.infer<typeof queueStatsSchema>;

/**
 * The orders a job page can be sorted in, by creation time.
 *
 * @example
 * ```ts
 * for (const item of JOB_ORDERS) console.log(item);
 * ```
 */
export const JOB_ORDERS = ['newest', 'oldest'] as const;

/**
 * Sort order of a job page: by creation time, newest or oldest first.
 *
 * @example
 * ```ts
 * const order: JobOrder = 'newest';
 * ```
 */
export type JobOrder = (typeof JOB_ORDERS)[number];

/**
 * What {@link QueueBackend.listJobs} is asked for. `limit` never exceeds the
 * service's hard maximum page size; `cursor` is an opaque string the backend
 * returned as `nextCursor` for the same query.
 *
 * @example
 * ```ts
 * const page = await backend.listJobs('emails', { state: 'failed', order: 'newest', limit: 50 });
 * ```
 */
export interface ListJobsQuery {
  state: JobState;
  order: JobOrder;
  limit: number;
  cursor?: string | undefined;
  /** Only when the backend declares `offsetPagination`. */
  offset?: number | undefined;
  /**
   * Only jobs with exactly this name. Only when the backend declares
   * `jobNames` (the service refuses the filter otherwise).
   */
  name?: string | undefined;
}

/**
 * A page of jobs. `nextCursor` is `null` on the last page; `total` is the
 * number of jobs matching the query when the backend knows it cheaply.
 *
 * @example
 * ```ts
 * let cursor: string | undefined;
 * do {
 *   const page: JobPage = await backend.listJobs('emails', { state: 'completed', order: 'newest', limit: 100, cursor });
 *   cursor = page.nextCursor ?? undefined;
 * } while (cursor);
 * ```
 */
export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
  total: number | null;
}

/**
 * What {@link QueueBackend.searchJobs} is asked for: jobs in `state` whose
 * `fields` contain `text` (case-insensitive), looking at no more than
 * `scanLimit` jobs in this call.
 *
 * @example
 * ```ts
 * const hits = await backend.searchJobs('emails', {
 *   state: 'failed', text: 'timeout', fields: ['error'], order: 'newest', limit: 25, scanLimit: 5000,
 * });
 * ```
 */
export interface SearchJobsQuery {
  state: JobState;
  text: string;
  fields: SearchField[];
  order: JobOrder;
  limit: number;
  scanLimit: number;
  cursor?: string | undefined;
}

/**
 * Search results with how far the search looked. `scanned` is the number of
 * jobs examined in this call; `exhausted` is true when every job in the state
 * was examined; otherwise `nextCursor` continues where this call stopped.
 *
 * @example
 * ```ts
 * const { jobs, scanned, exhausted, nextCursor } = await backend.searchJobs('q', query);
 * ```
 */
export interface SearchPage extends JobPage {
  scanned: number;
  exhausted: boolean;
}

/**
 * The time window {@link QueueBackend.getMetrics} is asked for.
 *
 * @example
 * ```ts
 * const now = Date.now();
 * const q: MetricsQuery = { from: now - 3_600_000, to: now, bucketMs: 60_000 };
 * ```
 */
export interface MetricsQuery {
  from: number;
  to: number;
  bucketMs: number;
}

/**
 * Something that changed in a backend, delivered to
 * {@link QueueBackend.subscribe} listeners.
 *
 * @example
 * ```ts
 * const event: BackendEvent = { type: 'job', queue: 'emails', jobId: '1', state: 'completed' };
 * ```
 */
export type BackendEvent =
  | { type: 'job'; queue: string; jobId: string; state: JobState | 'removed'; name?: string }
  | { type: 'progress'; queue: string; jobId: string; progress: Job['progress'] }
  | { type: 'queue'; queue: string; paused: boolean }
  | { type: 'queues-changed' };
