import {
  addSample,
  checkMetricsQuery,
  emptyMinuteMetrics,
  METRICS_RESOLUTION_MS,
  type MetricSeries,
  type MetricsQuery,
  type MinuteMetrics,
  metricSeries,
} from '@qadmin/core';
import { ident, type Layout } from './schema';
import type { Sql } from './sql';

/**
 * qadmin's own metrics for pg-boss queues, kept in the same database so that
 * every dashboard instance reads the same numbers.
 *
 * A sampling round takes the jobs that finished (completed, or failed for
 * good) since the last round, per queue through pg-boss's own
 * `(name, completed_on)` index where the version has one, and adds each to
 * its minute in `<schema>.pgboss_metrics` (`qadmin.pgboss_metrics` by
 * default, created on the first round): counts and a uniform sample of wait
 * (runnable to started) and processing (started to finished) times. Rows
 * older than the retention are deleted in the same transaction. One instance
 * samples a pg-boss schema at a time (a transaction-level advisory lock), and
 * the position it reached is stored with the rows, so no job is counted
 * twice. Jobs finishing in the last 5 seconds wait for the next round: a
 * transaction that finished a job may commit after later ones did.
 */

/** Most finished jobs one round reads (the rest wait for the next round). */
const ROUND_LIMIT = 50_000;
/** How far behind `now()` a round stops, for transactions that commit late. */
const COMMIT_LAG = "interval '5 seconds'";
/** How far back the very first round looks. */
const FIRST_LOOK_BACK = "interval '1 hour'";

interface MinuteRow {
  queue: string;
  minute: Date;
  completed: number;
  failed: number;
  wait_seen: number;
  wait: number[];
  process_seen: number;
  process: number[];
}

interface FinishedRow {
  name: string;
  state: 'completed' | 'failed';
  finished_us: string;
  wait_ms: number | null;
  process_ms: number | null;
  finished_ms: number;
}

/** See the module comment. */
export class MetricsSampler {
  readonly #sql: Sql;
  readonly #source: string;
  readonly #schema: string;
  readonly #table: string;
  readonly #positions: string;
  readonly #retentionMs: number;
  #ready = false;

  constructor(sql: Sql, options: { source: string; schema: string; retentionMs: number }) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
      throw new TypeError(`Invalid metrics schema name ${JSON.stringify(options.schema)}`);
    }
    this.#sql = sql;
    this.#source = options.source;
    this.#schema = ident(options.schema);
    this.#table = `${this.#schema}.pgboss_metrics`;
    this.#positions = `${this.#schema}.pgboss_metrics_position`;
    this.#retentionMs = options.retentionMs;
  }

  /**
   * One sampling round over every queue of the schema, unless another
   * instance is sampling it now. Resolves with the number of finished jobs
   * recorded.
   */
  async sample(layout: Layout): Promise<number> {
    return this.#sql.transaction(async (client) => {
      const lock = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtext('qadmin:pgboss-metrics'), hashtext($1)) AS locked`,
        [this.#source],
      );
      if (!lock.rows[0]?.locked) return 0;
      if (!this.#ready) {
        // Under the lock: two instances never race to create the tables.
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${this.#table} (
          source text NOT NULL, queue text NOT NULL, minute timestamptz NOT NULL,
          completed int NOT NULL DEFAULT 0, failed int NOT NULL DEFAULT 0,
          wait_seen int NOT NULL DEFAULT 0, wait real[] NOT NULL DEFAULT '{}',
          process_seen int NOT NULL DEFAULT 0, process real[] NOT NULL DEFAULT '{}',
          PRIMARY KEY (source, queue, minute))`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${this.#positions} (
          source text PRIMARY KEY, until_us bigint NOT NULL)`);
        this.#ready = true;
      }
      const position = await client.query<{ until_us: string }>(
        `SELECT until_us::text FROM ${this.#positions} WHERE source = $1`,
        [this.#source],
      );
      const bounds = await client.query<{ lower: string; upper: string }>(
        `SELECT coalesce($1::bigint, (extract(epoch FROM now() - ${FIRST_LOOK_BACK}) * 1000000)::bigint)::text AS lower,
                (extract(epoch FROM now() - ${COMMIT_LAG}) * 1000000)::bigint::text AS upper`,
        [position.rows[0]?.until_us ?? null],
      );
      const { lower, upper } = bounds.rows[0]!;
      const at = (param: string) =>
        `('epoch'::timestamptz + ${param}::bigint * interval '1 microsecond')`;
      // Per queue, so pg-boss 12's (name, completed_on) index serves each.
      const finished = await client.query<FinishedRow>(
        `SELECT j.name, j.state::text AS state,
           (extract(epoch FROM j.completed_on) * 1000000)::bigint::text AS finished_us,
           (extract(epoch FROM j.completed_on) * 1000)::float8 AS finished_ms,
           CASE WHEN j.started_on IS NULL THEN NULL
             ELSE (extract(epoch FROM j.started_on - greatest(j.created_on, j.start_after)) * 1000)::float8 END AS wait_ms,
           CASE WHEN j.started_on IS NULL THEN NULL
             ELSE (extract(epoch FROM j.completed_on - j.started_on) * 1000)::float8 END AS process_ms
         FROM ${layout.schema}.queue q CROSS JOIN LATERAL (
           SELECT * FROM ${layout.schema}.job j
           WHERE j.name = q.name AND j.completed_on > ${at('$1')} AND j.completed_on <= ${at('$2')}
             AND j.state IN ('completed', 'failed')
         ) j
         ORDER BY j.completed_on LIMIT ${ROUND_LIMIT}`,
        [lower, upper],
      );
      let rows = finished.rows;
      let until = upper;
      if (rows.length === ROUND_LIMIT) {
        // Stop before the last instant read: jobs sharing it may lie beyond the limit.
        const lastUs = rows.at(-1)!.finished_us;
        rows = rows.filter((row) => row.finished_us !== lastUs);
        until = rows.at(-1)?.finished_us ?? lower;
      }
      const minutes = new Map<string, MinuteMetrics & { queue: string }>();
      if (rows.length > 0) {
        const keys = new Set<string>();
        for (const row of rows) keys.add(`${row.name}\u0000${minuteOf(row.finished_ms)}`);
        const existing = await client.query<MinuteRow>(
          `SELECT queue, minute, completed, failed, wait_seen, wait, process_seen, process
           FROM ${this.#table} m
           WHERE source = $1 AND (queue, minute) IN (
             SELECT q, 'epoch'::timestamptz + s * interval '1 millisecond'
             FROM unnest($2::text[], $3::bigint[]) AS k(q, s))
           FOR UPDATE`,
          [
            this.#source,
            [...keys].map((key) => key.split('\u0000')[0]),
            [...keys].map((key) => key.split('\u0000')[1]),
          ],
        );
        for (const row of existing.rows) {
          const start = row.minute.getTime();
          minutes.set(`${row.queue}\u0000${start}`, {
            queue: row.queue,
            start,
            completed: row.completed,
            failed: row.failed,
            waitMs: { seen: row.wait_seen, samples: row.wait.map(Number) },
            processMs: { seen: row.process_seen, samples: row.process.map(Number) },
          });
        }
        for (const row of rows) {
          const start = minuteOf(row.finished_ms);
          const key = `${row.name}\u0000${start}`;
          let minute = minutes.get(key);
          if (!minute) {
            minute = { ...emptyMinuteMetrics(start), queue: row.name };
            minutes.set(key, minute);
          }
          if (row.state === 'completed') minute.completed++;
          else minute.failed++;
          if (row.wait_ms !== null) addSample(minute.waitMs, Math.max(0, row.wait_ms));
          if (row.process_ms !== null) addSample(minute.processMs, Math.max(0, row.process_ms));
        }
        const all = [...minutes.values()];
        await client.query(
          `INSERT INTO ${this.#table} (source, queue, minute, completed, failed, wait_seen, wait, process_seen, process)
           SELECT $1, q, 'epoch'::timestamptz + s * interval '1 millisecond', c, f, ws, w::real[], ps, p::real[]
           FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::text[], $8::int[], $9::text[])
             AS x(q, s, c, f, ws, w, ps, p)
           ON CONFLICT (source, queue, minute) DO UPDATE SET
             completed = excluded.completed, failed = excluded.failed,
             wait_seen = excluded.wait_seen, wait = excluded.wait,
             process_seen = excluded.process_seen, process = excluded.process`,
          [
            this.#source,
            all.map((m) => m.queue),
            all.map((m) => m.start),
            all.map((m) => m.completed),
            all.map((m) => m.failed),
            all.map((m) => m.waitMs.seen),
            all.map((m) => `{${m.waitMs.samples.join(',')}}`),
            all.map((m) => m.processMs.seen),
            all.map((m) => `{${m.processMs.samples.join(',')}}`),
          ],
        );
      }
      await client.query(
        `INSERT INTO ${this.#positions} (source, until_us) VALUES ($1, $2::bigint)
         ON CONFLICT (source) DO UPDATE SET until_us = excluded.until_us`,
        [this.#source, until],
      );
      await client.query(
        `DELETE FROM ${this.#table} WHERE source = $1 AND minute < now() - $2::bigint * interval '1 millisecond'`,
        [this.#source, this.#retentionMs],
      );
      return rows.length;
    });
  }

  /** The series of one queue; empty (no gaps, zero counts) before the first round. */
  async series(queue: string, query: MetricsQuery): Promise<MetricSeries> {
    checkMetricsQuery(query);
    let rows: MinuteRow[] = [];
    try {
      rows = await this.#sql.query<MinuteRow>(
        `SELECT queue, minute, completed, failed, wait_seen, wait, process_seen, process
         FROM ${this.#table}
         WHERE source = $1 AND queue = $2
           AND minute >= to_timestamp($3::float8 / 1000) AND minute < to_timestamp($4::float8 / 1000)`,
        [this.#source, queue, query.from - METRICS_RESOLUTION_MS, query.to],
      );
    } catch (error) {
      // 42P01 / 3F000: no round has run in this database yet.
      const code = (error as { code?: string }).code;
      if (code !== '42P01' && code !== '3F000') throw error;
    }
    return metricSeries(
      rows.map((row) => ({
        start: row.minute.getTime(),
        completed: row.completed,
        failed: row.failed,
        waitMs: { seen: row.wait_seen, samples: row.wait.map(Number) },
        processMs: { seen: row.process_seen, samples: row.process.map(Number) },
      })),
      query,
    );
  }
}

function minuteOf(ms: number): number {
  return Math.floor(ms / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS;
}
