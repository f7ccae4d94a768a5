import type { BackendEvent, JobState } from '@qadmin/core';
import { type Layout, stateExpression } from './schema';
import type { Sql } from './sql';

/**
 * Live job events for pg-boss, which notifies nobody when a job starts or
 * finishes (pg-boss 12's LISTEN/NOTIFY covers inserts only, and only for
 * queues that opt in). While someone watches, one poller per backend asks
 * for the jobs created, started or finished since its last look: three
 * probes per queue, each on an index pg-boss 12 keeps (`(name, created_on)`,
 * `(name, completed_on)`, `(name, state, ...)`). However many dashboards
 * watch, it is one query per interval, and the interval grows on its own
 * when a look costs more than 2% of the time (pg-boss 10 has none of these
 * indexes, and a big queue costs a scan).
 */

/** At most this many changes are reported per look; more are left to the overview. */
const LOOK_LIMIT = 1_000;
/** How far each look reaches back before the last one ended, for late commits. */
const OVERLAP_US = 2_000_000n;

interface ChangeRow {
  name: string;
  id: string;
  state: JobState;
  at_us: string;
}

/** See the module comment. */
export class ChangePoller {
  readonly #sql: Sql;
  readonly #layout: () => Promise<Layout>;
  readonly #intervalMs: number;
  readonly #visible: (queue: string) => boolean;
  readonly #emit: (event: BackendEvent) => void;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #looking: Promise<void> | null = null;
  /** Server time (µs) the next look starts from. */
  #since: bigint | null = null;
  /** `<id>:<state>` reported by the looks the next one overlaps, with when it happened (µs). */
  #seen = new Map<string, bigint>();

  constructor(
    sql: Sql,
    layout: () => Promise<Layout>,
    options: {
      intervalMs: number;
      visible: (queue: string) => boolean;
      emit: (event: BackendEvent) => void;
    },
  ) {
    this.#sql = sql;
    this.#layout = layout;
    this.#intervalMs = Math.max(100, options.intervalMs);
    this.#visible = options.visible;
    this.#emit = options.emit;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#since = null;
    this.#seen.clear();
    this.#schedule(0);
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves once a look in progress has ended. */
  async idle(): Promise<void> {
    await this.#looking?.catch(() => {});
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      const started = performance.now();
      this.#looking = this.#look().catch(() => {
        // PostgreSQL away: the overview says so; the next look tries again.
      });
      void this.#looking.finally(() => {
        this.#looking = null;
        const cost = performance.now() - started;
        this.#schedule(Math.max(this.#intervalMs, cost * 50));
      });
    }, delayMs);
    this.#timer.unref?.();
  }

  async #look(): Promise<void> {
    const l = await this.#layout();
    if (this.#since === null) {
      const [row] = await this.#sql.query<{ now_us: string }>(
        `SELECT (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us`,
      );
      this.#since = BigInt(row!.now_us);
      return;
    }
    const from = (this.#since - OVERLAP_US).toString();
    const at = `('epoch'::timestamptz + $1::bigint * interval '1 microsecond')`;
    const select = `j.name, j.id::text AS id, ${stateExpression()} AS state`;
    const rows = await this.#sql.query<ChangeRow & { now_us: string }>(
      `SELECT c.*, (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us FROM ${l.schema}.queue q
       CROSS JOIN LATERAL (
         (SELECT ${select}, (extract(epoch FROM j.created_on) * 1000000)::bigint::text AS at_us
          FROM ${l.schema}.job j WHERE j.name = q.name AND j.created_on > ${at} LIMIT ${LOOK_LIMIT})
         UNION ALL
         (SELECT ${select}, (extract(epoch FROM j.started_on) * 1000000)::bigint::text
          FROM ${l.schema}.job j WHERE j.name = q.name AND j.state = 'active' AND j.started_on > ${at} LIMIT ${LOOK_LIMIT})
         UNION ALL
         (SELECT ${select}, (extract(epoch FROM j.completed_on) * 1000000)::bigint::text
          FROM ${l.schema}.job j WHERE j.name = q.name AND j.completed_on > ${at} LIMIT ${LOOK_LIMIT})
       ) c
       ORDER BY c.at_us LIMIT ${LOOK_LIMIT}`,
      [from],
    );
    for (const row of rows) {
      const key = `${row.id}:${row.state}`;
      if (this.#seen.has(key)) continue;
      this.#seen.set(key, BigInt(row.at_us));
      if (this.#visible(row.name)) {
        this.#emit({ type: 'job', queue: row.name, jobId: row.id, state: row.state });
      }
    }
    if (rows[0]) this.#since = BigInt(rows[0].now_us);
    else {
      const [row] = await this.#sql.query<{ now_us: string }>(
        `SELECT (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us`,
      );
      this.#since = BigInt(row!.now_us);
    }
    // What the next look can no longer see need not be remembered.
    const horizon = this.#since - OVERLAP_US;
    for (const [key, at] of this.#seen) if (at < horizon) this.#seen.delete(key);
  }
}
