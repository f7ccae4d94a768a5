/**
 * The memory backend's side of the QueueBackend seam. If you are writing a
 * backend for another queue system, this file is the one to read: each
 * method below is what the dashboard calls, with the rules it expects (which
 * states allow which action, what is a 404 and what a 409, how pages and
 * search are bounded). The queue itself lives in `engine.ts`; a backend over
 * Redis or SQL would put a client where this one puts the engine.
 */
import {
  type AddJobInput,
  type AuditEntry,
  type AuditQuery,
  AuditRing,
  assertBackendId,
  type BackendEvent,
  BULK_ACTIONS,
  type BulkResult,
  type Capabilities,
  conflict,
  invalidInput,
  JOB_ACTIONS,
  type Job,
  type JobAction,
  type JobLogPage,
  type JobPage,
  type ListJobsQuery,
  type MetricSeries,
  type MetricsQuery,
  notFound,
  type QueueBackend,
  type QueueInfo,
  type QueueStats,
  type ResolvedBulkAction,
  type Schedule,
  type ScheduleInput,
  SEARCH_FIELDS,
  type SearchJobsQuery,
  type SearchPage,
  unsupported,
  type Worker,
} from '@qadmin/core';
import { decodeCursor, encodeCursor } from './cursor';
import { type EngineHost, QueueEngine } from './engine';
import { optionsFromRecord } from './options';
import { MemoryQueue } from './queue';
import { type JobRecord, MEMORY_STATES, RETRY_STATES } from './records';
import type { AddOptions, FlowJob, FlowNode } from './types';

const DAY_MS = 86_400_000;

/**
 * Options of {@link createMemoryBackend}.
 *
 * @example
 * ```ts
 * const backend = createMemoryBackend({ id: 'demo', label: 'Demo workload', metricsRetentionMs: 3_600_000 });
 * ```
 */
export interface MemoryBackendOptions {
  /** Backend id in the dashboard (`[a-z0-9_-]+`); default `memory`. */
  id?: string;
  /** Label shown in the dashboard; defaults to the id. */
  label?: string;
  /**
   * The clock for job timestamps, delays, schedules and metrics (default
   * `Date.now`). Tests can pass their own and call {@link MemoryBackend.tick}
   * to apply due delays and schedules without waiting for real timers.
   */
  now?: () => number;
  /** How long per-minute metrics are kept; default 7 days. */
  metricsRetentionMs?: number;
  /** How many audit entries are kept; the oldest make room. Default 10,000. */
  auditCap?: number;
}

/**
 * Everything the memory backend supports: every capability of the seam.
 *
 * @example
 * ```ts
 * import { MEMORY_CAPABILITIES } from '@qadmin/backend-memory';
 * console.log(MEMORY_CAPABILITIES.jobActions.length); // 10
 * ```
 */
export const MEMORY_CAPABILITIES: Capabilities = deepFreeze({
  states: [...MEMORY_STATES],
  jobActions: [...JOB_ACTIONS],
  addJob: true,
  bulkActions: [...BULK_ACTIONS],
  retryAllStates: [...RETRY_STATES],
  // Every state but active: a running job is cancelled, not cleaned (QueueEngine.clean).
  cleanStates: MEMORY_STATES.filter((state) => state !== 'active'),
  search: [...SEARCH_FIELDS],
  offsetPagination: true,
  jobNames: true,
  logs: true,
  workers: true,
  schedules: { read: true, write: true, intervals: true, multiple: true },
  metrics: true,
  events: true,
  flows: true,
  audit: true,
});

/**
 * The in-process queue backend: a real job queue (processors with
 * concurrency, retries with backoff, delays, priorities, flows, cron and
 * interval schedules, progress, logs, metrics) that implements every method
 * of {@link QueueBackend}. It is the dashboard's embedded default, the backend
 * tests run against, and the reference to read before writing a backend.
 *
 * Apps add and process jobs through {@link MemoryBackend.queue}; the
 * dashboard talks to the `QueueBackend` methods.
 *
 * @example
 * ```ts
 * import { AdminService } from '@qadmin/core';
 * import { createMemoryBackend } from '@qadmin/backend-memory';
 *
 * const backend = createMemoryBackend();
 * backend.queue('emails').process('send', async (job) => ({ sent: job.data.to }));
 * backend.queue('emails').add('send', { to: 'a@example.com' });
 * const service = new AdminService({ backends: [backend] });
 * ```
 */
export class MemoryBackend implements QueueBackend {
  readonly id: string;
  readonly kind = 'memory';
  readonly label: string;
  readonly capabilities: Capabilities = structuredClone(MEMORY_CAPABILITIES);

  readonly #now: () => number;
  readonly #engines = new Map<string, QueueEngine>();
  readonly #queues = new Map<string, MemoryQueue>();
  readonly #listeners = new Set<(event: BackendEvent) => void>();
  readonly #host: EngineHost;
  readonly #audit: AuditRing;
  #seq = 0;
  #workerCounter = 0;
  #closed = false;

  /** @internal Use {@link createMemoryBackend}. */
  constructor(options: MemoryBackendOptions = {}) {
    this.id = options.id ?? 'memory';
    assertBackendId(this.id);
    this.label = options.label ?? this.id;
    const now = options.now ?? (() => Date.now());
    this.#now = now;
    const retention = options.metricsRetentionMs ?? 7 * DAY_MS;
    if (!(retention > 0)) throw new RangeError('metricsRetentionMs must be positive');
    this.#audit = new AuditRing(options.auditCap);
    this.#host = {
      now,
      metricsRetentionMs: retention,
      nextSeq: () => ++this.#seq,
      emit: (event) => this.#emit(event),
      engine: (name) => this.#engines.get(name),
      engineOrCreate: (name) => this.#engineFor(name),
      workerId: (queue, wanted) => this.#workerId(queue, wanted),
    };
  }

  // ------------------------------------------------------------ app API

  /**
   * The queue with this name, created on first use (and then listed by the
   * dashboard).
   *
   * @example
   * ```ts
   * const emails = backend.queue('emails');
   * emails.add('send', { to: 'a@example.com' });
   * ```
   */
  queue(name: string): MemoryQueue {
    this.#engineFor(name);
    return this.#queues.get(name)!;
  }

  /**
   * True when the backend has a queue with this name.
   *
   * @example
   * ```ts
   * if (!backend.hasQueue('emails')) console.log('no emails yet');
   * ```
   */
  hasQueue(name: string): boolean {
    return this.#engines.has(name);
  }

  /**
   * Adds a flow whose root is in `flow.queue`; children default to their
   * parent's queue.
   *
   * @example
   * ```ts
   * backend.addFlow({ queue: 'reports', name: 'render', children: [{ queue: 'data', name: 'fetch' }] });
   * ```
   */
  addFlow(flow: FlowJob & { queue: string }): FlowNode {
    return this.queue(flow.queue).addFlow(flow);
  }

  /**
   * Applies what the timers would apply by now (by the backend's clock):
   * moves due delayed jobs to waiting and runs due schedules. Timers do this
   * on their own; call it when you drive the clock yourself.
   *
   * @example
   * ```ts
   * let t = 0;
   * const backend = createMemoryBackend({ now: () => t });
   * backend.queue('q').add('later', {}, { delayMs: 5000 });
   * t = 5000;
   * backend.tick(); // the job is waiting now
   * ```
   */
  tick(): void {
    for (const engine of this.#engines.values()) engine.tick();
  }

  /**
   * The backend's clock.
   *
   * @example
   * ```ts
   * const createdAt = backend.now();
   * ```
   */
  now(): number {
    return this.#now();
  }

  // ------------------------------------------------------ QueueBackend: reads

  /** Every queue, by name. Called once per refresh interval, so it may cost a scan. */
  async listQueues(): Promise<QueueInfo[]> {
    return [...this.#engines.keys()].sort().map((name) => ({ name }));
  }

  /**
   * Counts for many queues in one call. The counts come from per-state
   * indexes (`size` of a sorted list), so this is O(queues × states)
   * whatever the number of jobs. Unknown queues are left out.
   */
  async getStats(queues: readonly string[]): Promise<Record<string, QueueStats>> {
    const stats: Record<string, QueueStats> = {};
    for (const name of queues) {
      const engine = this.#engines.get(name);
      if (!engine) continue;
      stats[name] = {
        counts: engine.counts(),
        paused: engine.paused,
        workers: engine.workerCount(),
      };
    }
    return stats;
  }

  /**
   * A page of one state in creation order. The cursor is a keyset position
   * (`createdAt`, sequence) of the last job returned, so pages stay stable
   * while jobs come and go; `offset` skips jobs after the cursor (or from the
   * start). `total` is exact and O(1), also when filtered by name.
   */
  async listJobs(queue: string, query: ListJobsQuery): Promise<JobPage> {
    const engine = this.#existing(queue);
    const limit = pageLimit(query.limit, 'query.limit');
    const offset = query.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) {
      throw invalidInput('query.offset', 'must be a non-negative integer');
    }
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const page: JobRecord[] = [];
    let more = false;
    for (const job of engine.walk(query.state, query.name, query.order, after, offset)) {
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(job);
    }
    const last = page[page.length - 1];
    return {
      jobs: page.map((job) => engine.snapshot(job)),
      nextCursor: more && last ? encodeCursor(last) : null,
      total: engine.count(query.state, query.name),
    };
  }

  /**
   * Case-insensitive substring search in the job name, the data as JSON
   * text, or the failure reason and stack traces. Looks at no more than
   * `scanLimit` jobs per call; `nextCursor` continues after the last job
   * looked at, whether or not it matched.
   */
  async searchJobs(queue: string, query: SearchJobsQuery): Promise<SearchPage> {
    const engine = this.#existing(queue);
    const limit = pageLimit(query.limit, 'query.limit');
    const scanLimit = pageLimit(query.scanLimit, 'query.scanLimit');
    const needle = query.text.toLowerCase();
    const fields = new Set(query.fields);
    const matches = (job: JobRecord): boolean =>
      (fields.has('name') && job.name.toLowerCase().includes(needle)) ||
      (fields.has('data') && job.dataJson.toLowerCase().includes(needle)) ||
      (fields.has('error') &&
        ((job.failedReason ?? '').toLowerCase().includes(needle) ||
          job.stacktrace.some((stack) => stack.toLowerCase().includes(needle))));

    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const candidates = engine.walk(query.state, undefined, query.order, after, 0);
    const hits: JobRecord[] = [];
    let scanned = 0;
    let last: JobRecord | undefined;
    let exhausted = false;
    while (hits.length < limit && scanned < scanLimit) {
      const next = candidates.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      scanned++;
      last = next.value;
      if (matches(last)) hits.push(last);
    }
    if (!exhausted) exhausted = candidates.next().done === true;
    return {
      jobs: hits.map((job) => engine.snapshot(job)),
      nextCursor: !exhausted && last ? encodeCursor(last) : null,
      total: null,
      scanned,
      exhausted,
    };
  }

  /** One job, or `null`; an unknown queue is a 404 rather than `null`. */
  async getJob(queue: string, id: string): Promise<Job | null> {
    const engine = this.#existing(queue);
    const job = engine.jobs.get(id);
    return job ? engine.snapshot(job) : null;
  }

  /** A slice of a job's log, oldest first, with the total number of lines. */
  async getJobLogs(
    queue: string,
    id: string,
    page: { offset: number; limit: number },
  ): Promise<JobLogPage> {
    const lines = this.#existing(queue).logs(id);
    return {
      lines: lines.slice(page.offset, page.offset + page.limit).map((line) => ({ ...line })),
      total: lines.length,
    };
  }

  // --------------------------------------------------- QueueBackend: actions

  /**
   * One job action. Unknown job: `notFound`. A state that does not allow the
   * action: `conflict` with the reason. Returns the job after the action,
   * the new job for `duplicate`, `null` for `remove`.
   */
  async jobAction(queue: string, id: string, action: JobAction): Promise<Job | null> {
    const engine = this.#existing(queue);
    const snap = (job: JobRecord) => engine.snapshot(job);
    switch (action.type) {
      case 'retry':
        return snap(engine.retry(id));
      case 'remove':
        engine.remove(id);
        return null;
      case 'promote':
        return snap(engine.promote(id));
      case 'cancel':
        return snap(engine.cancel(id));
      case 'discard':
        return snap(engine.discard(id));
      case 'update-data':
        return snap(engine.updateData(id, action.data));
      case 'change-delay':
        return snap(engine.changeDelay(id, action.delayMs));
      case 'change-priority':
        return snap(engine.changePriority(id, action.priority));
      case 'duplicate':
        return snap(engine.duplicate(id));
      case 'complete':
        return snap(engine.markCompleted(id, action.returnValue));
      default:
        throw unsupported((action as { type: string }).type);
    }
  }

  /**
   * Adds a job from the dashboard. The queue is created if needed; an
   * existing `jobId` is a `conflict` (unlike {@link MemoryQueue.add}, which
   * returns the existing job the way queue libraries do).
   */
  async addJob(queue: string, input: AddJobInput): Promise<Job> {
    const engine = this.#engineFor(queue);
    const opts: AddOptions = optionsFromRecord(input.options);
    if (input.delayMs !== undefined) opts.delayMs = input.delayMs;
    if (input.priority !== undefined) opts.priority = input.priority;
    if (input.attempts !== undefined) opts.attempts = input.attempts;
    if (input.jobId !== undefined) opts.jobId = input.jobId;
    // The service asks for a name (this backend declares jobNames); a direct caller may not.
    if (input.name === undefined) throw invalidInput('body.name', 'is required');
    return engine.snapshot(engine.add(input.name, input.data, opts, 'conflict', 'body'));
  }

  /** A queue-wide action; `affected` counts jobs (0 for pause and resume). */
  async bulkAction(queue: string, action: ResolvedBulkAction): Promise<BulkResult> {
    const engine = this.#existing(queue);
    switch (action.type) {
      case 'retry-all':
        return { affected: engine.retryAll(action.state) };
      case 'promote-all':
        return { affected: engine.promoteAll() };
      case 'clean':
        return { affected: engine.clean(action.state, action.olderThanMs, action.limit) };
      case 'empty':
        return { affected: engine.empty() };
      case 'pause':
        engine.pause();
        return { affected: 0 };
      case 'resume':
        engine.resume();
        return { affected: 0 };
      case 'obliterate': {
        const affected = engine.obliterate();
        this.#engines.delete(queue);
        this.#queues.delete(queue);
        this.#emit({ type: 'queues-changed' });
        return { affected };
      }
      default:
        throw unsupported((action as { type: string }).type);
    }
  }

  // --------------------------------------- QueueBackend: workers, schedules

  /**
   * Registered processors, plus manual workers (a `takeNext` caller that gave
   * a `workerId`) while they hold active jobs. A manual worker holding jobs
   * of several queues is listed once.
   */
  async getWorkers(queues?: readonly string[]): Promise<Worker[]> {
    const names = queues ?? [...this.#engines.keys()];
    const byId = new Map<string, Worker>();
    for (const name of names) {
      for (const worker of this.#engines.get(name)?.workers() ?? []) {
        const seen = byId.get(worker.id);
        if (!seen) {
          byId.set(worker.id, worker);
          continue;
        }
        seen.queues.push(...worker.queues);
        seen.activeJobs = (seen.activeJobs ?? 0) + (worker.activeJobs ?? 0);
        seen.lastSeenAt = Math.max(seen.lastSeenAt ?? 0, worker.lastSeenAt ?? 0);
      }
    }
    return [...byId.values()];
  }

  async listSchedules(queue: string): Promise<Schedule[]> {
    return this.#existing(queue).schedules();
  }

  /** Creates or replaces a schedule; `nextRunAt` comes from croner (cron) or `now + everyMs`. */
  async upsertSchedule(queue: string, input: ScheduleInput): Promise<Schedule> {
    const engine = this.#engineFor(queue);
    return engine.scheduleSnapshot(engine.upsertSchedule(input));
  }

  async removeSchedule(queue: string, id: string): Promise<void> {
    this.#existing(queue).removeSchedule(id);
  }

  /**
   * Per-minute counts and duration samples re-bucketed to `bucketMs`, one
   * bucket per step from `from` to `to`, empty buckets included.
   */
  async getMetrics(queue: string, query: MetricsQuery): Promise<MetricSeries> {
    return this.#existing(queue).metrics.series(query.from, query.to, query.bucketMs);
  }

  // ------------------------------------------------- QueueBackend: lifecycle

  /** Every job state change, progress update, pause/resume and queue list change. */
  subscribe(listener: (event: BackendEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Keeps the entry in a ring of `auditCap` entries (in process: gone on restart). */
  async appendAudit(entry: AuditEntry): Promise<void> {
    this.#audit.append(structuredClone(entry));
  }

  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#audit.list(query).map((entry) => structuredClone(entry));
  }

  /** Closes every queue (processors, timers, schedules) and drops the subscribers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const engine of this.#engines.values()) engine.close();
    this.#listeners.clear();
  }

  // ---------------------------------------------------------------- internals

  #existing(name: string): QueueEngine {
    const engine = this.#engines.get(name);
    if (!engine) throw notFound('queue', name);
    return engine;
  }

  #engineFor(name: string): QueueEngine {
    const existing = this.#engines.get(name);
    if (existing) return existing;
    if (this.#closed) throw conflict(`Backend ${this.id} is closed`);
    if (typeof name !== 'string' || name.length === 0) {
      throw invalidInput('queue', 'must be a non-empty string');
    }
    const engine = new QueueEngine(name, this.#host);
    this.#engines.set(name, engine);
    this.#queues.set(name, new MemoryQueue(engine));
    this.#emit({ type: 'queues-changed' });
    return engine;
  }

  #workerId(queue: string, wanted: string | undefined): string {
    const taken = (id: string) => [...this.#engines.values()].some((e) => e.hasWorker(id));
    if (wanted !== undefined) {
      if (typeof wanted !== 'string' || wanted.length === 0 || taken(wanted)) {
        throw invalidInput('id', `worker id ${JSON.stringify(wanted)} is empty or already used`);
      }
      return wanted;
    }
    let id: string;
    do {
      id = `${queue}-worker-${++this.#workerCounter}`;
    } while (taken(id));
    return id;
  }

  #emit(event: BackendEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // A subscriber's bug must not corrupt a state change half done.
        console.error('[qadmin/backend-memory] event listener threw', err);
      }
    }
  }
}

/**
 * Creates an in-process queue backend.
 *
 * @example
 * ```ts
 * import { createMemoryBackend } from '@qadmin/backend-memory';
 *
 * const backend = createMemoryBackend({ id: 'jobs' });
 * const queue = backend.queue('images');
 * queue.process('resize', async (job) => resize(job.data), { concurrency: 4 });
 * queue.add('resize', { url: 'https://example.com/a.png' }, { attempts: 3 });
 * ```
 */
export function createMemoryBackend(options: MemoryBackendOptions = {}): MemoryBackend {
  return new MemoryBackend(options);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function pageLimit(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw invalidInput(field, 'must be an integer >= 1');
  return value;
}
