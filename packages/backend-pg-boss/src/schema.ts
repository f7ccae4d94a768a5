import type { JobState } from '@qadmin/core';

/**
 * What one pg-boss schema looks like in the database: pg-boss 10 (schema
 * version 24) and 12 (46) keep jobs differently, and the SQL here is built
 * from what the tables have, not from the library version installed beside
 * the dashboard (an app may run another one).
 */
export interface Layout {
  /** The schema name, quoted for SQL: `"pgboss"`. */
  readonly schema: string;
  /** The schema name as given. */
  readonly schemaName: string;
  /** `version.version`: 24 for pg-boss 10, 46 for 12. */
  readonly version: number;
  /** pg-boss 10 moves finished jobs into `archive`. */
  readonly archive: boolean;
  /** pg-boss 12 flows: `job.blocked` (a job waiting for the jobs it depends on). */
  readonly blocked: boolean;
  /** Expiry column: `expire_in` (interval, 10) or `expire_seconds` (12). */
  readonly expireSeconds: string;
  /** Schedules have a `key` (12: several per queue; 10: one per queue). */
  readonly scheduleKey: boolean;
  /** Columns of `job` beyond the ones every version has (`group_id`, `source_name`, ...). */
  readonly jobColumns: ReadonlySet<string>;
  /** Columns of `queue`. */
  readonly queueColumns: ReadonlySet<string>;
  /** Columns of `schedule`. */
  readonly scheduleColumns: ReadonlySet<string>;
}

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The query that tells a schema's layout: its version and the columns of its tables. */
export function layoutQuery(): string {
  return `SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = $1 AND table_name IN ('job', 'queue', 'archive', 'schedule', 'version')`;
}

/** Builds the {@link Layout} from {@link layoutQuery}'s rows and the stored version. */
export function layoutOf(
  schemaName: string,
  columns: readonly { table_name: string; column_name: string }[],
  version: number,
): Layout {
  const of = (table: string) =>
    new Set(columns.filter((c) => c.table_name === table).map((c) => c.column_name));
  const job = of('job');
  const schema = ident(schemaName);
  return {
    schema,
    schemaName,
    version,
    archive: of('archive').size > 0,
    blocked: job.has('blocked'),
    expireSeconds: job.has('expire_seconds')
      ? 'j.expire_seconds'
      : 'extract(epoch from j.expire_in)::int',
    scheduleKey: of('schedule').has('key'),
    jobColumns: job,
    queueColumns: of('queue'),
    scheduleColumns: of('schedule'),
  };
}

/** The canonical states a pg-boss job can be in, as this backend reports them. */
export const PGBOSS_STATES = [
  'waiting',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly JobState[];

/** One of {@link PGBOSS_STATES}. */
export type PgBossState = (typeof PGBOSS_STATES)[number];

/**
 * The canonical state of a row of `job` (alias `j`): queued jobs (`created`,
 * `retry`) are delayed while `start_after` is ahead, otherwise waiting (a
 * pg-boss 12 job blocked by the jobs it depends on waits too).
 */
export function stateExpression(): string {
  return `CASE WHEN j.state < 'active' AND j.start_after > now() THEN 'delayed'
    WHEN j.state < 'active' THEN 'waiting' ELSE j.state::text END`;
}

/**
 * The canonical state of a row of pg-boss 10's `archive`: finished jobs keep
 * theirs; a queued job pg-boss archived because it outlived its retention
 * never ran and never will, which the dashboard shows as cancelled.
 */
export function archivedStateExpression(): string {
  return `CASE WHEN j.state > 'active' THEN j.state::text ELSE 'cancelled' END`;
}

/** The condition on a row of `job` (alias `j`) for one canonical state. */
export function statePredicate(state: PgBossState): string {
  switch (state) {
    case 'waiting':
      return `j.state < 'active' AND j.start_after <= now()`;
    case 'delayed':
      return `j.state < 'active' AND j.start_after > now()`;
    default:
      return `j.state = '${state}'`;
  }
}

/** The condition on a row of pg-boss 10's `archive` for a canonical state, or null when none are in it. */
export function archivedStatePredicate(state: PgBossState): string | null {
  switch (state) {
    case 'completed':
    case 'failed':
      return `j.state = '${state}'`;
    case 'cancelled':
      return `(j.state = 'cancelled' OR j.state <= 'active')`;
    default:
      return null;
  }
}

/** True for a string PostgreSQL accepts as a `uuid` (pg-boss job ids are). */
export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(id);
}

/** A uuid as PostgreSQL prints it (lower case, hyphenated), for ids given in another spelling. */
export function canonicalUuid(id: string): string {
  const hex = id.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Queues pg-boss keeps for itself (`__pgboss__send-it` feeds schedules): never shown. */
export function isInternalQueue(name: string): boolean {
  return name.startsWith('__pgboss__');
}
