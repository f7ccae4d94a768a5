/**
 * The route table: one declarative list that both dispatches requests and
 * generates the OpenAPI document, so the two cannot disagree.
 */
import { z } from 'zod';
import {
  apiJobPageSchema,
  apiJobSchema,
  apiMetricsSchema,
  apiWorkerSchema,
  dashboardEventSchema,
  healthSchema,
  jobsQuerySchema,
  METRIC_RANGES,
  type MetricRange,
  overviewSchema,
  queueDetailSchema,
  throughputSchema,
} from '../api';
import { auditPageSchema, auditQuerySchema } from '../audit';
import type { AuthStatus } from '../auth/access';
import {
  loginBodySchema,
  type Permission,
  type Principal,
  ROLES,
  setupBodySchema,
} from '../auth/model';
import type { QueueVisibility } from '../auth/visibility';
import { notFound } from '../errors';
import {
  type IngestEndpoint,
  ingestBatchSchema,
  ingestCommandSchema,
  ingestCommandsQuerySchema,
  ingestResultSchema,
} from '../ingest';
import {
  addJobInputSchema,
  bulkActionSchema,
  bulkResultSchema,
  jobActionSchema,
  jobLogPageSchema,
  scheduleInputSchema,
  scheduleSchema,
} from '../model';
import type { AdminService } from '../service';
import type { QadminRequest, QadminResponse } from './types';

/**
 * The methods the route table uses. `HEAD` is answered by every `GET` route.
 *
 * @example
 * ```ts
 * const mutating: HttpMethod[] = ['POST', 'PUT', 'DELETE'];
 * ```
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What the app gives routes that need more than the service: the OpenAPI
 * document, the Prometheus exposition and the SSE stream.
 *
 * @example
 * ```ts
 * const handler = async (ctx: RouteContext) => ctx.app.openapi(ctx.request.basePath);
 * ```
 */
export interface RouteAppContext {
  /** The OpenAPI 3.1 document with `servers` set to `basePath`. */
  openapi(basePath: string): OpenApiDocument;
  /** The Prometheus text exposition of the current snapshot (of the queues `visible` lets through). */
  prometheus(visible?: QueueVisibility | null): Promise<QadminResponse>;
  /** The SSE response for one client (the queues `visible` lets through). */
  events(request: QadminRequest, visible?: QueueVisibility | null): Promise<QadminResponse>;
  /** What `api/auth/me` answers for a principal. */
  authStatus(principal: Principal | null): AuthStatus;
  /** Logs in (`api/auth/login`): the status and the session cookie. */
  login(request: QadminRequest, body: unknown): Promise<QadminResponse>;
  /** Logs out (`api/auth/logout`). */
  logout(request: QadminRequest): Promise<QadminResponse>;
  /** Creates the first admin (`api/auth/setup`): the status and the session cookie. */
  setup(request: QadminRequest, body: unknown): Promise<QadminResponse>;
}

/**
 * An OpenAPI 3.1 document, loosely typed.
 *
 * @example
 * ```ts
 * const doc: OpenApiDocument = await client.openapi();
 * console.log(Object.keys(doc.paths));
 * ```
 */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; responses?: Record<string, unknown> };
  [key: string]: unknown;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type In<S> = S extends z.ZodType ? z.input<S> : undefined;
type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

/**
 * The query a client sends for a query schema `S`: the parsed values, where
 * every field with a default or no requirement may be left out.
 *
 * @example
 * ```ts
 * type Q = QueryParams<typeof jobsQuerySchema>; // { state: JobState; limit?: number; in?: SearchField[]; ... }
 * ```
 */
export type QueryParams<S> = S extends z.ZodType
  ? Partial<z.output<S>> & Pick<z.output<S>, RequiredKeys<z.input<S>> & keyof z.output<S>>
  : undefined;

/**
 * What a route handler receives: validated path parameters, query and body,
 * the raw query strings (for services that validate them again), the
 * request, the service and the app.
 *
 * @example
 * ```ts
 * handler: (ctx) => ctx.service.getJob(ctx.params.queueId, ctx.params.jobId)
 * ```
 */
export interface RouteContext<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  /** The query as strings: first value of each name, empty values left out. */
  rawQuery: Record<string, string>;
  request: QadminRequest;
  /** Who the request comes from (`null`: not logged in, on public routes only). */
  principal: Principal | null;
  /** The queues the principal may see, or `null` for every queue. */
  visible: QueueVisibility | null;
  /** The backend the ingest token belongs to, on `ingest` routes; `null` elsewhere. */
  ingest: IngestEndpoint | null;
  service: AdminService;
  app: RouteAppContext;
}

interface RouteBase<
  Id extends string,
  P extends z.ZodObject | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  S extends z.ZodType | undefined,
> {
  method: HttpMethod;
  /** Below the mount point, `{name}` for a path parameter (one URL-encoded segment). */
  path: `/${string}`;
  operationId: Id;
  summary: string;
  description?: string;
  tags: readonly string[];
  /** Path parameters; a value that fails its schema answers 404. */
  params?: P;
  /** Query parameters; a failure answers 400 naming `query.<name>`. */
  query?: Q;
  /** JSON body; a failure answers 400 naming `body.<path>`. */
  body?: B;
  response: {
    status: number;
    description: string;
    /** Schema of the success body (of each event, for a stream). */
    schema?: S;
    /** Media type of the success body; JSON when left out. */
    contentType?: string;
  };
  /** The problem statuses this route documents (500 is always added). */
  problems: readonly number[];
  /**
   * What the caller needs: a permission, one worked out from the validated
   * body (the action's type), `public` (no login), or `ingest` (a backend's
   * ingest token, never a dashboard login: the handler gets that backend as
   * `ctx.ingest`). Default `read`.
   */
  permission?: Permission | 'public' | 'ingest' | ((body: any) => Permission);
}

/**
 * A route whose handler returns data that is sent as JSON with
 * `response.status`.
 *
 * @example
 * ```ts
 * const health: JsonRoute = apiRoutes.find((r) => r.operationId === 'health')!;
 * ```
 */
export interface JsonRoute<
  Id extends string = string,
  P extends z.ZodObject | undefined = any,
  Q extends z.ZodType | undefined = any,
  B extends z.ZodType | undefined = any,
  S extends z.ZodType | undefined = any,
> extends RouteBase<Id, P, Q, B, S> {
  kind: 'json';
  /**
   * The handler returns a snapshot shared by every caller until it is
   * replaced (the overview): its JSON and compressed forms are made once per
   * snapshot, not once per request.
   */
  sharedResult?: boolean;
  handler(ctx: RouteContext<Out<P>, Out<Q>, Out<B>>): Promise<S extends z.ZodType ? Out<S> : void>;
}

/**
 * A route whose handler builds the whole response (a stream, plain text).
 *
 * @example
 * ```ts
 * const events = apiRoutes.find((r) => r.kind === 'raw' && r.operationId === 'events');
 * ```
 */
export interface RawRoute<
  Id extends string = string,
  P extends z.ZodObject | undefined = any,
  Q extends z.ZodType | undefined = any,
  B extends z.ZodType | undefined = any,
  S extends z.ZodType | undefined = any,
> extends RouteBase<Id, P, Q, B, S> {
  kind: 'raw';
  handler(ctx: RouteContext<Out<P>, Out<Q>, Out<B>>): Promise<QadminResponse>;
}

/**
 * One entry of the route table.
 *
 * @example
 * ```ts
 * for (const route of apiRoutes) console.log(route.method, route.path, route.operationId);
 * ```
 */
export type Route = JsonRoute | RawRoute;

/**
 * Declares a JSON route (types flow from the schemas into the handler).
 *
 * @example
 * ```ts
 * const health = jsonRoute({
 *   method: 'GET', path: '/api/health', operationId: 'health', summary: 'Backend health',
 *   tags: ['dashboard'], problems: [], response: { status: 200, description: 'Health', schema: healthSchema },
 *   handler: (ctx) => ctx.service.health(),
 * });
 * ```
 */
export function jsonRoute<
  const Id extends string,
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  S extends z.ZodType | undefined = undefined,
>(definition: Omit<JsonRoute<Id, P, Q, B, S>, 'kind'>): JsonRoute<Id, P, Q, B, S> {
  return { ...definition, kind: 'json' };
}

/**
 * Declares a route whose handler returns the whole {@link QadminResponse}.
 *
 * @example
 * ```ts
 * const text = rawRoute({
 *   method: 'GET', path: '/hello', operationId: 'hello', summary: 'Hello', tags: [], problems: [],
 *   response: { status: 200, description: 'Text', contentType: 'text/plain' },
 *   handler: async () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'hi' }),
 * });
 * ```
 */
export function rawRoute<
  const Id extends string,
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  S extends z.ZodType | undefined = undefined,
>(definition: Omit<RawRoute<Id, P, Q, B, S>, 'kind'>): RawRoute<Id, P, Q, B, S> {
  return { ...definition, kind: 'raw' };
}

// ------------------------------------------------------------- parameters

const queueIdParam = z
  .string()
  .min(3)
  .max(1024)
  .regex(/^[^:]+:.+$/)
  .describe('Dashboard-wide queue id `<backend>:<name>`, URL-encoded as one path segment');
const jobIdParam = z.string().min(1).max(1024).describe('Job id, URL-encoded as one path segment');
const scheduleIdParam = z
  .string()
  .min(1)
  .max(256)
  .describe('Schedule id, URL-encoded as one path segment');

const queueParams = z.object({ queueId: queueIdParam });
const jobParams = z.object({ queueId: queueIdParam, jobId: jobIdParam });
const scheduleParams = z.object({ queueId: queueIdParam, scheduleId: scheduleIdParam });

const logsQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0).describe('Index of the first line'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Lines per page'),
});

const metricsQuerySchema = z.object({
  range: z
    .enum(Object.keys(METRIC_RANGES) as [MetricRange, ...MetricRange[]])
    .default('1h')
    .describe('Time range; each has its own bucket size'),
});

const READ_QUEUE = [404, 503] as const;
const MUTATE = [400, 403, 404, 409, 413, 415, 501, 503] as const;

// ------------------------------------------------------------------- auth

const authStatusSchema = z
  .object({
    principal: z
      .object({ id: z.string(), name: z.string(), role: z.enum(ROLES), via: z.string() })
      .nullable(),
    permissions: z.array(z.string()),
    login: z.boolean(),
    anonymous: z.boolean(),
    readOnlyReason: z.string().nullable(),
    setup: z.boolean(),
  })
  .meta({ id: 'AuthStatus' });

// ------------------------------------------------------------------ table

/**
 * Every route of the dashboard below its mount point: the JSON API under
 * `api/` and the Prometheus exposition at `metrics`. The app dispatches with
 * it and the OpenAPI document is generated from it.
 *
 * @example
 * ```ts
 * import { apiRoutes } from '@qadmin/core';
 * const mutations = apiRoutes.filter((r) => r.method !== 'GET').map((r) => r.operationId);
 * ```
 */
export const apiRoutes = [
  jsonRoute({
    method: 'GET',
    path: '/api/auth/me',
    operationId: 'me',
    summary: 'Who you are and what you may do',
    description:
      'The principal of the request (null when not logged in), its permissions, whether a ' +
      'password login exists, why writing is off for everyone when it is, and whether a ' +
      'first-run setup is pending (`POST api/auth/setup`).',
    tags: ['auth'],
    problems: [401],
    permission: 'public',
    response: { status: 200, description: 'The auth status', schema: authStatusSchema },
    handler: async (ctx) => ctx.app.authStatus(ctx.principal),
  }),
  rawRoute({
    method: 'POST',
    path: '/api/auth/login',
    operationId: 'login',
    summary: 'Log in with a username and password',
    description:
      'Sets the session cookie. Failed logins are limited per client and per username (429), ' +
      'and the answer never says whether a username exists.',
    tags: ['auth'],
    body: loginBodySchema,
    problems: [400, 401, 403, 404, 429],
    permission: 'public',
    response: { status: 200, description: 'Logged in', schema: authStatusSchema },
    handler: (ctx) => ctx.app.login(ctx.request, ctx.body),
  }),
  rawRoute({
    method: 'POST',
    path: '/api/auth/setup',
    operationId: 'setup',
    summary: 'Create the first admin (first-run setup)',
    description:
      'Only while the dashboard has no user and waits for its first-run setup (`setup` in ' +
      "`api/auth/me`): with the one-time code from the server's start-up output, creates an " +
      'admin (only the scrypt hash of the password is kept) and logs them in (sets the session ' +
      'cookie). Wrong codes are limited per client like failed logins (429). Once any user ' +
      'exists it answers 409.',
    tags: ['auth'],
    body: setupBodySchema,
    problems: [400, 403, 409, 429],
    permission: 'public',
    response: { status: 200, description: 'Set up and logged in', schema: authStatusSchema },
    handler: (ctx) => ctx.app.setup(ctx.request, ctx.body),
  }),
  rawRoute({
    method: 'POST',
    path: '/api/auth/logout',
    operationId: 'logout',
    summary: 'Log out',
    tags: ['auth'],
    problems: [403],
    permission: 'public',
    response: { status: 204, description: 'Logged out' },
    handler: (ctx) => ctx.app.logout(ctx.request),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/overview',
    operationId: 'overview',
    summary: 'Every queue of every backend with its counts',
    description: 'One shared snapshot per refresh interval, however many dashboards ask.',
    tags: ['dashboard'],
    problems: [],
    response: { status: 200, description: 'The overview', schema: overviewSchema },
    sharedResult: true,
    handler: (ctx) => ctx.service.overview(),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/health',
    operationId: 'health',
    summary: 'Whether every backend answers',
    description:
      'Always 200 while the dashboard runs; `status` is `degraded` when a backend fails.',
    tags: ['dashboard'],
    problems: [],
    response: { status: 200, description: 'Health of the backends', schema: healthSchema },
    handler: (ctx) => ctx.service.health(),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/workers',
    operationId: 'listWorkers',
    summary: 'Workers of every backend that reports them',
    tags: ['workers'],
    problems: [503],
    response: { status: 200, description: 'The workers', schema: z.array(apiWorkerSchema) },
    handler: (ctx) => ctx.service.workers(),
  }),
  rawRoute({
    method: 'GET',
    path: '/api/events',
    operationId: 'events',
    summary: 'Live updates as Server-Sent Events',
    description:
      'Starts with `retry:` and an `overview` event, then sends every DashboardEvent as ' +
      '`event: <type>` with the JSON of the whole event as `data`, and a `: heartbeat` comment ' +
      'while idle. A client that falls behind loses its oldest job and progress events.',
    tags: ['dashboard'],
    problems: [],
    response: {
      status: 200,
      description: 'An event stream; each event is a DashboardEvent',
      schema: dashboardEventSchema,
      contentType: 'text/event-stream',
    },
    handler: (ctx) => ctx.app.events(ctx.request, ctx.visible),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/openapi.json',
    operationId: 'openapi',
    summary: 'This OpenAPI 3.1 document',
    tags: ['dashboard'],
    problems: [],
    response: {
      status: 200,
      description: 'The OpenAPI document',
      schema: z.custom<OpenApiDocument>(),
    },
    handler: async (ctx) => ctx.app.openapi(ctx.request.basePath),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/queues/{queueId}',
    operationId: 'getQueue',
    summary: 'One queue with its counts and capabilities',
    tags: ['queues'],
    params: queueParams,
    problems: READ_QUEUE,
    response: { status: 200, description: 'The queue', schema: queueDetailSchema },
    handler: (ctx) => ctx.service.queue(ctx.params.queueId),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/queues/{queueId}/jobs',
    operationId: 'listJobs',
    summary: 'A page of jobs in one state, optionally filtered or searched',
    description:
      'Pages by `cursor` (or `offset` where the backend allows). With `q`, searches the fields ' +
      'of `in`, looking at no more than `scanLimit` jobs; `search` in the answer says how far it looked.',
    tags: ['jobs'],
    params: queueParams,
    query: jobsQuerySchema,
    problems: [400, 404, 501, 503],
    response: { status: 200, description: 'A page of jobs', schema: apiJobPageSchema },
    // The service validates raw query strings itself (its schema transforms `in`).
    handler: (ctx) => ctx.service.listJobs(ctx.params.queueId, ctx.rawQuery),
  }),
  jsonRoute({
    method: 'POST',
    path: '/api/queues/{queueId}/jobs',
    operationId: 'addJob',
    summary: 'Add a job',
    tags: ['jobs'],
    params: queueParams,
    body: addJobInputSchema,
    problems: MUTATE,
    response: { status: 201, description: 'The new job', schema: apiJobSchema },
    permission: 'job.add',
    handler: (ctx) => ctx.service.addJob(ctx.params.queueId, ctx.body),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/queues/{queueId}/jobs/{jobId}',
    operationId: 'getJob',
    summary: 'One job, with its data, result and stack traces',
    tags: ['jobs'],
    params: jobParams,
    problems: READ_QUEUE,
    response: { status: 200, description: 'The job', schema: apiJobSchema },
    handler: (ctx) => ctx.service.getJob(ctx.params.queueId, ctx.params.jobId),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/queues/{queueId}/jobs/{jobId}/logs',
    operationId: 'getJobLogs',
    summary: "A page of a job's log lines, oldest first",
    tags: ['jobs'],
    params: jobParams,
    query: logsQuerySchema,
    problems: [400, 404, 501, 503],
    response: { status: 200, description: 'Log lines', schema: jobLogPageSchema },
    handler: (ctx) => ctx.service.getJobLogs(ctx.params.queueId, ctx.params.jobId, ctx.query),
  }),
  jsonRoute({
    method: 'POST',
    path: '/api/queues/{queueId}/jobs/{jobId}/actions',
    operationId: 'jobAction',
    summary: 'Act on one job (retry, remove, promote, ...)',
    tags: ['jobs'],
    params: jobParams,
    body: jobActionSchema,
    problems: MUTATE,
    response: {
      status: 200,
      description: 'The job after the action (the copy for `duplicate`), or null once removed',
      schema: z.object({ job: apiJobSchema.nullable() }),
    },
    permission: (body: { type: string }) => `job.${body.type}` as Permission,
    handler: (ctx) => ctx.service.jobAction(ctx.params.queueId, ctx.params.jobId, ctx.body),
  }),
  jsonRoute({
    method: 'POST',
    path: '/api/queues/{queueId}/actions',
    operationId: 'bulkAction',
    summary: 'Act on a whole queue (retry all, clean, pause, ...)',
    tags: ['queues'],
    params: queueParams,
    body: bulkActionSchema,
    problems: MUTATE,
    response: { status: 200, description: 'How many jobs it touched', schema: bulkResultSchema },
    permission: (body: { type: string }) => `queue.${body.type}` as Permission,
    handler: (ctx) => ctx.service.bulkAction(ctx.params.queueId, ctx.body),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/queues/{queueId}/workers',
    operationId: 'listQueueWorkers',
    summary: 'Workers of one queue',
    tags: ['workers'],
    params: queueParams,
    problems: [404, 501, 503],
    response: { status: 200, description: 'The workers', schema: z.array(apiWorkerSchema) },
    handler: (ctx) => ctx.service.workers(ctx.params.queueId),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/queues/{queueId}/schedules',
    operationId: 'listSchedules',
    summary: 'Schedules (repeatable jobs) of a queue',
    tags: ['schedules'],
    params: queueParams,
    problems: [404, 501, 503],
    response: { status: 200, description: 'The schedules', schema: z.array(scheduleSchema) },
    handler: (ctx) => ctx.service.schedules(ctx.params.queueId),
  }),
  jsonRoute({
    method: 'POST',
    path: '/api/queues/{queueId}/schedules',
    operationId: 'upsertSchedule',
    summary: 'Create a schedule, or replace the one with the same id',
    tags: ['schedules'],
    params: queueParams,
    body: scheduleInputSchema,
    problems: MUTATE,
    response: { status: 200, description: 'The schedule', schema: scheduleSchema },
    permission: 'schedules.write',
    handler: (ctx) => ctx.service.upsertSchedule(ctx.params.queueId, ctx.body),
  }),
  jsonRoute({
    method: 'DELETE',
    path: '/api/queues/{queueId}/schedules/{scheduleId}',
    operationId: 'removeSchedule',
    summary: 'Remove a schedule',
    tags: ['schedules'],
    params: scheduleParams,
    problems: [403, 404, 501, 503],
    response: { status: 204, description: 'Removed' },
    permission: 'schedules.write',
    handler: (ctx) => ctx.service.removeSchedule(ctx.params.queueId, ctx.params.scheduleId),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/queues/{queueId}/metrics',
    operationId: 'getMetrics',
    summary: 'Throughput and durations of a queue over a range',
    tags: ['queues'],
    params: queueParams,
    query: metricsQuerySchema,
    problems: [400, 404, 501, 503],
    response: { status: 200, description: 'The metric series', schema: apiMetricsSchema },
    handler: (ctx) => ctx.service.metrics(ctx.params.queueId, ctx.query.range),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/throughput',
    operationId: 'throughput',
    summary: 'Recent throughput of every queue (sparklines)',
    description:
      'Completed and failed counts of the last hour in 5-minute buckets for every queue with ' +
      'metrics, in one answer; built at most once a minute and shared by every caller.',
    tags: ['dashboard'],
    problems: [],
    response: { status: 200, description: 'Throughput by queue id', schema: throughputSchema },
    handler: (ctx) => ctx.service.throughput(),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/audit',
    operationId: 'audit',
    summary: 'The audit trail: every mutation, newest first',
    description:
      'Who did what to which queue, job or filter, how many jobs it touched and how it ended, ' +
      'for every POST/PUT/DELETE of a logged-in caller (refusals included), from every ' +
      "backend's own store. Page with `before` = the previous page's `nextBefore`.",
    tags: ['audit'],
    query: auditQuerySchema,
    problems: [400, 403],
    permission: 'audit.read',
    response: { status: 200, description: 'A page of entries', schema: auditPageSchema },
    handler: (ctx) => ctx.service.listAudit(ctx.query),
  }),
  jsonRoute({
    method: 'POST',
    path: '/api/ingest/events',
    operationId: 'ingestEvents',
    summary: "Workers' events for a backend fed by events (the collector)",
    description:
      'Takes a batch of up to 1,000 events (docs/ingest-protocol.md), authenticated by one of ' +
      "the backend's ingest tokens (`Authorization: Bearer`), not by a dashboard login. Events " +
      'are idempotent per id; a bad event is refused with its reason and the rest are stored.',
    tags: ['ingest'],
    body: ingestBatchSchema,
    problems: [400, 401, 413, 503],
    permission: 'ingest',
    response: { status: 200, description: 'What the batch came to', schema: ingestResultSchema },
    handler: (ctx) => ctx.ingest!.ingest(ctx.body.events),
  }),
  jsonRoute({
    method: 'GET',
    path: '/api/ingest/commands',
    operationId: 'ingestCommands',
    summary: 'Commands (retry, cancel) waiting for a worker',
    description:
      'Hands the polling worker the pending commands of the queues it serves, leased to it; it ' +
      'answers each with a `command-result` event. Authenticated by an ingest token.',
    tags: ['ingest'],
    query: ingestCommandsQuerySchema,
    problems: [400, 401, 503],
    permission: 'ingest',
    response: {
      status: 200,
      description: 'The commands',
      schema: z.object({ commands: z.array(ingestCommandSchema) }),
    },
    handler: async (ctx) => ({
      commands: await ctx.ingest!.commands({ worker: ctx.query.worker, queues: ctx.query.queues }),
    }),
  }),
  rawRoute({
    method: 'GET',
    path: '/metrics',
    operationId: 'prometheus',
    summary: 'Prometheus text exposition of the current snapshot',
    description:
      'Gauges `qadmin_queue_jobs{backend,queue,state}`, `qadmin_queue_paused{backend,queue}`, ' +
      '`qadmin_queue_workers{backend,queue}` and `qadmin_backend_up{backend}`.',
    tags: ['dashboard'],
    problems: [],
    response: {
      status: 200,
      description: 'Prometheus text format 0.0.4',
      schema: z.string(),
      contentType: 'text/plain; version=0.0.4',
    },
    handler: (ctx) => ctx.app.prometheus(ctx.visible),
  }),
] as const;

type AnyApiRoute = (typeof apiRoutes)[number];

/**
 * The `operationId` of every route.
 *
 * @example
 * ```ts
 * const id: ApiOperationId = 'listJobs';
 * ```
 */
export type ApiOperationId = AnyApiRoute['operationId'];

type RouteTypes<R> =
  R extends RouteBase<string, infer P, infer Q, infer B, infer S>
    ? {
        params: Out<P>;
        query: QueryParams<Q>;
        body: In<B>;
        response: S extends z.ZodType ? Out<S> : undefined;
      }
    : never;

/**
 * The types of one operation, derived from the route table: path `params`,
 * the `query` a client may send, the `body` it sends (before defaults) and
 * the `response` it receives (for `events`, the type of each event). The
 * typed client is written against these, so it cannot drift from the API.
 *
 * @example
 * ```ts
 * type Page = ApiOperation<'listJobs'>['response']; // ApiJobPage
 * type Query = ApiOperation<'listJobs'>['query'];
 * ```
 */
export type ApiOperation<Id extends ApiOperationId> = RouteTypes<
  Extract<AnyApiRoute, { operationId: Id }>
>;

// ---------------------------------------------------------------- matching

type Segment = string | { param: string };

/** A route with its path split for matching. */
export interface CompiledRoute {
  route: Route;
  segments: Segment[];
}

/**
 * Splits route paths for matching and checks that every `{name}` of a path is
 * a key of the route's `params` schema and the reverse.
 */
export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const segments: Segment[] = route.path
      .slice(1)
      .split('/')
      .map((part) =>
        part.startsWith('{') && part.endsWith('}') ? { param: part.slice(1, -1) } : part,
      );
    const names = segments.flatMap((s) => (typeof s === 'string' ? [] : [s.param]));
    const declared = Object.keys(route.params?.shape ?? {});
    if (names.length !== declared.length || names.some((n) => !declared.includes(n))) {
      throw new TypeError(`Route ${route.operationId}: path parameters and params schema differ`);
    }
    return { route, segments };
  });
}

/**
 * The routes whose path matches `path` (any method), each with its raw
 * (still URL-encoded) parameter values.
 */
export function matchRoutes(
  compiled: readonly CompiledRoute[],
  path: string,
): { route: Route; rawParams: Record<string, string> }[] {
  const parts = path.slice(1).split('/');
  const matches: { route: Route; rawParams: Record<string, string> }[] = [];
  for (const { route, segments } of compiled) {
    if (segments.length !== parts.length) continue;
    const rawParams: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const segment = segments[i]!;
      const part = parts[i]!;
      if (typeof segment === 'string') ok = segment === part;
      else if (part === '') ok = false;
      else rawParams[segment.param] = part;
    }
    if (ok) matches.push({ route, rawParams });
  }
  return matches;
}

/**
 * Decodes and validates path parameters; anything that is not a valid id
 * answers 404, naming what was not found (`queueId` -> queue).
 */
export function parseParams(route: Route, rawParams: Record<string, string>): unknown {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(rawParams)) {
    try {
      decoded[name] = decodeURIComponent(raw);
    } catch {
      throw notFound(name.replace(/Id$/, ''), raw);
    }
  }
  if (!route.params) return {};
  const result = route.params.safeParse(decoded);
  if (result.success) return result.data;
  const name = String(result.error.issues[0]?.path[0] ?? 'resource');
  throw notFound(name.replace(/Id$/, ''), decoded[name] ?? '');
}
