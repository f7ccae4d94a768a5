/**
 * `createCollectorBackend`: a QueueBackend over the events workers report,
 * for any queue system qadmin does not read natively.
 */
import {
  type AuditEntry,
  type AuditQuery,
  type BackendEvent,
  type BulkResult,
  type Capabilities,
  conflict,
  DEFAULT_AUDIT_CAP,
  decodeCursor,
  defineBackend,
  emptyMinuteMetrics,
  encodeCursor,
  type IngestEndpoint,
  type IngestResult,
  type Job,
  type JobAction,
  type JobLogPage,
  type JobPage,
  type JobState,
  type ListJobsQuery,
  METRICS_RESOLUTION_MS,
  type MetricSeries,
  type MetricsQuery,
  type MinuteMetrics,
  metricSeries,
  notFound,
  type QueueBackend,
  type QueueInfo,
  type QueueStats,
  type ResolvedBulkAction,
  type SearchJobsQuery,
  type SearchPage,
  tokenMatcher,
  unsupported,
  type Worker,
} from '@qadmin/core';
import type { CollectorEventInput } from './events';
import type { JobRow } from './fold';
import { CollectorStore, type StoreChange, type WorkerRow, yieldToRequests } from './store';

/**
 * Options of {@link createCollectorBackend}.
 *
 * @example
 * ```ts
 * const options: CollectorOptions = { file: './qadmin-events.db', ingestTokens: [process.env.QADMIN_INGEST_TOKEN!] };
 * ```
 */
export interface CollectorOptions {
  /** The SQLite file (created with its folder when missing); `:memory:` for a throwaway store. */
  file: string;
  /** Tokens workers send as `Authorization: Bearer` (each at least 24 characters). None: only `record()` in process. */
  ingestTokens?: readonly string[];
  /** Backend id in the dashboard. Default `collector`. */
  id?: string;
  /** Label shown in the dashboard. Default: the file name. */
  label?: string;
  /** A running job whose worker has not sent a heartbeat for this long is abandoned. Default 30,000 ms. */
  heartbeatTimeoutMs?: number;
  /** How often abandoned and due jobs are looked for. Default 5,000 ms. */
  sweepIntervalMs?: number;
  /** Retention of finished jobs (completed, failed, cancelled, abandoned) with their events. */
  retention?: {
    /** Drop finished jobs not touched for this long. Default 7 days. */
    maxAgeMs?: number;
    /** Keep at most this many jobs in the whole store, dropping the oldest finished ones. Default 1,000,000. */
    maxJobs?: number;
    /** How often retention runs. Default 60,000 ms. */
    intervalMs?: number;
  };
  /** Workers not heard from for this long are forgotten. Default 24 hours. */
  forgetWorkersAfterMs?: number;
  /** Most audit entries kept. Default {@link DEFAULT_AUDIT_CAP}. */
  auditCap?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * The collector backend: a {@link QueueBackend} with an `ingest` endpoint,
 * plus `record()` for events reported in process and `runRetention()`.
 *
 * @example
 * ```ts
 * const collector = createCollectorBackend({ file: ':memory:' });
 * collector.record([{ id: 'a-1', type: 'queued', time: Date.now(), queue: 'emails', jobId: '1' }]);
 * ```
 */
export interface CollectorBackend extends QueueBackend {
  readonly ingest: IngestEndpoint;
  /** Validates and stores events reported in process: the same rules as `POST api/ingest/events`. */
  record(events: readonly CollectorEventInput[] | CollectorEventInput): IngestResult;
  /** Runs retention once now (it also runs on its own timer); resolves with the jobs dropped. */
  runRetention(): Promise<number>;
  /** Looks for abandoned and due jobs now (it also runs on its own timer). */
  sweep(): void;
  /** The store, for tests and tools that need SQL. */
  readonly store: CollectorStore;
}

const STATES: JobState[] = [
  'waiting',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
  'abandoned',
];

const CAPABILITIES: Capabilities = {
  states: STATES,
  jobActions: ['retry', 'cancel', 'remove'],
  addJob: false,
  bulkActions: ['retry-all', 'clean', 'obliterate'],
  retryAllStates: ['failed', 'abandoned', 'cancelled'],
  cleanStates: ['completed', 'failed', 'cancelled', 'abandoned'],
  search: ['name', 'data', 'error'],
  offsetPagination: false,
  jobNames: true,
  logs: true,
  workers: true,
  schedules: { read: false, write: false, intervals: false, multiple: false },
  metrics: true,
  events: true,
  flows: false,
  audit: true,
};

const CURSOR = 'c1.';
/** The full-text index catches up this often, and this many jobs per transaction. */
const TEXT_INDEX_INTERVAL_MS = 250;
const TEXT_INDEX_BATCH = 5_000;
/** Most events of a job's timeline shown with it. */
const TIMELINE_LIMIT = 100;
const SEARCH_CURSOR = 's1.';

/** A cursor's position: `length` finite numbers. */
const numbers =
  (length: number) =>
  (position: unknown[]): number[] | undefined =>
    position.length === length && position.every((n) => typeof n === 'number' && Number.isFinite(n))
      ? (position as number[])
      : undefined;

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toJob(row: JobRow): Job {
  const progress = parseJson(row.progress);
  const waitMs = row.started_at === null ? null : Math.max(0, row.started_at - row.created_at);
  const runMs =
    row.started_at === null || row.finished_at === null
      ? null
      : Math.max(0, row.finished_at - row.started_at);
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    nativeState: row.native,
    data: parseJson(row.data),
    options: {
      ...(row.attempts_allowed === null ? {} : { attempts: row.attempts_allowed }),
      ...(waitMs === null ? {} : { waitMs }),
      ...(runMs === null ? {} : { runMs }),
      ...(row.pending === null ? {} : { pendingCommand: row.pending }),
    },
    progress:
      typeof progress === 'number' || (typeof progress === 'object' && progress !== null)
        ? (progress as Job['progress'])
        : null,
    // The latest attempt counts once it got past being queued.
    attemptsMade: row.d_step === 0 && row.d_attempt === row.attempt ? row.attempt - 1 : row.attempt,
    attemptsAllowed: row.attempts_allowed,
    priority: row.priority,
    createdAt: row.created_at,
    delayedUntil: row.state === 'delayed' ? row.delay_until : null,
    processedAt: row.started_at,
    finishedAt: row.finished_at,
    returnValue: parseJson(row.result),
    failedReason: row.error,
    stacktrace: row.stack === null ? [] : [row.stack],
    parent:
      row.parent_queue === null || row.parent_id === null
        ? null
        : { queue: row.parent_queue, id: row.parent_id },
    children: [],
    workerId: row.worker,
  };
}

/** One line of a job's timeline, from a stored event. */
function timelineLine(event: Record<string, any>): string {
  const attempt = event.attempt ? ` (attempt ${event.attempt})` : '';
  const worker = event.worker ? ` on ${event.worker}` : '';
  switch (event.type) {
    case 'queued':
      return `queued${event.delayUntil ? ` until ${new Date(event.delayUntil).toISOString()}` : ''}${attempt}`;
    case 'started':
      return `started${attempt}${worker}`;
    case 'progress':
      return `progress ${JSON.stringify(event.progress)}${attempt}`;
    case 'log':
      return `log: ${String(event.message)}`;
    case 'completed':
      return `completed${attempt}${worker}`;
    case 'failed':
      return `failed${attempt}: ${event.error?.message ?? ''}${event.willRetry ? ' (will retry)' : ''}`;
    case 'cancelled':
      return `cancelled${attempt}${event.reason ? `: ${event.reason}` : ''}`;
    default:
      return String(event.type);
  }
}

/** A phrase for FTS5 whose last word may be the start of a word. */
function ftsPhrase(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  return `"${words.join(' ')}" *`;
}

/**
 * Creates the collector backend over a SQLite file: workers report their
 * jobs (over HTTP with `@qadmin/reporter`, or in process with `record()`) and
 * the dashboard shows them beside native backends. Retry and cancel travel to
 * workers as commands; remove and clean act on the store.
 *
 * @example
 * ```ts
 * import { createAdmin } from '@qadmin/core';
 * import { createCollectorBackend } from '@qadmin/backend-collector';
 *
 * const collector = createCollectorBackend({
 *   file: './data/qadmin-events.db',
 *   ingestTokens: [process.env.QADMIN_INGEST_TOKEN!],
 * });
 * const admin = createAdmin({ backends: [collector], auth });
 * ```
 */
export function createCollectorBackend(options: CollectorOptions): CollectorBackend {
  const store = new CollectorStore(options.file, options.now ? { now: options.now } : {});
  const accepts = tokenMatcher(options.ingestTokens ?? []);
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 30_000;
  const maxAgeMs = options.retention?.maxAgeMs ?? 7 * 24 * 3_600_000;
  const maxJobs = options.retention?.maxJobs ?? 1_000_000;
  const forgetWorkersAfterMs = options.forgetWorkersAfterMs ?? 24 * 3_600_000;
  const auditCap = options.auditCap ?? DEFAULT_AUDIT_CAP;
  const startedAt = store.now;
  const listeners = new Set<(event: BackendEvent) => void>();
  let closed = false;
  let retaining: Promise<number> | null = null;
  const db = store.db;

  const statements = {
    queues: db.prepare<[], { name: string }>('SELECT name FROM queues ORDER BY name'),
    counts: db.prepare<[], { queue: string; state: JobState; n: number }>(
      'SELECT queue, state, n FROM counts WHERE n > 0',
    ),
    workersOf: db.prepare<[number], WorkerRow>(
      'SELECT * FROM workers WHERE stopping = 0 AND last_seen >= ? ORDER BY id',
    ),
    logs: db.prepare<[string, string, number, number], { body: string; time: number }>(
      "SELECT body, time FROM events WHERE queue = ? AND job_id = ? AND type = 'log' ORDER BY time, seq LIMIT ? OFFSET ?",
    ),
    logCount: db.prepare<[string, string], { n: number }>(
      "SELECT count(*) AS n FROM events WHERE queue = ? AND job_id = ? AND type = 'log'",
    ),
    timeline: db.prepare<[string, string, number], { body: string }>(
      'SELECT body FROM events WHERE queue = ? AND job_id = ? ORDER BY time, seq LIMIT ?',
    ),
  };

  function emit(changes: readonly StoreChange[]): void {
    if (listeners.size === 0) return;
    for (const change of changes) {
      const event: BackendEvent = { type: 'job', ...change };
      for (const listener of listeners) listener(event);
    }
  }

  function knownQueue(queue: string): void {
    const row = db.prepare('SELECT 1 FROM queues WHERE name = ?').get(queue);
    if (!row) throw notFound('queue', queue);
  }

  function page(queue: string, query: ListJobsQuery): JobPage {
    const newest = query.order === 'newest';
    const cmp = newest ? '<' : '>';
    const dir = newest ? 'DESC' : 'ASC';
    const params: unknown[] = [queue];
    let where = 'queue = ?';
    if (query.name !== undefined) {
      where += ' AND name = ?';
      params.push(query.name);
    }
    where += ' AND state = ?';
    params.push(query.state);
    if (query.cursor) {
      const [createdAt, seq] = decodeCursor(CURSOR, query.cursor, numbers(2)) as [number, number];
      where += ` AND (created_at, seq) ${cmp} (?, ?)`;
      params.push(createdAt, seq);
    }
    params.push(query.limit + 1);
    const rows = db
      .prepare<unknown[], JobRow>(
        `SELECT * FROM jobs WHERE ${where} ORDER BY created_at ${dir}, seq ${dir} LIMIT ?`,
      )
      .all(...params);
    const more = rows.length > query.limit;
    if (more) rows.pop();
    const last = rows.at(-1);
    const total =
      query.name === undefined
        ? ((
            db
              .prepare('SELECT n FROM counts WHERE queue = ? AND state = ?')
              .get(queue, query.state) as { n: number } | undefined
          )?.n ?? 0)
        : null;
    return {
      jobs: rows.map(toJob),
      nextCursor: more && last ? encodeCursor(CURSOR, [last.created_at, last.seq]) : null,
      total,
    };
  }

  /**
   * Search in bounded windows: full-text hits from the FTS index and a scan
   * of names, each looking at no more than `scanLimit` jobs past the cursor
   * (in job order, `seq`). A hit is only returned when every source has looked
   * that far, so resuming from the cursor never skips one.
   */
  function search(queue: string, query: SearchJobsQuery): SearchPage {
    const newest = query.order === 'newest';
    const dir = newest ? 'DESC' : 'ASC';
    const after = query.cursor ? decodeCursor(SEARCH_CURSOR, query.cursor, numbers(1))[0]! : null;
    const beyond = (column: string) =>
      after === null ? '' : `AND ${column} ${newest ? '<' : '>'} ?`;
    // Candidates are matched on (seq, queue, state, name) only; whole rows, data and all, are
    // read for the page returned, not for every job looked at.
    const sources: { seqs: number[]; hits: number[] }[] = [];
    const inText = query.fields.filter((f) => f !== 'name');
    const phrase = ftsPhrase(query.text);
    if (inText.length > 0 && phrase !== null) {
      const columns = inText.length === 2 ? '{data error}' : `{${inText[0]}}`;
      const params: unknown[] = [`${columns} : ${phrase}`];
      if (after !== null) params.push(after);
      params.push(query.scanLimit);
      const seqs = db
        .prepare<unknown[], { seq: number }>(
          `SELECT rowid AS seq FROM jobs_fts WHERE jobs_fts MATCH ? ${beyond('rowid')} ORDER BY rowid ${dir} LIMIT ?`,
        )
        .all(...params)
        .map((r) => r.seq);
      const hits =
        seqs.length === 0
          ? []
          : db
              .prepare<[string, string, string], { seq: number }>(
                // CROSS JOIN keeps SQLite from scanning the (queue, state) index for the few hits.
                'SELECT j.seq AS seq FROM json_each(?) e CROSS JOIN jobs j ON j.seq = e.value WHERE j.queue = ? AND j.state = ?',
              )
              .all(JSON.stringify(seqs), queue, query.state)
              .map((r) => r.seq);
      sources.push({ seqs, hits });
    }
    if (query.fields.includes('name')) {
      const params: unknown[] = [queue, query.state];
      if (after !== null) params.push(after);
      params.push(query.scanLimit);
      const scanned = db
        .prepare<unknown[], { seq: number; name: string }>(
          `SELECT seq, name FROM jobs WHERE queue = ? AND state = ? ${beyond('seq')} ORDER BY seq ${dir} LIMIT ?`,
        )
        .all(...params);
      const needle = query.text.toLowerCase();
      sources.push({
        seqs: scanned.map((r) => r.seq),
        hits: scanned.filter((r) => r.name.toLowerCase().includes(needle)).map((r) => r.seq),
      });
    }
    // How far every source that stopped at its limit has looked.
    let edge: number | null = null;
    for (const source of sources) {
      if (source.seqs.length < query.scanLimit) continue;
      const last = source.seqs.at(-1)!;
      edge = edge === null ? last : newest ? Math.max(edge, last) : Math.min(edge, last);
    }
    const within = (seq: number) => edge === null || (newest ? seq >= edge : seq <= edge);
    const hits = new Set<number>();
    for (const source of sources) {
      for (const seq of source.hits) if (within(seq)) hits.add(seq);
    }
    const ordered = [...hits].sort((a, b) => (newest ? b - a : a - b));
    const shown = ordered.slice(0, query.limit);
    const next = ordered.length > query.limit ? shown.at(-1)! : edge;
    const rows = new Map(
      db
        .prepare<[string], JobRow>(
          'SELECT * FROM jobs WHERE seq IN (SELECT value FROM json_each(?))',
        )
        .all(JSON.stringify(shown))
        .map((row) => [row.seq!, row]),
    );
    return {
      jobs: shown.flatMap((seq) => {
        const row = rows.get(seq);
        return row ? [toJob(row)] : [];
      }),
      nextCursor: next === null ? null : encodeCursor(SEARCH_CURSOR, [next]),
      total: null,
      scanned: sources.reduce((n, s) => n + s.seqs.length, 0),
      exhausted: next === null,
    };
  }

  function minutes(queue: string, from: number, to: number): MinuteMetrics[] {
    const counts = db
      .prepare<[Record<string, string | number>], { minute: number; state: string; n: number }>(
        `SELECT (finished_at / ${METRICS_RESOLUTION_MS}) * ${METRICS_RESOLUTION_MS} AS minute, state, count(*) AS n FROM jobs
         WHERE queue = @queue AND finished_at >= @from AND finished_at < @to AND state IN ('completed', 'failed')
         GROUP BY minute, state`,
      )
      .all({ queue, from, to });
    const byMinute = new Map<number, MinuteMetrics>();
    let total = 0;
    for (const row of counts) {
      let bucket = byMinute.get(row.minute);
      if (!bucket) {
        bucket = emptyMinuteMetrics(row.minute);
        byMinute.set(row.minute, bucket);
      }
      if (row.state === 'completed') bucket.completed = row.n;
      else bucket.failed = row.n;
      total += row.n;
    }
    // Durations from a fixed, even sample: the read stays bounded however busy the range.
    const every = Math.max(1, Math.ceil(total / 20_000));
    const samples = db
      .prepare<
        [Record<string, string | number>],
        { finished_at: number; created_at: number; started_at: number | null }
      >(
        `SELECT finished_at, created_at, started_at FROM jobs
         WHERE queue = @queue AND finished_at >= @from AND finished_at < @to AND state IN ('completed', 'failed')
           AND seq % @every = 0`,
      )
      .all({ queue, from, to, every });
    for (const row of samples) {
      const bucket = byMinute.get(
        Math.floor(row.finished_at / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS,
      );
      if (!bucket || row.started_at === null) continue;
      bucket.waitMs.samples.push(Math.max(0, row.started_at - row.created_at));
      bucket.processMs.samples.push(Math.max(0, row.finished_at - row.started_at));
    }
    for (const bucket of byMinute.values()) {
      const n = bucket.completed + bucket.failed;
      bucket.waitMs.seen = bucket.waitMs.samples.length > 0 ? n : 0;
      bucket.processMs.seen = bucket.processMs.samples.length > 0 ? n : 0;
    }
    return [...byMinute.values()];
  }

  async function runRetention(): Promise<number> {
    if (retaining) return retaining;
    retaining = (async () => {
      let dropped = await store.clean(null, null, maxAgeMs, Number.MAX_SAFE_INTEGER);
      const excess = store.totalJobs() - maxJobs;
      if (excess > 0) dropped += await store.clean(null, null, -1, excess);
      store.forgetWorkers(forgetWorkersAfterMs);
      return dropped;
    })().finally(() => {
      retaining = null;
    });
    return retaining;
  }

  function sweep(): void {
    if (closed) return;
    // After a restart, workers get one timeout to be heard from before their jobs are abandoned.
    emit(store.sweep(heartbeatTimeoutMs, store.now - startedAt >= heartbeatTimeoutMs));
  }

  const sweepTimer = setInterval(sweep, options.sweepIntervalMs ?? 5_000);
  sweepTimer.unref();
  let indexing = false;
  const indexTimer = setInterval(async () => {
    if (indexing || closed) return;
    indexing = true;
    try {
      while (!closed && store.indexText(TEXT_INDEX_BATCH) === TEXT_INDEX_BATCH)
        await yieldToRequests();
    } finally {
      indexing = false;
    }
  }, TEXT_INDEX_INTERVAL_MS);
  indexTimer.unref();
  const retentionTimer = setInterval(() => {
    void runRetention().catch(() => {});
  }, options.retention?.intervalMs ?? 60_000);
  retentionTimer.unref();

  const ingest: IngestEndpoint = {
    accepts: (token) => !closed && accepts(token),
    async ingest(events) {
      const result = store.ingest(events);
      emit(result.changes);
      return {
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected: result.rejected,
      };
    },
    async commands({ worker, queues }) {
      return store.claimCommands(worker, queues);
    },
  };

  return defineBackend({
    id: options.id ?? 'collector',
    kind: 'collector',
    label: options.label ?? (options.file === ':memory:' ? 'collector' : options.file),
    capabilities: CAPABILITIES,
    store,
    ingest,
    record(events) {
      const list = Array.isArray(events) ? events : [events];
      const result = store.ingest(list);
      emit(result.changes);
      return {
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected: result.rejected,
      };
    },
    runRetention,
    sweep,

    async listQueues(): Promise<QueueInfo[]> {
      return statements.queues.all().map((q) => ({ name: q.name }));
    },

    async getStats(queues): Promise<Record<string, QueueStats>> {
      const wanted = new Set(queues);
      const out: Record<string, QueueStats> = {};
      for (const name of queues) out[name] = { counts: {}, paused: false, workers: 0 };
      const known = new Set(statements.queues.all().map((q) => q.name));
      for (const name of queues) if (!known.has(name)) delete out[name];
      for (const row of statements.counts.all()) {
        if (wanted.has(row.queue) && out[row.queue]) out[row.queue]!.counts[row.state] = row.n;
      }
      for (const worker of statements.workersOf.all(store.now - heartbeatTimeoutMs)) {
        for (const queue of JSON.parse(worker.queues) as string[]) {
          if (out[queue]) out[queue]!.workers! += 1;
        }
      }
      for (const stats of Object.values(out)) {
        for (const state of STATES) stats.counts[state] ??= 0;
      }
      return out;
    },

    async listJobs(queue, query) {
      knownQueue(queue);
      return page(queue, query);
    },

    async searchJobs(queue, query) {
      knownQueue(queue);
      // What was written since the indexer last ran is found too.
      while (store.indexText(TEXT_INDEX_BATCH) === TEXT_INDEX_BATCH) await yieldToRequests();
      return search(queue, query);
    },

    async getJob(queue, id) {
      const row = store.job(queue, id);
      if (!row) return null;
      const job = toJob(row);
      // The job's story as its workers told it: what the detail view shows under options.
      job.options.timeline = statements.timeline.all(queue, id, TIMELINE_LIMIT).map((e) => {
        const event = JSON.parse(e.body) as Record<string, any>;
        return `${new Date(event.time).toISOString()} ${timelineLine(event)}`;
      });
      return job;
    },

    async getJobLogs(queue, id, { offset, limit }): Promise<JobLogPage> {
      if (!store.job(queue, id)) throw notFound('job', id);
      const rows = statements.logs.all(queue, id, limit, offset);
      return {
        lines: rows.map((row) => ({
          timestamp: row.time,
          message: String(JSON.parse(row.body).message),
        })),
        total: statements.logCount.get(queue, id)!.n,
      };
    },

    async jobAction(queue, id, action: JobAction) {
      switch (action.type) {
        case 'retry':
        case 'cancel': {
          const outcome = store.requestCommand(queue, id, action.type);
          if (!outcome) throw notFound('job', id);
          if ('conflict' in outcome) throw conflict(outcome.conflict);
          emit([{ queue, jobId: id, state: outcome.row.state, name: outcome.row.name }]);
          return toJob(outcome.row);
        }
        case 'remove':
          if (!store.removeJob(queue, id)) throw notFound('job', id);
          emit([{ queue, jobId: id, state: 'removed' }]);
          return null;
        default:
          throw unsupported(`job action ${action.type}`);
      }
    },

    async bulkAction(queue, action: ResolvedBulkAction): Promise<BulkResult> {
      knownQueue(queue);
      switch (action.type) {
        case 'retry-all':
          return { affected: await store.retryAll(queue, action.state) };
        case 'clean':
          return {
            affected: await store.clean(queue, action.state, action.olderThanMs, action.limit),
          };
        case 'obliterate': {
          const affected = await store.obliterate(queue);
          for (const listener of listeners) listener({ type: 'queues-changed' });
          return { affected };
        }
        default:
          throw unsupported(`bulk action ${action.type}`);
      }
    },

    async getWorkers(queues): Promise<Worker[]> {
      const now = store.now;
      const wanted = queues ? new Set(queues) : null;
      const active = db
        .prepare<[], { worker: string; n: number }>(
          "SELECT worker, count(*) AS n FROM jobs WHERE state = 'active' AND worker IS NOT NULL GROUP BY worker",
        )
        .all();
      const running = new Map(active.map((r) => [r.worker, r.n]));
      return statements.workersOf
        .all(now - heartbeatTimeoutMs)
        .map((row) => ({ row, queues: JSON.parse(row.queues) as string[] }))
        .filter(({ queues: served }) => !wanted || served.some((q) => wanted.has(q)))
        .map(({ row, queues: served }) => {
          const activeJobs = row.active_jobs ?? running.get(row.id) ?? 0;
          return {
            id: row.id,
            name: row.name,
            queues: served,
            address:
              row.host === null
                ? null
                : row.pid === null
                  ? row.host
                  : `${row.host} (pid ${row.pid})`,
            startedAt: row.started_at,
            lastSeenAt: row.last_seen,
            idleMs: activeJobs === 0 ? Math.max(0, now - row.last_seen) : 0,
            concurrency: row.concurrency,
            activeJobs,
          };
        });
    },

    async getMetrics(queue, query: MetricsQuery): Promise<MetricSeries> {
      return metricSeries(minutes(queue, query.from, query.to), query);
    },

    async appendAudit(entry: AuditEntry) {
      store.appendAudit(entry, auditCap);
    },

    async listAudit(query: AuditQuery) {
      return store.listAudit(query.before, query.limit);
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweepTimer);
      clearInterval(indexTimer);
      clearInterval(retentionTimer);
      listeners.clear();
      if (retaining) await retaining.catch(() => {});
      await yieldToRequests();
      store.close();
    },
  });
}
