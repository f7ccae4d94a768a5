import { invalidInput } from '@qadmin/core';
import type { AddOptions, Backoff, RemoveOnFinish } from './types';

/** {@link AddOptions} checked and with defaults applied. @internal */
export interface NormalizedOptions {
  delayMs: number;
  priority: number;
  attempts: number;
  backoff: Backoff | null;
  jobId: string | null;
  removeOnComplete: RemoveOnFinish;
  removeOnFail: RemoveOnFinish;
}

/**
 * Checks add options, wherever they come from: the queue API (typed), the
 * dashboard's `addJob` (validated by core, plus a free `options` record) or a
 * schedule's `options`. `field` names the request field in errors.
 *
 * @internal
 */
export function normalizeOptions(opts: AddOptions | undefined, field: string): NormalizedOptions {
  const o = opts ?? {};
  const backoff = o.backoff ?? null;
  if (backoff !== null) {
    if (
      typeof backoff !== 'object' ||
      (backoff.type !== 'fixed' && backoff.type !== 'exponential') ||
      !isNonNegative(backoff.delayMs)
    ) {
      throw invalidInput(
        `${field}.backoff`,
        'must be { type: "fixed" | "exponential", delayMs: number >= 0 }',
      );
    }
  }
  const delayMs = o.delayMs ?? 0;
  if (!isNonNegative(delayMs)) throw invalidInput(`${field}.delayMs`, 'must be a number >= 0');
  const priority = o.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0) {
    throw invalidInput(`${field}.priority`, 'must be an integer >= 0');
  }
  const attempts = o.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw invalidInput(`${field}.attempts`, 'must be an integer >= 1');
  }
  if (o.jobId !== undefined && (typeof o.jobId !== 'string' || o.jobId.length === 0)) {
    throw invalidInput(`${field}.jobId`, 'must be a non-empty string');
  }
  return {
    delayMs,
    priority,
    attempts,
    backoff: backoff && { type: backoff.type, delayMs: backoff.delayMs },
    jobId: o.jobId ?? null,
    removeOnComplete: checkRemove(o.removeOnComplete, `${field}.removeOnComplete`),
    removeOnFail: checkRemove(o.removeOnFail, `${field}.removeOnFail`),
  };
}

/** The add options a free-form record may set (`jobId` and `parent` it may not). */
const RECORD_OPTION_KEYS = [
  'delayMs',
  'priority',
  'attempts',
  'backoff',
  'removeOnComplete',
  'removeOnFail',
] as const satisfies readonly (keyof AddOptions)[];

/**
 * Reads the add options a free-form record may carry (`AddJobInput.options`,
 * `ScheduleInput.options`); unknown keys are ignored, known keys of the wrong
 * type are refused.
 *
 * @internal
 */
export function optionsFromRecord(record: Record<string, unknown> | undefined): AddOptions {
  if (!record) return {};
  const picked: Record<string, unknown> = {};
  for (const key of RECORD_OPTION_KEYS) {
    if (Object.hasOwn(record, key) && record[key] !== undefined) picked[key] = record[key];
  }
  return picked as AddOptions;
}

/** The options as reported in `Job.options`: only what differs from the defaults. @internal */
export function describeOptions(o: NormalizedOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { attempts: o.attempts };
  if (o.delayMs > 0) out.delayMs = o.delayMs;
  if (o.priority > 0) out.priority = o.priority;
  if (o.backoff) out.backoff = { ...o.backoff };
  if (o.jobId !== null) out.jobId = o.jobId;
  if (o.removeOnComplete !== false) out.removeOnComplete = o.removeOnComplete;
  if (o.removeOnFail !== false) out.removeOnFail = o.removeOnFail;
  return out;
}

/** Delay before attempt `attemptsMade + 1` after a failure. @internal */
export function backoffDelay(backoff: Backoff | null, attemptsMade: number): number {
  if (!backoff) return 0;
  if (backoff.type === 'fixed') return backoff.delayMs;
  return backoff.delayMs * 2 ** Math.max(0, attemptsMade - 1);
}

/**
 * Serializes data the way a queue that stores JSON would, refusing what JSON
 * cannot carry (BigInt, cycles) instead of storing something else.
 *
 * @internal
 */
export function toJson(value: unknown, field: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw invalidInput(field, `must be JSON-serializable (${(err as Error).message})`);
  }
  return json ?? 'null';
}

function checkRemove(value: unknown, field: string): RemoveOnFinish {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw invalidInput(field, 'must be a boolean or an integer >= 0');
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
