/**
 * The shapes the JSON API answers with. Like the domain model, each is a zod
 * schema with its inferred type: the OpenAPI document, the service and the
 * typed client all use these.
 */
import { z } from 'zod';
import {
  capabilitiesSchema,
  JOB_ORDERS,
  jobSchema,
  jobStateSchema,
  jobSummarySchema,
  metricSeriesSchema,
  SEARCH_FIELDS,
  stateCountsSchema,
  workerSchema,
} from './model';

/**
 * Schema of a {@link BackendStatus}.
 *
 * @example
 * ```ts
 * const value = backendStatusSchema.parse(JSON.parse(text));
 * ```
 */
export const backendStatusSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    label: z.string(),
    ok: z.boolean(),
    error: z.string().nullable().describe('Why the backend cannot be read, when it cannot'),
    queueCount: z.number().int().nonnegative(),
  })
  .meta({ id: 'BackendStatus' });

/**
 * Whether one backend answered the last refresh.
 *
 * @example
 * ```ts
 * const down = overview.backends.filter((b: BackendStatus) => !b.ok);
 * ```
 */
export type BackendStatus = z.infer<typeof backendStatusSchema>;

/**
 * Schema of a {@link QueueOverview}.
 *
 * @example
 * ```ts
 * const value = queueOverviewSchema.parse(JSON.parse(text));
 * ```
 */
export const queueOverviewSchema = z
  .object({
    id: z.string().describe('Dashboard-wide queue id: `<backend>:<name>`'),
    backend: z.string(),
    name: z.string(),
    counts: stateCountsSchema,
    paused: z.boolean(),
    workers: z.number().int().nonnegative().nullable(),
    meta: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'QueueOverview' });

/**
 * One queue on the overview.
 *
 * @example
 * ```ts
 * const backlog = (q: QueueOverview) => (q.counts.waiting ?? 0) + (q.counts.prioritized ?? 0);
 * ```
 */
export type QueueOverview = z.infer<typeof queueOverviewSchema>;

/**
 * Schema of an {@link Overview}.
 *
 * @example
 * ```ts
 * const value = overviewSchema.parse(JSON.parse(text));
 * ```
 */
export const overviewSchema = z
  .object({
    generatedAt: z.number(),
    refreshIntervalMs: z.number().int().positive(),
    readOnly: z.boolean(),
    backends: z.array(backendStatusSchema),
    queues: z.array(queueOverviewSchema),
  })
  .meta({ id: 'Overview' });

/**
 * Every queue of every backend with its counts: the dashboard's home page.
 * One shared snapshot per refresh interval, however many viewers ask.
 *
 * @example
 * ```ts
 * const overview: Overview = await service.overview();
 * ```
 */
export type Overview = z.infer<typeof overviewSchema>;

/**
 * Schema of a {@link QueueDetail}.
 *
 * @example
 * ```ts
 * const value = queueDetailSchema.parse(JSON.parse(text));
 * ```
 */
export const queueDetailSchema = queueOverviewSchema
  .extend({ capabilities: capabilitiesSchema, readOnly: z.boolean() })
  .meta({ id: 'QueueDetail' });

/**
 * One queue with what it supports.
 *
 * @example
 * ```ts
 * const q: QueueDetail = await service.queue('memory:emails');
 * if (q.capabilities.jobActions.includes('retry')) { ... }
 * ```
 */
export type QueueDetail = z.infer<typeof queueDetailSchema>;

/**
 * Schema of an {@link ApiJob}.
 *
 * @example
 * ```ts
 * const value = apiJobSchema.parse(JSON.parse(text));
 * ```
 */
export const apiJobSchema = jobSchema.extend({ queueId: z.string() }).meta({ id: 'ApiJob' });

/**
 * A job as the API returns it: the backend's job, redacted, with its queue id.
 *
 * @example
 * ```ts
 * const job: ApiJob = await service.getJob('memory:emails', '1');
 * ```
 */
export type ApiJob = z.infer<typeof apiJobSchema>;

/**
 * Schema of an {@link ApiJobSummary}.
 *
 * @example
 * ```ts
 * const value = apiJobSummarySchema.parse(JSON.parse(text));
 * ```
 */
export const apiJobSummarySchema = jobSummarySchema
  .extend({ queueId: z.string() })
  .meta({ id: 'ApiJobSummary' });

/**
 * A list row: a {@link JobSummary} with its queue id.
 *
 * @example
 * ```ts
 * for (const row of page.jobs) console.log(row.queueId, row.id);
 * ```
 */
export type ApiJobSummary = z.infer<typeof apiJobSummarySchema>;

/**
 * Schema of a {@link JobsQuery} as it arrives in a query string.
 *
 * @example
 * ```ts
 * const value = jobsQuerySchema.parse(JSON.parse(text));
 * ```
 */
export const jobsQuerySchema = z
  .object({
    state: jobStateSchema,
    order: z.enum(JOB_ORDERS).default('newest'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('Page size; default 25, or the maximum page size when that is smaller'),
    cursor: z.string().max(2048).optional(),
    offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
    name: z
      .string()
      .max(256)
      .optional()
      .describe('Only jobs with exactly this name; refused where `capabilities.jobNames` is false'),
    id: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Only the job with this id (if it is in the state)'),
    q: z.string().min(1).max(256).optional().describe('Text to search for'),
    in: z
      .preprocess(
        (value) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value),
        z.array(z.enum(SEARCH_FIELDS)),
      )
      .optional()
      .describe(
        `Fields to search in (comma-separated in a query string): ${SEARCH_FIELDS.join(', ')}`,
      ),
    scanLimit: z.coerce.number().int().min(1).max(100_000).optional(),
  })
  .meta({ id: 'JobsQuery' });

/**
 * How to list jobs of a queue: one state, sorted by creation, a page size no
 * larger than the service's maximum, and optionally a name filter or a text
 * search (`q` in the fields of `in`).
 *
 * @example
 * ```ts
 * const page = await service.listJobs('memory:emails', { state: 'failed', q: 'timeout', in: ['error'] });
 * ```
 */
export type JobsQuery = Omit<z.output<typeof jobsQuerySchema>, 'order' | 'limit'> &
  Partial<Pick<z.output<typeof jobsQuerySchema>, 'order' | 'limit'>>;

/**
 * Schema of an {@link ApiJobPage}.
 *
 * @example
 * ```ts
 * const value = apiJobPageSchema.parse(JSON.parse(text));
 * ```
 */
export const apiJobPageSchema = z
  .object({
    queueId: z.string(),
    state: jobStateSchema,
    jobs: z.array(apiJobSummarySchema),
    nextCursor: z.string().nullable(),
    total: z.number().int().nonnegative().nullable(),
    search: z
      .object({
        text: z.string(),
        fields: z.array(z.enum(SEARCH_FIELDS)),
        scanned: z.number().int().nonnegative(),
        exhausted: z.boolean(),
      })
      .nullable()
      .describe('How far a text search looked; null when the page is not a search'),
  })
  .meta({ id: 'ApiJobPage' });

/**
 * A page of list rows.
 *
 * @example
 * ```ts
 * const page: ApiJobPage = await service.listJobs('memory:emails', { state: 'waiting' });
 * ```
 */
export type ApiJobPage = z.infer<typeof apiJobPageSchema>;

/**
 * Schema of an {@link ApiWorker}.
 *
 * @example
 * ```ts
 * const value = apiWorkerSchema.parse(JSON.parse(text));
 * ```
 */
export const apiWorkerSchema = workerSchema
  .extend({ backend: z.string(), queueIds: z.array(z.string()) })
  .meta({ id: 'ApiWorker' });

/**
 * A worker with dashboard-wide queue ids.
 *
 * @example
 * ```ts
 * const workers: ApiWorker[] = await service.workers();
 * ```
 */
export type ApiWorker = z.infer<typeof apiWorkerSchema>;

/**
 * The ranges the metrics view offers, with the bucket size each uses.
 *
 * @example
 * ```ts
 * const { bucketMs } = METRIC_RANGES['24h']; // 900_000
 * ```
 */
export const METRIC_RANGES = {
  '1h': { durationMs: 3_600_000, bucketMs: 60_000 },
  '24h': { durationMs: 86_400_000, bucketMs: 900_000 },
  '7d': { durationMs: 604_800_000, bucketMs: 3_600_000 },
  '30d': { durationMs: 2_592_000_000, bucketMs: 21_600_000 },
} as const;

/**
 * A metrics range name.
 *
 * @example
 * ```ts
 * const range: MetricRange = '24h';
 * ```
 */
export type MetricRange = keyof typeof METRIC_RANGES;

/**
 * Schema of {@link ApiMetrics}.
 *
 * @example
 * ```ts
 * const value = apiMetricsSchema.parse(JSON.parse(text));
 * ```
 */
export const apiMetricsSchema = metricSeriesSchema
  .extend({
    queueId: z.string(),
    range: z.enum(Object.keys(METRIC_RANGES) as [MetricRange, ...MetricRange[]]),
  })
  .meta({ id: 'ApiMetrics' });

/**
 * A queue's metric series for one range.
 *
 * @example
 * ```ts
 * const m: ApiMetrics = await service.metrics('memory:emails', '1h');
 * ```
 */
export type ApiMetrics = z.infer<typeof apiMetricsSchema>;

/**
 * The window of {@link Throughput}: the last hour in 5-minute buckets.
 *
 * @example
 * ```ts
 * const points = THROUGHPUT_WINDOW.durationMs / THROUGHPUT_WINDOW.bucketMs; // 12
 * ```
 */
export const THROUGHPUT_WINDOW = { durationMs: 3_600_000, bucketMs: 300_000 } as const;

/**
 * Schema of a {@link Throughput}.
 *
 * @example
 * ```ts
 * const value = throughputSchema.parse(JSON.parse(text));
 * ```
 */
export const throughputSchema = z
  .object({
    from: z.number(),
    to: z.number(),
    bucketMs: z.number().int().positive(),
    queues: z
      .record(
        z.string(),
        z.object({
          completed: z.array(z.number().int().nonnegative()),
          failed: z.array(z.number().int().nonnegative()),
        }),
      )
      .describe('By queue id; queues without metrics are left out'),
  })
  .meta({ id: 'Throughput' });

/**
 * Recent completed and failed counts of every queue that has metrics, oldest
 * bucket first: the overview's sparklines, for all queues in one request.
 *
 * @example
 * ```ts
 * const { queues } = await service.throughput();
 * const lastHour = queues['memory:emails']?.completed.reduce((a, b) => a + b, 0);
 * ```
 */
export type Throughput = z.infer<typeof throughputSchema>;

/**
 * Schema of {@link Health}.
 *
 * @example
 * ```ts
 * const value = healthSchema.parse(JSON.parse(text));
 * ```
 */
export const healthSchema = z
  .object({ status: z.enum(['ok', 'degraded']), backends: z.array(backendStatusSchema) })
  .meta({ id: 'Health' });

/**
 * `ok` when every backend answers, `degraded` otherwise.
 *
 * @example
 * ```ts
 * const { status } = await service.health();
 * ```
 */
export type Health = z.infer<typeof healthSchema>;

/**
 * Schema of a {@link DashboardEvent}.
 *
 * @example
 * ```ts
 * const value = dashboardEventSchema.parse(JSON.parse(text));
 * ```
 */
export const dashboardEventSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('overview'), overview: overviewSchema }),
    z.object({
      type: z.literal('job'),
      queueId: z.string(),
      jobId: z.string(),
      state: z.union([jobStateSchema, z.literal('removed')]),
    }),
    z.object({
      type: z.literal('progress'),
      queueId: z.string(),
      jobId: z.string(),
      progress: jobSchema.shape.progress,
    }),
    z.object({ type: z.literal('queue'), queueId: z.string(), paused: z.boolean() }),
    z.object({
      type: z.literal('action'),
      queueId: z.string(),
      jobId: z.string().nullable(),
      action: z.string(),
      affected: z.number().int().nonnegative().nullable(),
      at: z.number(),
    }),
  ])
  .meta({ id: 'DashboardEvent' });

/**
 * A live update, sent to every subscriber and over the SSE stream (the event
 * name is `type`, the data is the JSON of the whole event).
 *
 * @example
 * ```ts
 * service.subscribe((e: DashboardEvent) => { if (e.type === 'overview') render(e.overview); });
 * ```
 */
export type DashboardEvent = z.infer<typeof dashboardEventSchema>;
