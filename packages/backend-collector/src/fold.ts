/**
 * How events become a job: one rule, used both while ingesting (event by
 * event onto the stored row) and when a job is worked out again from all its
 * stored events (after a worker refused a command). The ranking is the
 * protocol's: `(attempt, step, time)`, so order of arrival never matters.
 */
import type { JobState } from '@qadmin/core';
import type { JobEvent } from './events';

/** A job as stored: one row of the `jobs` table. */
export interface JobRow {
  seq: number | null;
  queue: string;
  id: string;
  name: string;
  state: JobState;
  native: string;
  created_at: number;
  data: string | null;
  result: string | null;
  error: string | null;
  stack: string | null;
  progress: string | null;
  attempt: number;
  attempts_allowed: number | null;
  priority: number | null;
  delay_until: number | null;
  started_at: number | null;
  finished_at: number | null;
  worker: string | null;
  parent_queue: string | null;
  parent_id: string | null;
  d_attempt: number;
  d_step: number;
  d_time: number;
  pending: string | null;
  updated_at: number;
}

/** Where each type of event ranks within an attempt. */
export const STEP: Record<JobEvent['type'], number> = {
  queued: 0,
  started: 1,
  progress: 1,
  log: 1,
  completed: 2,
  failed: 2,
  cancelled: 3,
};

/** The step of a dashboard's retry: below the next attempt's own `queued`. */
export const RETRY_STEP = -1;

/** Whether `(attempt, step, time)` ranks above the key that decided `row`. */
export function outranks(row: JobRow, attempt: number, step: number, time: number): boolean {
  if (attempt !== row.d_attempt) return attempt > row.d_attempt;
  if (step !== row.d_step) return step > row.d_step;
  return time > row.d_time;
}

/** A job seen for the first time, decided by nothing yet. */
export function newJobRow(event: JobEvent, now: number): JobRow {
  return {
    seq: null,
    queue: event.queue,
    id: event.jobId,
    name: event.name ?? event.queue,
    state: 'waiting',
    native: 'queued',
    created_at: event.time,
    data: null,
    result: null,
    error: null,
    stack: null,
    progress: null,
    attempt: 1,
    attempts_allowed: null,
    priority: null,
    delay_until: null,
    started_at: null,
    finished_at: null,
    worker: null,
    parent_queue: null,
    parent_id: null,
    d_attempt: 0,
    d_step: -2,
    d_time: 0,
    pending: null,
    updated_at: now,
  };
}

const asJson = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

/**
 * Applies one event to a job row in place and says whether its state
 * changed. Facts fill in whatever the order (data, names, errors); the state
 * follows the highest-ranking event only.
 */
export function applyEvent(row: JobRow, event: JobEvent, now: number): boolean {
  const attempt = event.attempt ?? 1;
  const latest = attempt >= row.attempt;
  row.attempt = Math.max(row.attempt, attempt);
  row.updated_at = now;
  if (event.name !== undefined && (event.type === 'queued' || row.name === row.queue)) {
    row.name = event.name;
  }
  if (event.worker !== undefined && latest && event.type !== 'queued') row.worker = event.worker;
  switch (event.type) {
    case 'queued':
      row.created_at = Math.min(row.created_at, event.time);
      if (event.data !== undefined && (latest || row.data === null)) row.data = asJson(event.data);
      if (event.attemptsAllowed !== undefined) row.attempts_allowed = event.attemptsAllowed;
      if (event.priority !== undefined) row.priority = event.priority;
      if (event.parent) {
        row.parent_queue = event.parent.queue;
        row.parent_id = event.parent.id;
      }
      break;
    case 'started':
      if (event.data !== undefined && row.data === null) row.data = asJson(event.data);
      if (latest) row.started_at = event.time;
      break;
    case 'progress':
      if (latest) row.progress = asJson(event.progress);
      break;
    case 'completed':
      if (latest) row.result = asJson(event.result);
      break;
    case 'failed':
      if (latest || row.error === null) {
        row.error = event.error.message;
        row.stack = event.error.stack ?? null;
      }
      break;
    case 'cancelled':
      if (event.reason !== undefined && row.error === null) row.error = event.reason;
      break;
    case 'log':
      break;
  }
  const step = STEP[event.type];
  if (!outranks(row, attempt, step, event.time)) return false;
  const before = row.state;
  row.d_attempt = attempt;
  row.d_step = step;
  row.d_time = event.time;
  row.pending = null;
  switch (event.type) {
    case 'queued': {
      const delayed = event.delayUntil !== undefined && event.delayUntil > now;
      row.state = delayed ? 'delayed' : 'waiting';
      row.native = 'queued';
      row.delay_until = event.delayUntil ?? null;
      row.finished_at = null;
      break;
    }
    case 'started':
    case 'progress':
    case 'log':
      row.state = 'active';
      row.native = 'running';
      row.started_at ??= event.time;
      row.finished_at = null;
      break;
    case 'completed':
      row.state = 'completed';
      row.native = 'completed';
      row.finished_at = event.time;
      break;
    case 'failed':
      if (event.willRetry) {
        const later = event.retryAt !== undefined && event.retryAt > now;
        row.state = later ? 'delayed' : 'waiting';
        row.native = 'retrying';
        row.delay_until = event.retryAt ?? null;
        row.finished_at = null;
      } else {
        row.state = 'failed';
        row.native = 'failed';
        row.finished_at = event.time;
      }
      break;
    case 'cancelled':
      row.state = 'cancelled';
      row.native = 'cancelled';
      row.finished_at = event.time;
      break;
  }
  return row.state !== before;
}
