import type { AuditEntry, AuditQuery } from './audit';
import type { IngestEndpoint } from './ingest';
import type {
  AddJobInput,
  BackendEvent,
  BulkResult,
  Capabilities,
  Job,
  JobAction,
  JobLogPage,
  JobPage,
  ListJobsQuery,
  MetricSeries,
  MetricsQuery,
  QueueInfo,
  QueueStats,
  ResolvedBulkAction,
  Schedule,
  ScheduleInput,
  SearchJobsQuery,
  SearchPage,
  Worker,
} from './model';

/**
 * What a queue system must answer for the dashboard. Queues are named by
 * their backend-local name; the service namespaces them.
 *
 * Reads are batched where a dashboard asks for many queues at once
 * ({@link QueueBackend.getStats}, {@link QueueBackend.getWorkers}) so that a
 * Redis backend can pipeline and a SQL backend can `GROUP BY`.
 *
 * Errors: throw {@link QadminError}s (`notFound`, `conflict`, `invalidInput`,
 * `unavailable`) for expected failures; anything else is reported to clients
 * as a 500 without details.
 *
 * Optional methods belong to optional capabilities: the service only calls a
 * method when {@link Capabilities} declares it.
 *
 * @example
 * ```ts
 * import { defineBackend } from '@qadmin/core';
 * export const backend = defineBackend({ id: 'mine', kind: 'custom', capabilities, listQueues, getStats, ... });
 * ```
 */
export interface QueueBackend {
  /** Namespace of this backend's queues in the dashboard: `[a-z0-9_-]+`, unique per dashboard. */
  readonly id: string;
  /** What kind of system this is, for display (`memory`, `bullmq`, `pg-boss`, ...). */
  readonly kind: string;
  /** Human-readable label (a host, a database name); defaults to `id`. */
  readonly label?: string;
  /** What this backend supports for all its queues. */
  readonly capabilities: Capabilities;
  /** Capabilities of one queue where they differ from the backend's. */
  queueCapabilities?(queue: string): Capabilities | undefined;

  /** Every queue the backend knows now. Called once per refresh interval, not per viewer. */
  listQueues(): Promise<QueueInfo[]>;
  /** Counts, paused flag and worker count for many queues in one call. Unknown queues are omitted. */
  getStats(queues: readonly string[]): Promise<Record<string, QueueStats>>;
  /** A page of jobs in one state. Must never return more than `query.limit` jobs. */
  listJobs(queue: string, query: ListJobsQuery): Promise<JobPage>;
  /** Search with a bounded cost; required when `capabilities.search` is non-empty. */
  searchJobs?(queue: string, query: SearchJobsQuery): Promise<SearchPage>;
  /** One job, or `null` when the queue has no job with this id. */
  getJob(queue: string, id: string): Promise<Job | null>;
  /** Log lines of a job, oldest first. Required when `capabilities.logs`. */
  getJobLogs?(
    queue: string,
    id: string,
    page: { offset: number; limit: number },
  ): Promise<JobLogPage>;

  /**
   * Perform a single-job action. Returns the job after the action, the new job
   * for `duplicate`, or `null` when the job no longer exists (`remove`).
   * Throws `notFound` for an unknown job and `conflict` when the job's state
   * does not allow the action.
   */
  jobAction?(queue: string, id: string, action: JobAction): Promise<Job | null>;
  /** Add a job. Required when `capabilities.addJob`. */
  addJob?(queue: string, input: AddJobInput): Promise<Job>;
  /** Perform a queue-wide action and report how many jobs it touched. */
  bulkAction?(queue: string, action: ResolvedBulkAction): Promise<BulkResult>;

  /** Workers of the given queues (all queues when omitted). */
  getWorkers?(queues?: readonly string[]): Promise<Worker[]>;
  /** Schedules (repeatable jobs) of a queue. */
  listSchedules?(queue: string): Promise<Schedule[]>;
  /** Create or replace a schedule. */
  upsertSchedule?(queue: string, input: ScheduleInput): Promise<Schedule>;
  /** Remove a schedule; throws `notFound` when there is none with that id. */
  removeSchedule?(queue: string, id: string): Promise<void>;
  /** Throughput and durations of a queue, bucketed, with no gaps. */
  getMetrics?(queue: string, query: MetricsQuery): Promise<MetricSeries>;

  /**
   * Store one audit entry, dropping the oldest beyond the backend's cap.
   * Required when `capabilities.audit`. When a backend has no store, the
   * service keeps its queues' entries in an in-process ring of
   * {@link DEFAULT_AUDIT_CAP} entries instead (lost on restart, not shared by
   * several dashboard instances), and also while this method fails, so no
   * entry is dropped silently.
   */
  appendAudit?(entry: AuditEntry): Promise<void>;
  /**
   * Stored audit entries older than `query.before` (epoch ms, exclusive; the
   * newest when absent), newest first, at most `query.limit`. Required when
   * `capabilities.audit`.
   */
  listAudit?(query: AuditQuery): Promise<AuditEntry[]>;

  /**
   * Takes events from workers (`api/ingest/*`), for backends fed by events
   * rather than read from a queue's own store. Requests carry the backend's
   * own ingest tokens, never a dashboard login.
   */
  readonly ingest?: IngestEndpoint;

  /** Receive changes as they happen. Returns a function that stops the subscription. */
  subscribe?(listener: (event: BackendEvent) => void): () => void;
  /** Release connections and timers the backend owns. */
  close?(): Promise<void>;
}

/**
 * Identity helper that type-checks a backend object literal against
 * {@link QueueBackend} and validates its id at run time.
 *
 * @example
 * ```ts
 * const backend = defineBackend({
 *   id: 'jobs', kind: 'custom', capabilities,
 *   async listQueues() { return [{ name: 'default' }]; },
 *   async getStats(queues) { return Object.fromEntries(queues.map((q) => [q, { counts: {}, paused: false, workers: null }])); },
 *   async listJobs() { return { jobs: [], nextCursor: null, total: 0 }; },
 *   async getJob() { return null; },
 * });
 * ```
 */
export function defineBackend<T extends QueueBackend>(backend: T): T {
  assertBackendId(backend.id);
  return backend;
}

const BACKEND_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Throws when `id` cannot be used as a backend id (lower-case letters, digits,
 * `-` and `_`, at most 64 characters).
 *
 * @example
 * ```ts
 * assertBackendId('redis-main'); // ok
 * ```
 */
export function assertBackendId(id: string): void {
  if (!BACKEND_ID.test(id)) {
    throw new TypeError(
      `Invalid backend id ${JSON.stringify(id)}: use lower-case letters, digits, "-" and "_" (at most 64)`,
    );
  }
}
