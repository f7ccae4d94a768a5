import {
  decodeCursor as decodeCursorOf,
  encodeCursor as encodeCursorOf,
  type Job,
  type JobState,
} from '@qadmin/core';
import { archivedStateExpression, type Layout, stateExpression } from './schema';

/** A row of `job` (or pg-boss 10's `archive`) as {@link jobColumns} selects it. */
export interface JobRow {
  id: string;
  name: string;
  native: string;
  state: JobState;
  priority: number;
  data: unknown;
  retry_limit: number;
  retry_count: number;
  retry_delay: number;
  retry_backoff: boolean;
  expire_seconds: number | null;
  singleton_key: string | null;
  singleton_on: string | null;
  /** `created_on` in microseconds since the epoch, exact, for cursors. */
  created_us: string;
  created_on: Date;
  start_after: Date;
  started_on: Date | null;
  completed_on: Date | null;
  keep_until: Date | null;
  output: unknown;
  dead_letter: string | null;
  policy: string | null;
  archived_on: Date | null;
  blocked?: boolean | null;
  group_id?: string | null;
  group_tier?: string | null;
  retry_delay_max?: number | null;
  deletion_seconds?: number | null;
  source_name?: string | null;
  source_id?: string | null;
  source_output?: unknown;
}

/** Optional columns some pg-boss versions have, selected when the table has them. */
const OPTIONAL_COLUMNS = [
  'blocked',
  'group_id',
  'group_tier',
  'retry_delay_max',
  'deletion_seconds',
  'source_name',
  'source_id',
  'source_output',
] as const;

/**
 * The select list for job rows of `job` (alias `j`), or of pg-boss 10's
 * `archive` when `archived`.
 */
export function jobColumns(layout: Layout, archived = false): string {
  const optional = OPTIONAL_COLUMNS.map((column) =>
    layout.jobColumns.has(column) ? `j.${column}` : `NULL AS ${column}`,
  );
  return [
    'j.id::text AS id',
    'j.name',
    'j.state::text AS native',
    `${archived ? archivedStateExpression() : stateExpression()} AS state`,
    'j.priority',
    'j.data',
    'j.retry_limit',
    'j.retry_count',
    'j.retry_delay',
    'j.retry_backoff',
    `${layout.expireSeconds} AS expire_seconds`,
    'j.singleton_key',
    'j.singleton_on::text AS singleton_on',
    '(extract(epoch FROM j.created_on) * 1000000)::bigint::text AS created_us',
    'j.created_on',
    'j.start_after',
    'j.started_on',
    'j.completed_on',
    'j.keep_until',
    'j.output',
    'j.dead_letter',
    'j.policy',
    archived ? 'j.archived_on' : 'NULL::timestamptz AS archived_on',
    ...optional,
  ].join(', ');
}

const ms = (date: Date | null | undefined): number | null => (date ? date.getTime() : null);

/** pg-boss wraps a value that is not an object as `{ value }`: the value itself. */
function unwrap(output: unknown): unknown {
  if (output && typeof output === 'object' && !Array.isArray(output)) {
    const keys = Object.keys(output);
    if (keys.length === 1 && keys[0] === 'value') return (output as { value: unknown }).value;
  }
  return output;
}

/** The message of a stored error: `{ message }` (a serialized Error), `{ value: ... }`, or its JSON. */
export function errorMessage(output: unknown): string | null {
  if (output === null || output === undefined) return null;
  const value = unwrap(output);
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return JSON.stringify(value);
}

function stackOf(output: unknown): string[] {
  const value = unwrap(output);
  const stack = value && typeof value === 'object' ? (value as { stack?: unknown }).stack : null;
  return typeof stack === 'string' ? [stack] : [];
}

/** A job as the dashboard shows it. pg-boss jobs have no name of their own: the queue's. */
export function toJob(row: JobRow): Job {
  const queued = row.native === 'created' || row.native === 'retry';
  // Outside completed jobs, pg-boss's output is an error: a failure's (or a retry's last), or
  // on a dead-letter copy pg-boss 10 made; pg-boss 12 keeps a copy's in source_output.
  const error =
    row.native === 'completed'
      ? (row.source_output ?? null)
      : (row.output ?? row.source_output ?? null);
  const options: Record<string, unknown> = {
    priority: row.priority,
    retryLimit: row.retry_limit,
    retryDelay: row.retry_delay,
    retryBackoff: row.retry_backoff,
    retryDelayMax: row.retry_delay_max ?? null,
    expireInSeconds: row.expire_seconds === null ? null : Number(row.expire_seconds),
    deleteAfterSeconds: row.deletion_seconds ?? null,
    singletonKey: row.singleton_key,
    singletonOn: row.singleton_on,
    group: row.group_id ? { id: row.group_id, tier: row.group_tier ?? null } : null,
    policy: row.policy,
    deadLetter: row.dead_letter,
    startAfter: ms(row.start_after),
    keepUntil: ms(row.keep_until),
    archivedOn: ms(row.archived_on),
    deadLetterOf: row.source_name ? { queue: row.source_name, id: row.source_id } : null,
  };
  for (const [key, value] of Object.entries(options)) if (value === null) delete options[key];
  const native = row.archived_on
    ? `${row.native} (archived)`
    : queued && row.blocked
      ? `${row.native} (blocked)`
      : row.native;
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    nativeState: native,
    data: row.data ?? null,
    options,
    progress: null,
    attemptsMade: row.started_on ? row.retry_count + 1 : row.retry_count,
    attemptsAllowed: row.retry_limit + 1,
    priority: row.priority,
    createdAt: row.created_on.getTime(),
    // Only while it waits: a finished job's start_after is its last retry's.
    delayedUntil:
      queued && row.start_after.getTime() > row.created_on.getTime()
        ? row.start_after.getTime()
        : null,
    processedAt: ms(row.started_on),
    finishedAt: row.native === 'retry' ? null : ms(row.completed_on),
    returnValue: row.native === 'completed' ? (unwrap(row.output) ?? null) : null,
    failedReason: errorMessage(error),
    stacktrace: stackOf(error),
    parent: null,
    children: [],
    workerId: null,
  };
}

/** Where a keyset page continues: the last job's `created_on` (microseconds) and id. */
export interface Cursor {
  us: string;
  id: string;
}

const CURSOR_PREFIX = 'k1.';

/** The cursor after `row`. */
export function encodeCursor(row: { created_us: string; id: string }): string {
  return encodeCursorOf(CURSOR_PREFIX, [row.created_us, row.id]);
}

/** Reads a cursor {@link encodeCursor} made; a 400 naming `query.cursor` for anything else. */
export function decodeCursor(cursor: string): Cursor {
  return decodeCursorOf(CURSOR_PREFIX, cursor, ([us, id, ...rest]) =>
    rest.length === 0 &&
    typeof us === 'string' &&
    /^-?\d{1,19}$/.test(us) &&
    typeof id === 'string' &&
    /^[0-9a-f-]{32,36}$/i.test(id)
      ? { us, id }
      : undefined,
  );
}
