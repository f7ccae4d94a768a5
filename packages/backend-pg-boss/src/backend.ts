import {
  type AddJobInput,
  type BackendEvent,
  type BulkResult,
  type Capabilities,
  conflict,
  DEFAULT_AUDIT_CAP,
  DEFAULT_SCHEDULE_ID,
  defineBackend,
  invalidInput,
  isConnectionError,
  isQadminError,
  type Job,
  type JobAction,
  type JobPage,
  type ListJobsQuery,
  notFound,
  type QueueBackend,
  type QueueInfo,
  type QueueStats,
  type ResolvedBulkAction,
  type Schedule,
  type ScheduleInput,
  type SearchJobsQuery,
  type SearchPage,
  type StateCounts,
  unavailable,
} from '@qadmin/core';
import { Cron } from 'croner';
import pg, { type Pool, type PoolConfig } from 'pg';
import { AuditTable } from './audit';
import { ChangePoller } from './events';
import { decodeCursor, encodeCursor, type JobRow, jobColumns, toJob } from './jobs';
import { MetricsSampler } from './metrics';
import {
  archivedStatePredicate,
  canonicalUuid,
  ident,
  isInternalQueue,
  isUuid,
  type Layout,
  layoutOf,
  layoutQuery,
  PGBOSS_STATES,
  type PgBossState,
  statePredicate,
} from './schema';
import { likePattern, poolSql, type Sql } from './sql';

/**
 * The part of a pg-boss instance (10 or 12) the backend calls for actions.
 * Pass the app's own `PgBoss` as {@link PgBossBackendOptions.boss}, or let
 * the backend make one over its pool.
 */
export interface PgBossLike {
  send(name: string, data?: object | null, options?: object): Promise<string | null>;
  retry(name: string, id: string | string[]): Promise<unknown>;
  resume(name: string, id: string | string[]): Promise<unknown>;
  cancel(name: string, id: string | string[]): Promise<unknown>;
  complete(name: string, id: string | string[], data?: object | null): Promise<unknown>;
  fail(name: string, id: string | string[], data?: object | null): Promise<unknown>;
  deleteJob(name: string, id: string | string[]): Promise<unknown>;
  deleteQueue(name: string): Promise<unknown>;
  schedule(name: string, cron: string, data?: object | null, options?: object): Promise<unknown>;
  unschedule(name: string, key?: string): Promise<unknown>;
}

/**
 * Options of {@link createPgBossBackend}.
 *
 * @example
 * ```ts
 * const options: PgBossBackendOptions = { connection: 'postgres://app@db/app', schema: 'pgboss' };
 * ```
 */
export interface PgBossBackendOptions {
  /**
   * The PostgreSQL to read: a connection string, `pg` pool options, or a
   * `pg` Pool you own (the backend then never ends it).
   */
  connection: string | PoolConfig | Pool;
  /** pg-boss's schema. Default `pgboss`. */
  schema?: string;
  /**
   * The app's own pg-boss instance, used for actions so that they run the
   * app's pg-boss version. Default: the backend makes one over its pool with
   * the `pg-boss` package installed beside it (no workers, no maintenance).
   */
  boss?: PgBossLike;
  /** Only these queues; default: every queue in the schema. */
  queues?: readonly string[];
  /** Backend id in the dashboard (`<id>:<queue>`). Default `pgboss`. */
  id?: string;
  /** Shown beside the queues. Default: `<host>/<database>`. */
  label?: string;
  /**
   * How long a read may wait for PostgreSQL before it answers 503. Default
   * 1 500 ms, so the dashboard answers within 2 s.
   */
  timeoutMs?: number;
  /** Largest number of jobs one search looks at (capped by the request). Default 10 000. */
  searchBatch?: number;
  /**
   * qadmin's own metrics (throughput, wait and processing times per minute),
   * sampled from finished jobs into a table in qadmin's own schema of the
   * same database, so every dashboard instance agrees: how often to sample
   * (default 15 000 ms), how long to keep them (default 7 days) and the
   * schema (default `qadmin`). `false` turns them off.
   */
  metrics?: false | { intervalMs?: number; retentionMs?: number; schema?: string };
  /**
   * How many audit entries `<metrics schema>.pgboss_audit` keeps for this
   * pg-boss schema (trimmed every 100 appends). Default 10 000.
   */
  auditCap?: number;
  /**
   * How often the change poller looks for job changes while someone watches
   * live (default 1 000 ms). It backs off on its own when a look costs more
   * than 2% of the time.
   */
  eventsIntervalMs?: number;
}

/** The qadmin backend over pg-boss queues: see {@link createPgBossBackend}. */
export interface PgBossBackend extends QueueBackend {
  /** The pool the backend reads with. */
  readonly pool: Pool;
  /** pg-boss's schema. */
  readonly schema: string;
  /** The schema's layout once read (its version and tables), or null before the first read. */
  readonly layout: Layout | null;
  /** Runs a metrics sampling round now; resolves with the number of finished jobs recorded. */
  sampleMetrics(): Promise<number>;
}

const CAPABILITIES: Capabilities = {
  states: [...PGBOSS_STATES],
  jobActions: [
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
  ],
  addJob: true,
  bulkActions: ['retry-all', 'promote-all', 'clean', 'empty', 'obliterate'],
  retryAllStates: ['failed', 'cancelled'],
  cleanStates: ['waiting', 'delayed', 'completed', 'failed', 'cancelled'],
  search: ['data', 'error'],
  offsetPagination: false,
  jobNames: false,
  logs: false,
  workers: false,
  // Cron only; pg-boss 12 keeps several per queue (by key), 10 one (see capabilitiesOf).
  schedules: { read: true, write: true, intervals: false, multiple: true },
  metrics: true,
  events: true,
  flows: false,
  audit: true,
};

/** pg-boss 10 keeps one schedule per queue: shown under core's `DEFAULT_SCHEDULE_ID`. */
const CAPABILITIES_V10: Capabilities = {
  ...CAPABILITIES,
  schedules: { ...CAPABILITIES.schedules, multiple: false },
};

const BULK_BATCH = 1_000;
/** Counts that need a scan but cost less than this are read on every overview. */
const CHEAP_COUNT_MS = 20;
/** Counts that need a scan of fewer rows than this are read on every overview. */
const SMALL_TABLE_ROWS = 100_000;

/**
 * A qadmin backend over the pg-boss (10 or 12) queues of one schema. Reads
 * are SQL over pg-boss's own tables: every queue's counts in one `GROUP BY`,
 * job pages by keyset on `(created_on, id)` (never `OFFSET`), search with a
 * bounded scan. Actions go through pg-boss's own methods where it has them
 * (retry, resume, cancel, complete, fail, delete, send, schedule), so its
 * rules (dead-letter queues, retry limits) hold.
 *
 * @example
 * ```ts
 * import { createAdmin } from '@qadmin/core';
 * import { createPgBossBackend } from '@qadmin/backend-pg-boss';
 *
 * const pgboss = createPgBossBackend({ connection: process.env.DATABASE_URL!, boss });
 * const admin = createAdmin({ backends: [pgboss] });
 * ```
 */
export function createPgBossBackend(options: PgBossBackendOptions): PgBossBackend {
  const id = options.id ?? 'pgboss';
  const schemaName = options.schema ?? 'pgboss';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schemaName)) {
    throw new TypeError(`Invalid pg-boss schema name ${JSON.stringify(schemaName)}`);
  }
  const timeoutMs = options.timeoutMs ?? 1_500;
  const searchBatch = Math.max(1, options.searchBatch ?? 10_000);
  // A pool of the app's own (any copy of pg: duck-typed, not instanceof) is used as it is.
  const given = isPool(options.connection) ? options.connection : null;
  const ownsPool = given === null;
  const pool: Pool =
    given ??
    new pg.Pool({
      connectionTimeoutMillis: timeoutMs,
      application_name: 'qadmin',
      max: 10,
      ...(typeof options.connection === 'string'
        ? { connectionString: options.connection }
        : (options.connection as PoolConfig)),
    });
  // An idle connection the server dropped must not crash the host process.
  const onPoolError = () => {};
  pool.on('error', onPoolError);
  const sql: Sql = poolSql(pool);
  const only = options.queues ? new Set(options.queues) : null;
  const label = options.label ?? labelOf(pool);

  // ------------------------------------------------------------- guard

  let closed = false;
  const guard = async <T>(work: () => Promise<T>, limitMs = timeoutMs): Promise<T> => {
    if (closed) throw unavailable(id, new Error('the backend is closed'));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      if (!Number.isFinite(limitMs)) return;
      timer = setTimeout(
        () => reject(unavailable(id, new Error(`PostgreSQL did not answer within ${limitMs} ms`))),
        limitMs,
      );
    });
    const running = work();
    running.catch(() => {});
    try {
      return await Promise.race([running, late]);
    } catch (error) {
      if (isQadminError(error)) throw error;
      if (isConnectionError(error)) throw unavailable(id, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  /** {@link guard} for a change: the finished-job counts are read again after it. */
  const mutate = <T>(work: () => Promise<T>, limitMs = timeoutMs): Promise<T> =>
    guard(async () => {
      try {
        return await work();
      } finally {
        slow = null;
        generation++;
      }
    }, limitMs);

  // ------------------------------------------------------------ layout

  let layoutPromise: Promise<Layout> | undefined;
  let layout: Layout | null = null;
  const readLayout = (): Promise<Layout> => {
    layoutPromise ??= (async () => {
      const versions = await sql
        .query<{ version: number }>(`SELECT version FROM ${ident(schemaName)}.version`)
        .catch((error: { code?: string }) => {
          // 42P01: no such table, 3F000: no such schema.
          if (error.code === '42P01' || error.code === '3F000') {
            throw unavailable(
              id,
              new Error(`pg-boss is not installed in schema ${JSON.stringify(schemaName)}`),
            );
          }
          throw error;
        });
      const columns = await sql.query<{ table_name: string; column_name: string }>(layoutQuery(), [
        schemaName,
      ]);
      layout = layoutOf(schemaName, columns, Number(versions[0]?.version ?? 0));
      return layout;
    })();
    // A failure (PostgreSQL away) is tried again next time.
    layoutPromise.catch(() => {
      layoutPromise = undefined;
    });
    return layoutPromise;
  };

  // ------------------------------------------------------------- pg-boss

  let bossPromise: Promise<PgBossLike> | undefined;
  const boss = (): Promise<PgBossLike> => {
    if (options.boss) return Promise.resolve(options.boss);
    bossPromise ??= (async () => {
      const module = (await import('pg-boss')) as Record<string, unknown>;
      const PgBoss = (module.PgBoss ?? module.default) as new (options: object) => PgBossLike;
      // No start(): with a `db` of its own, pg-boss answers API calls without its
      // supervisor, scheduler, migrations or instance registration.
      return new PgBoss({
        db: { executeSql: (text: string, values?: unknown[]) => pool.query(text, values) },
        schema: schemaName,
        supervise: false,
        schedule: false,
        migrate: false,
        registerInstance: false,
      });
    })();
    bossPromise.catch(() => {
      bossPromise = undefined;
    });
    return bossPromise;
  };

  // ------------------------------------------------------------- queues

  interface QueueRow {
    name: string;
    policy: string | null;
    retry_limit: number | null;
    retry_delay: number | null;
    retry_backoff: boolean | null;
    dead_letter: string | null;
    expire_seconds: number | null;
    partition: string | null;
  }
  let known: Map<string, QueueRow> = new Map();

  async function readQueues(): Promise<QueueRow[]> {
    const l = await readLayout();
    const q = l.queueColumns;
    const rows = await sql.query<QueueRow>(
      `SELECT name, policy, retry_limit, retry_delay, retry_backoff, dead_letter,
        ${q.has('expire_seconds') ? 'expire_seconds' : 'NULL::int AS expire_seconds'},
        ${q.has('table_name') ? 'table_name' : q.has('partition_name') ? 'partition_name' : 'NULL'} AS partition
       FROM ${l.schema}.queue ORDER BY name`,
    );
    const visible = rows.filter(
      (row) => !isInternalQueue(row.name) && (!only || only.has(row.name)),
    );
    known = new Map(visible.map((row) => [row.name, row]));
    return visible;
  }

  async function requireQueue(queue: string): Promise<Layout> {
    const l = await readLayout();
    if (!known.has(queue)) await readQueues();
    if (!known.has(queue)) throw notFound('queue', queue);
    return l;
  }

  // -------------------------------------------------------------- counts

  /**
   * Counts come in two parts. The states an index of pg-boss's covers are
   * counted on every call (pg-boss 12: queued, active and failed jobs, its
   * `(name, state, blocked, start_after)` index; pg-boss 10: queued jobs, its
   * `(name, start_after)` index). The rest (completed and cancelled jobs, the
   * bulk of a busy queue; on pg-boss 10 also active and failed ones and the
   * archive) take a scan: they are counted on every call while the tables
   * are small (under 100,000 rows, by PostgreSQL's own estimate) or the scan
   * costs under 20 ms. Beyond both, they are counted again once the last
   * count is older than 50 times what it cost (at most 2% of the time goes
   * to them, however many dashboards watch), and at once after an action
   * through this backend. (Time alone would not do: a small table on a busy
   * server would be counted stale.)
   */
  interface SlowCounts {
    at: number;
    costMs: number;
    /** PostgreSQL's estimate of the rows the scan read. */
    rows: number;
    counts: Map<string, StateCounts>;
  }
  let slow: SlowCounts | null = null;
  let slowReading: Promise<SlowCounts> | null = null;
  /** Bumped by every change, so a count read before it is not kept. */
  let generation = 0;

  /** pg-boss 12's partial index on live jobs: the states counted on every call. */
  const indexedStates = (l: Layout) =>
    l.blocked ? `state IN ('created', 'retry', 'active', 'failed')` : `state < 'active'`;

  async function readSlow(l: Layout): Promise<SlowCounts> {
    const started = performance.now();
    const counts = new Map<string, StateCounts>();
    const add = (name: string, state: string, count: string | number) => {
      const entry = counts.get(name) ?? {};
      const key = state as PgBossState;
      entry[key] = (entry[key] ?? 0) + Number(count);
      counts.set(name, entry);
    };
    const rows = await sql.query<{ name: string; state: string; count: string }>(
      `SELECT name, state::text, count(*) FROM ${l.schema}.job
       WHERE NOT (${indexedStates(l)}) GROUP BY 1, 2`,
    );
    for (const row of rows) add(row.name, row.state, row.count);
    if (l.archive) {
      const archived = await sql.query<{ name: string; state: string; count: string }>(
        `SELECT name, CASE WHEN state > 'active' THEN state::text ELSE 'cancelled' END AS state, count(*)
         FROM ${l.schema}.archive GROUP BY 1, 2`,
      );
      for (const row of archived) add(row.name, row.state, row.count);
    }
    const costMs = performance.now() - started;
    // The job table's partitions and the archive, as last analyzed (-1: never, so small).
    const [estimate] = await sql.query<{ rows: number }>(
      `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 AS rows FROM pg_class c
       WHERE c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)
          OR c.oid = to_regclass($2)`,
      [`${l.schema}.job`, `${l.schema}.archive`],
    );
    return { at: Date.now(), costMs, rows: estimate?.rows ?? 0, counts };
  }

  async function slowCounts(l: Layout): Promise<Map<string, StateCounts>> {
    const current = slow;
    if (
      current &&
      current.rows >= SMALL_TABLE_ROWS &&
      current.costMs >= CHEAP_COUNT_MS &&
      Date.now() - current.at < current.costMs * 50
    ) {
      return current.counts;
    }
    const startedAt = generation;
    slowReading ??= readSlow(l)
      .then((result) => {
        if (generation === startedAt) slow = result;
        return result;
      })
      .finally(() => {
        slowReading = null;
      });
    return (await slowReading).counts;
  }

  async function getStats(queues: readonly string[]): Promise<Record<string, QueueStats>> {
    return guard(async () => {
      const l = await readLayout();
      if (queues.some((queue) => !known.has(queue))) await readQueues();
      const names = queues.filter((queue) => known.has(queue));
      if (names.length === 0) return {};
      const [indexed, rest] = await Promise.all([
        sql.query<{
          name: string;
          waiting: string;
          delayed: string;
          active: string;
          failed: string;
        }>(
          `SELECT name,
             count(*) FILTER (WHERE state < 'active' AND start_after <= now()) AS waiting,
             count(*) FILTER (WHERE state < 'active' AND start_after > now()) AS delayed,
             count(*) FILTER (WHERE state = 'active') AS active,
             count(*) FILTER (WHERE state = 'failed') AS failed
           FROM ${l.schema}.job WHERE name = ANY($1) AND ${indexedStates(l)} GROUP BY name`,
          [names],
        ),
        slowCounts(l),
      ]);
      const byName = new Map(indexed.map((row) => [row.name, row]));
      const result: Record<string, QueueStats> = {};
      for (const name of names) {
        const row = byName.get(name);
        const other = rest.get(name) ?? {};
        result[name] = {
          counts: {
            waiting: Number(row?.waiting ?? 0),
            delayed: Number(row?.delayed ?? 0),
            active: Number(row?.active ?? 0) + (other.active ?? 0),
            completed: other.completed ?? 0,
            failed: Number(row?.failed ?? 0) + (other.failed ?? 0),
            cancelled: other.cancelled ?? 0,
          },
          paused: false,
          workers: null,
        };
      }
      return result;
    });
  }

  // ---------------------------------------------------------------- jobs

  const checkState = (state: string): PgBossState => {
    if (!(PGBOSS_STATES as readonly string[]).includes(state)) {
      throw invalidInput('state', `pg-boss jobs are never ${JSON.stringify(state)}`);
    }
    return state as PgBossState;
  };

  /**
   * The SQL of one keyset window of a state, newest or oldest first, over
   * `job` and (pg-boss 10) `archive`, selecting `select(archived)`. `$1` is
   * the queue, `$2`/`$3` the cursor's microseconds and id (or null), `$4` the
   * row limit.
   */
  function windowSql(
    l: Layout,
    state: PgBossState,
    order: 'newest' | 'oldest',
    select: (archived: boolean) => string,
  ): string {
    const dir = order === 'newest' ? 'DESC' : 'ASC';
    const cmp = order === 'newest' ? '<' : '>';
    const keyset = `($2::text IS NULL OR (j.created_on, j.id) ${cmp} ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid))`;
    const part = (table: string, predicate: string, archived: boolean) =>
      `(SELECT ${select(archived)} FROM ${l.schema}.${table} j
        WHERE j.name = $1 AND ${predicate} AND ${keyset}
        ORDER BY j.created_on ${dir}, j.id ${dir} LIMIT $4)`;
    const live = part('job', statePredicate(state), false);
    const archived = l.archive ? archivedStatePredicate(state) : null;
    if (!archived) return live;
    return `SELECT * FROM (${live} UNION ALL ${part('archive', archived, true)}) u
      ORDER BY u.created_on ${dir}, u.id ${dir} LIMIT $4`;
  }

  async function listJobs(queue: string, query: ListJobsQuery): Promise<JobPage> {
    return guard(async () => {
      const state = checkState(query.state);
      if (query.name !== undefined) {
        throw invalidInput(
          'name',
          'pg-boss jobs have no name of their own: their queue is their name',
        );
      }
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const l = await requireQueue(queue);
      const rows = await sql.query<JobRow>(
        windowSql(l, state, query.order, (archived) => jobColumns(l, archived)),
        [queue, cursor?.us ?? null, cursor?.id ?? null, query.limit + 1],
      );
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        jobs: page.map(toJob),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
        total: null,
      };
    });
  }

  async function readJob(l: Layout, queue: string, jobId: string): Promise<Job | null> {
    return (await readJobs(l, queue, [jobId]))[0] ?? null;
  }

  /** Jobs by id in one query (and one more for pg-boss 10's archive), in the order asked. */
  async function readJobs(l: Layout, queue: string, ids: readonly string[]): Promise<Job[]> {
    const wanted = ids.filter(isUuid).map(canonicalUuid);
    if (wanted.length === 0) return [];
    const rows = await sql.query<JobRow>(
      `SELECT ${jobColumns(l)} FROM ${l.schema}.job j WHERE j.name = $1 AND j.id = ANY($2::uuid[])`,
      [queue, wanted],
    );
    const found = new Map(rows.map((row) => [row.id, row]));
    const missing = wanted.filter((id) => !found.has(id));
    if (l.archive && missing.length > 0) {
      const archived = await sql.query<JobRow>(
        `SELECT ${jobColumns(l, true)} FROM ${l.schema}.archive j WHERE j.name = $1 AND j.id = ANY($2::uuid[])`,
        [queue, missing],
      );
      for (const row of archived) found.set(row.id, row);
    }
    return wanted.flatMap((id) => {
      const row = found.get(id);
      return row ? [toJob(row)] : [];
    });
  }

  async function getJob(queue: string, jobId: string): Promise<Job | null> {
    return guard(async () => readJob(await requireQueue(queue), queue, jobId));
  }

  async function searchJobs(queue: string, query: SearchJobsQuery): Promise<SearchPage> {
    return guard(async () => {
      const state = checkState(query.state);
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const l = await requireQueue(queue);
      const fields = new Set(query.fields);
      const jsonPath = fields.has('data') && query.text.trimStart().startsWith('$');
      if (jsonPath) {
        await sql
          .query('SELECT $1::jsonpath', [query.text])
          .catch((error: { message?: string }) => {
            throw invalidInput(
              'text',
              `is not a SQL/JSON path: ${error.message ?? 'syntax error'}`,
            );
          });
      }
      // $5: the pattern (or the path). Errors are searched where a job keeps them: the output
      // of any job but a completed one (its return value), a dead-letter copy's source output.
      const matches: string[] = [];
      if (fields.has('data')) {
        matches.push(
          jsonPath
            ? `(jsonb_path_exists(j.data, $5::jsonpath, '{}', true) AND coalesce(jsonb_path_query_first(j.data, $5::jsonpath, '{}', true) <> 'false'::jsonb, false))`
            : 'j.data::text ILIKE $5',
        );
      }
      if (fields.has('error') && !jsonPath) {
        matches.push(`(j.state <> 'completed' AND j.output::text ILIKE $5)`);
        if (l.jobColumns.has('source_output')) matches.push('j.source_output::text ILIKE $5');
      }
      // The archive (pg-boss 10) keeps no dead-letter source output.
      const hit = (archived: boolean) =>
        matches.filter((m) => !archived || !m.includes('source_output')).join(' OR ') || 'false';
      const size = Math.max(1, Math.min(query.scanLimit, searchBatch));
      const rows = await sql.query<{ id: string; created_us: string; hit: boolean }>(
        windowSql(
          l,
          state,
          query.order,
          (archived) =>
            `j.id::text AS id, (extract(epoch FROM j.created_on) * 1000000)::bigint::text AS created_us, j.created_on, (${hit(archived)}) AS hit`,
        ),
        [
          queue,
          cursor?.us ?? null,
          cursor?.id ?? null,
          size,
          jsonPath ? query.text.trim() : likePattern(query.text),
        ],
      );
      const hits: string[] = [];
      let scanned = 0;
      for (const row of rows) {
        scanned++;
        if (row.hit) hits.push(row.id);
        if (hits.length === query.limit) break;
      }
      const exhausted = scanned === rows.length && rows.length < size;
      const last = rows[scanned - 1];
      const jobs = await readJobs(l, queue, hits);
      return {
        jobs,
        nextCursor: exhausted || !last ? null : encodeCursor(last),
        total: null,
        scanned,
        exhausted,
      };
    });
  }

  // ------------------------------------------------------------- actions

  /**
   * Job data for pg-boss's `send`, typed `object` by its API but any JSON
   * value in its table. pg-boss 12 writes it as JSON itself; pg-boss 10 hands
   * it to pg, which writes an object as JSON but a string or an array as
   * itself (no JSON), so those travel as their JSON text.
   */
  const payload = (l: Layout, value: unknown): object | null => {
    if (value === undefined || value === null) return null;
    const raw = typeof value === 'string' || Array.isArray(value);
    return (l.archive && raw ? JSON.stringify(value) : value) as object;
  };
  /** An output for complete/fail: pg-boss wraps what is not an object as `{ value }` itself. */
  const output = (value: unknown): object | null =>
    value === undefined || value === null
      ? null
      : typeof value === 'object' && !Array.isArray(value)
        ? (value as object)
        : { value };

  async function requireJob(queue: string, jobId: string): Promise<{ l: Layout; job: Job }> {
    const l = await requireQueue(queue);
    const job = await readJob(l, queue, jobId);
    if (!job) throw notFound('job', jobId);
    return { l, job };
  }

  const QUEUED = new Set(['waiting', 'delayed']);

  async function jobAction(queue: string, jobId: string, action: JobAction): Promise<Job | null> {
    return mutate(async () => {
      const { l, job } = await requireJob(queue, jobId);
      const archived = job.nativeState.endsWith('(archived)');
      const refuse = (what: string) =>
        conflict(`Job ${jobId} is ${job.state}${archived ? ' (archived)' : ''}: ${what}`);
      const update = async (set: string, values: unknown[], where = "state < 'active'") => {
        const rows = await sql.query(
          `UPDATE ${l.schema}.job SET ${set} WHERE name = $1 AND id = $2::uuid AND ${where} RETURNING id`,
          [queue, jobId, ...values],
        );
        if (rows.length === 0) throw conflict(`Job ${jobId} changed state meanwhile`);
      };
      const b = await boss();
      switch (action.type) {
        case 'retry':
          if (archived) throw refuse('pg-boss cannot retry an archived job');
          if (job.state === 'failed') await b.retry(queue, jobId);
          else if (job.state === 'cancelled') await b.resume(queue, jobId);
          else throw refuse('only failed and cancelled jobs can be retried');
          break;
        case 'remove':
          if (job.state === 'active') {
            throw refuse('cancel or complete it first: its worker still holds it');
          }
          if (archived) {
            await sql.query(`DELETE FROM ${l.schema}.archive WHERE name = $1 AND id = $2::uuid`, [
              queue,
              jobId,
            ]);
          } else {
            await b.deleteJob(queue, jobId);
          }
          return null;
        case 'promote':
          if (job.state !== 'delayed') throw refuse('only delayed jobs can be promoted');
          await update('start_after = now()', []);
          break;
        case 'cancel':
          if (!QUEUED.has(job.state) && job.state !== 'active') {
            throw refuse('only jobs that have not finished can be cancelled');
          }
          await b.cancel(queue, jobId);
          break;
        case 'discard':
          if (job.state !== 'active') throw refuse('only active jobs can be discarded');
          // No attempt left, so pg-boss fails it for good (and sends it to its dead-letter queue).
          await update('retry_limit = retry_count', [], "state = 'active'");
          await b.fail(queue, jobId, { message: 'Job discarded from the dashboard' });
          break;
        case 'complete':
          if (job.state !== 'active') throw refuse('only active jobs can be completed by hand');
          await b.complete(queue, jobId, output(action.returnValue));
          break;
        case 'update-data':
          if (archived) throw refuse('archived jobs cannot be changed');
          await update('data = $3::jsonb', [JSON.stringify(action.data ?? null)], 'true');
          break;
        case 'change-delay':
          if (!QUEUED.has(job.state)) throw refuse('only waiting and delayed jobs can be delayed');
          await update("start_after = now() + $3::bigint * interval '1 millisecond'", [
            action.delayMs,
          ]);
          break;
        case 'change-priority':
          if (!QUEUED.has(job.state)) {
            throw refuse('only waiting and delayed jobs can change priority');
          }
          await update('priority = $3::int', [action.priority]);
          break;
        case 'duplicate': {
          const copy = await sendJob(b, queue, {
            data: job.data,
            priority: job.priority ?? 0,
            attempts: job.attemptsAllowed ?? undefined,
            options: pick(job.options, ['retryDelay', 'retryBackoff', 'expireInSeconds']),
          });
          return copy;
        }
        default:
          throw invalidInput('type', `pg-boss jobs cannot ${(action as { type: string }).type}`);
      }
      const after = await readJob(l, queue, jobId);
      if (!after) throw notFound('job', jobId);
      return after;
    });
  }

  async function sendJob(
    b: PgBossLike,
    queue: string,
    input: Omit<AddJobInput, 'name'> & { name?: string },
  ): Promise<Job> {
    const l = await requireQueue(queue);
    if (input.jobId !== undefined && !isUuid(input.jobId)) {
      throw invalidInput('jobId', 'pg-boss job ids are UUIDs');
    }
    const sendOptions: Record<string, unknown> = { ...(input.options ?? {}) };
    if (input.priority !== undefined) sendOptions.priority = input.priority;
    if (input.delayMs !== undefined && input.delayMs > 0) {
      sendOptions.startAfter = new Date(Date.now() + input.delayMs);
    }
    if (input.attempts !== undefined) sendOptions.retryLimit = input.attempts - 1;
    if (input.jobId !== undefined) sendOptions.id = input.jobId;
    let newId: string | null;
    try {
      newId = await b.send(queue, payload(l, input.data), sendOptions);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      throw invalidInput('options', error instanceof Error ? error.message : String(error));
    }
    if (!newId) {
      throw conflict(
        input.jobId !== undefined
          ? `A job with id ${input.jobId} exists, or the queue's policy refused the job`
          : "The queue's policy (singleton or throttle) refused the job",
      );
    }
    const job = await readJob(l, queue, newId);
    if (!job) throw notFound('job', newId);
    return job;
  }

  async function addJob(queue: string, input: AddJobInput): Promise<Job> {
    return mutate(async () => sendJob(await boss(), queue, input));
  }

  async function bulkAction(queue: string, action: ResolvedBulkAction): Promise<BulkResult> {
    // Bulk work may take long on a big queue: no deadline, but a fast 503 when PostgreSQL is away.
    return mutate(
      async () => runBulk(await requireQueue(queue), queue, action),
      Number.POSITIVE_INFINITY,
    );
  }

  async function runBulk(
    l: Layout,
    queue: string,
    action: ResolvedBulkAction,
  ): Promise<BulkResult> {
    switch (action.type) {
      case 'retry-all': {
        const state = action.state;
        if (state !== 'failed' && state !== 'cancelled') {
          throw invalidInput('state', 'pg-boss retries failed and cancelled jobs');
        }
        const b = await boss();
        let affected = 0;
        let after: string | null = null;
        for (;;) {
          const rows: { id: string }[] = await sql.query<{ id: string }>(
            `SELECT id::text FROM ${l.schema}.job WHERE name = $1 AND state = $2::text::${l.schema}.job_state
             AND ($3::uuid IS NULL OR id > $3::uuid) ORDER BY id LIMIT ${BULK_BATCH}`,
            [queue, state, after],
          );
          if (rows.length === 0) break;
          const ids = rows.map((row) => row.id);
          if (state === 'failed') await b.retry(queue, ids);
          else await b.resume(queue, ids);
          affected += ids.length;
          after = ids.at(-1)!;
        }
        return { affected };
      }
      case 'promote-all': {
        const rows = await sql.query(
          `UPDATE ${l.schema}.job SET start_after = now()
           WHERE name = $1 AND state < 'active' AND start_after > now() RETURNING 1`,
          [queue],
        );
        return { affected: rows.length };
      }
      case 'clean': {
        const state = checkState(action.state);
        if (!CAPABILITIES.cleanStates.includes(state)) {
          throw invalidInput('state', `pg-boss cannot clean ${state} jobs`);
        }
        // Finished jobs by when they finished, queued ones by when they were created.
        const age = QUEUED.has(state) ? 'j.created_on' : 'coalesce(j.completed_on, j.created_on)';
        const older = `${age} <= now() - $2::bigint * interval '1 millisecond'`;
        const live = await sql.query(
          `DELETE FROM ${l.schema}.job t USING (
             SELECT j.name, j.id FROM ${l.schema}.job j
             WHERE j.name = $1 AND ${statePredicate(state)} AND ${older} LIMIT $3) d
           WHERE t.name = d.name AND t.id = d.id RETURNING 1`,
          [queue, action.olderThanMs, action.limit],
        );
        let affected = live.length;
        const archived = l.archive ? archivedStatePredicate(state) : null;
        if (archived && affected < action.limit) {
          const old = await sql.query(
            `DELETE FROM ${l.schema}.archive t USING (
               SELECT j.name, j.id FROM ${l.schema}.archive j
               WHERE j.name = $1 AND ${archived} AND ${older} LIMIT $3) d
             WHERE t.name = d.name AND t.id = d.id RETURNING 1`,
            [queue, action.olderThanMs, action.limit - affected],
          );
          affected += old.length;
        }
        return { affected };
      }
      case 'empty': {
        // Every job but the ones a worker holds (which it would complete into nothing).
        const rows = await sql.query(
          `DELETE FROM ${l.schema}.job WHERE name = $1 AND state <> 'active' RETURNING 1`,
          [queue],
        );
        let affected = rows.length;
        if (l.archive) {
          const old = await sql.query(
            `DELETE FROM ${l.schema}.archive WHERE name = $1 RETURNING 1`,
            [queue],
          );
          affected += old.length;
        }
        return { affected };
      }
      case 'obliterate': {
        const [row] = await sql.query<{ live: string; archived: string }>(
          `SELECT (SELECT count(*) FROM ${l.schema}.job WHERE name = $1) AS live,
            ${l.archive ? `(SELECT count(*) FROM ${l.schema}.archive WHERE name = $1)` : '0'} AS archived`,
          [queue],
        );
        try {
          // pg-boss 10 drops the queue's partition only once no job refers to the queue.
          if (l.archive) await sql.query(`DELETE FROM ${l.schema}.job WHERE name = $1`, [queue]);
          await (await boss()).deleteQueue(queue);
        } catch (error) {
          if (isConnectionError(error)) throw error;
          throw conflict(error instanceof Error ? error.message : String(error));
        }
        if (l.archive) {
          await sql.query(`DELETE FROM ${l.schema}.archive WHERE name = $1`, [queue]);
        }
        known.delete(queue);
        emit({ type: 'queues-changed' });
        return { affected: Number(row?.live ?? 0) + Number(row?.archived ?? 0) };
      }
      default:
        throw invalidInput('type', `pg-boss queues cannot ${action.type}`);
    }
  }

  // ----------------------------------------------------------- schedules

  interface ScheduleRow {
    name: string;
    key: string;
    last_run: Date | null;
    cron: string;
    timezone: string | null;
    data: unknown;
    options: Record<string, unknown> | null;
    updated_on: Date | null;
  }

  const scheduleId = (key: string) => (key === '' ? DEFAULT_SCHEDULE_ID : key);
  const scheduleKey = (scheduleIdValue: string) =>
    scheduleIdValue === DEFAULT_SCHEDULE_ID ? '' : scheduleIdValue;

  function toSchedule(row: ScheduleRow): Schedule {
    const timezone = row.timezone ?? 'UTC';
    let nextRunAt: number | null = null;
    try {
      nextRunAt = new Cron(row.cron, { timezone, paused: true }).nextRun()?.getTime() ?? null;
    } catch {
      // A pattern croner does not read (pg-boss 12 also takes RRULEs): no next run shown.
    }
    const options = { ...(row.options ?? {}) };
    delete options.tz;
    delete options.key;
    return {
      id: scheduleId(row.key),
      queue: row.name,
      jobName: row.name,
      pattern: row.cron,
      everyMs: null,
      timezone,
      nextRunAt,
      lastRunAt: row.last_run?.getTime() ?? null,
      data: row.data ?? null,
      options,
    };
  }

  async function readSchedules(l: Layout, queue: string): Promise<ScheduleRow[]> {
    // pg-boss 12 remembers the last job a schedule sent: its creation is the last run.
    const lastRun = l.scheduleColumns.has('last_job_id')
      ? `(SELECT j.created_on FROM ${l.schema}.job j WHERE j.name = s.name AND j.id = s.last_job_id)`
      : 'NULL::timestamptz';
    return sql.query<ScheduleRow>(
      `SELECT s.name, ${l.scheduleKey ? 's.key' : "''::text AS key"}, s.cron, s.timezone, s.data, s.options,
         s.updated_on, ${lastRun} AS last_run
       FROM ${l.schema}.schedule s WHERE s.name = $1 ORDER BY 2`,
      [queue],
    );
  }

  // ------------------------------------------------------------- metrics

  const metricsOptions = options.metrics === false ? null : (options.metrics ?? {});
  const sampler = metricsOptions
    ? new MetricsSampler(sql, {
        source: schemaName,
        schema: metricsOptions.schema ?? 'qadmin',
        retentionMs: metricsOptions.retentionMs ?? 7 * 86_400_000,
      })
    : null;
  const audit = new AuditTable(sql, {
    source: schemaName,
    schema: (metricsOptions ? metricsOptions.schema : undefined) ?? 'qadmin',
    cap: options.auditCap ?? DEFAULT_AUDIT_CAP,
  });
  let sampling: Promise<number> | undefined;
  const sampleNow = async (): Promise<number> => {
    sampling ??= (async () => {
      const l = await readLayout();
      return sampler ? sampler.sample(l) : 0;
    })().finally(() => {
      sampling = undefined;
    });
    return sampling;
  };
  const sampleTimer = sampler
    ? setInterval(() => {
        sampleNow().catch(() => {});
      }, metricsOptions?.intervalMs ?? 15_000)
    : undefined;
  sampleTimer?.unref?.();

  // -------------------------------------------------------------- events

  const listeners = new Set<(event: BackendEvent) => void>();
  const emit = (event: BackendEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // One listener's failure must not stop the others.
      }
    }
  };
  const poller = new ChangePoller(sql, readLayout, {
    intervalMs: options.eventsIntervalMs ?? 1_000,
    visible: (name) => !isInternalQueue(name) && (!only || only.has(name)),
    emit,
  });

  return defineBackend({
    id,
    kind: 'pg-boss',
    label,
    /**
     * pg-boss 12's until the schema was read (the first call of any method);
     * then those of the version found (pg-boss 10: one schedule per queue).
     */
    get capabilities() {
      return layout && !layout.scheduleKey ? CAPABILITIES_V10 : CAPABILITIES;
    },
    pool,
    schema: schemaName,
    get layout() {
      return layout;
    },

    async listQueues(): Promise<QueueInfo[]> {
      return guard(async () => {
        const rows = await readQueues();
        const l = await readLayout();
        return rows.map((row) => ({
          name: row.name,
          meta: dropNulls({
            pgBossSchemaVersion: l.version,
            policy: row.policy,
            deadLetter: row.dead_letter,
            retryLimit: row.retry_limit,
            retryDelay: row.retry_delay,
            retryBackoff: row.retry_backoff,
            expireInSeconds: row.expire_seconds,
            table: row.partition,
          }),
        }));
      });
    },
    getStats,
    listJobs,
    searchJobs,
    getJob,
    jobAction,
    addJob,
    bulkAction,

    async listSchedules(queue) {
      return guard(async () => {
        const l = await requireQueue(queue);
        return (await readSchedules(l, queue)).map(toSchedule);
      });
    },

    async upsertSchedule(queue, input: ScheduleInput) {
      return guard(async () => {
        const l = await requireQueue(queue);
        if (input.pattern === undefined) {
          throw invalidInput('everyMs', 'pg-boss schedules are cron patterns: give `pattern`');
        }
        try {
          new Cron(input.pattern, {
            paused: true,
            ...(input.timezone ? { timezone: input.timezone } : {}),
          });
        } catch (error) {
          throw invalidInput(
            'pattern',
            error instanceof Error ? error.message : 'is not a cron pattern',
          );
        }
        const key = scheduleKey(input.id);
        if (!l.scheduleKey && key !== '') {
          throw invalidInput(
            'id',
            `this pg-boss keeps one schedule per queue: use the id "${DEFAULT_SCHEDULE_ID}"`,
          );
        }
        const sendOptions: Record<string, unknown> = { ...(input.options ?? {}) };
        if (input.timezone) sendOptions.tz = input.timezone;
        if (key !== '') sendOptions.key = key;
        await (await boss()).schedule(queue, input.pattern, payload(l, input.data), sendOptions);
        const row = (await readSchedules(l, queue)).find((s) => s.key === key);
        if (!row) throw conflict(`The schedule ${input.id} was removed meanwhile`);
        return toSchedule(row);
      });
    },

    async removeSchedule(queue, scheduleIdValue) {
      return guard(async () => {
        const l = await requireQueue(queue);
        const key = scheduleKey(scheduleIdValue);
        const rows = await readSchedules(l, queue);
        if (!rows.some((row) => row.key === key)) throw notFound('schedule', scheduleIdValue);
        const b = await boss();
        if (l.scheduleKey) await b.unschedule(queue, key);
        else await b.unschedule(queue);
      });
    },

    async appendAudit(entry) {
      return guard(() => audit.append(entry));
    },

    async listAudit(query) {
      return guard(() => audit.list(query));
    },

    async getMetrics(queue, query) {
      if (!sampler) throw invalidInput('metrics', 'are turned off for this backend');
      return guard(async () => {
        await requireQueue(queue);
        return sampler.series(queue, query);
      });
    },

    sampleMetrics: () => guard(sampleNow, Number.POSITIVE_INFINITY),

    subscribe(listener: (event: BackendEvent) => void) {
      listeners.add(listener);
      if (listeners.size === 1) poller.start();
      return () => {
        if (listeners.delete(listener) && listeners.size === 0) poller.stop();
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sampleTimer);
      poller.stop();
      listeners.clear();
      await sampling?.catch(() => {});
      await poller.idle();
      // A pool of the app's is the app's to watch; ours keeps its listener, as pg may report
      // a connection's end after end() resolved.
      if (ownsPool) await pool.end().catch(() => {});
      else pool.off('error', onPoolError);
    },
  } satisfies PgBossBackend);
}

function isPool(value: unknown): value is Pool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Pool).query === 'function' &&
    typeof (value as Pool).connect === 'function'
  );
}

function labelOf(pool: Pool): string {
  const o = pool.options as PoolConfig;
  if (o.connectionString) {
    try {
      const url = new URL(o.connectionString);
      return `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
    } catch {
      return 'PostgreSQL';
    }
  }
  return `${o.host ?? 'localhost'}${o.port ? `:${o.port}` : ''}/${o.database ?? ''}`;
}

function dropNulls(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in record).map((key) => [key, record[key]]));
}
