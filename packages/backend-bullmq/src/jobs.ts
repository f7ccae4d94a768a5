import type { Job, JobRef, JobState } from '@qadmin/core';
import { parseJobKey, type QueueRef } from './keys';

/** A BullMQ job hash as HGETALL returns it. */
export type JobHash = Record<string, string>;

/** BullMQ's name of a canonical state (the list or set that holds it). */
export const NATIVE_STATE: Partial<Record<JobState, string>> = {
  waiting: 'wait',
  prioritized: 'prioritized',
  'waiting-children': 'waiting-children',
  delayed: 'delayed',
  active: 'active',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
};

/** The canonical state of BullMQ's `Job.getState()` answer (`null` when unknown). */
export function stateOfNative(native: string, queuePaused: boolean): JobState | null {
  switch (native) {
    case 'waiting':
    case 'wait':
      return queuePaused ? 'paused' : 'waiting';
    case 'paused':
      return 'paused';
    case 'prioritized':
    case 'delayed':
    case 'active':
    case 'completed':
    case 'failed':
    case 'waiting-children':
      return native;
    default:
      return null;
  }
}

function parseJson(text: string | undefined, fallback: unknown): unknown {
  if (text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function int(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * BullMQ stores some job options under short keys; these are the ones a
 * person reads in the dashboard (the rest are shown as stored).
 */
const OPTION_NAMES: Record<string, string> = {
  de: 'deduplication',
  fpof: 'failParentOnFailure',
  cpof: 'continueParentOnFailure',
  idof: 'ignoreDependencyOnFailure',
  kl: 'keepLogs',
  rdof: 'removeDependencyOnFailure',
  tm: 'telemetryMetadata',
  omc: 'omitContext',
};

function options(raw: string | undefined): Record<string, unknown> {
  const parsed = parseJson(raw, {});
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) out[OPTION_NAMES[key] ?? key] = value;
  return out;
}

function progress(raw: string | undefined): Job['progress'] {
  const value = parseJson(raw, null);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  return null;
}

/** The children of a parent job, from its dependency keys. */
export function childRefs(
  queue: QueueRef,
  nameOf: (ref: QueueRef) => string | null,
  pending: readonly string[],
  processed: readonly string[],
  failed: readonly string[],
): JobRef[] {
  const refs: JobRef[] = [];
  const add = (key: string, state: JobState | undefined) => {
    const parsed = parseJobKey(key);
    if (!parsed) return;
    const name = nameOf(parsed) ?? (parsed.prefix === queue.prefix ? parsed.name : null);
    if (name === null) return;
    refs.push(state ? { queue: name, id: parsed.id, state } : { queue: name, id: parsed.id });
  };
  for (const key of processed) add(key, 'completed');
  for (const key of failed) add(key, 'failed');
  for (const key of pending) add(key, undefined);
  return refs;
}

/** A dashboard job from BullMQ's job hash, in a state the caller already knows. */
export function toJob(
  id: string,
  hash: JobHash,
  state: JobState,
  nativeState: string,
  parentOf: (key: string) => JobRef | null,
  children: JobRef[],
): Job {
  const opts = options(hash.opts);
  const createdAt = int(hash.timestamp) ?? 0;
  const delay = int(hash.delay) ?? 0;
  const attempts = typeof opts.attempts === 'number' && opts.attempts > 0 ? opts.attempts : 1;
  const stacktrace = parseJson(hash.stacktrace, []);
  return {
    id,
    name: hash.name ?? '',
    state,
    nativeState,
    data: parseJson(hash.data, null),
    options: opts,
    progress: progress(hash.progress),
    // BullMQ stores some fields under short names (`atm`, `pb`); older versions wrote them long.
    attemptsMade: Math.max(0, int(hash.atm ?? hash.attemptsMade) ?? 0),
    attemptsAllowed: Math.trunc(attempts),
    priority: int(hash.priority) || null,
    createdAt,
    delayedUntil: state === 'delayed' ? createdAt + delay : null,
    processedAt: int(hash.processedOn),
    finishedAt: state === 'completed' || state === 'failed' ? int(hash.finishedOn) : null,
    returnValue: parseJson(hash.returnvalue, null),
    failedReason: hash.failedReason ? hash.failedReason : null,
    stacktrace: Array.isArray(stacktrace) ? stacktrace.map(String) : [],
    parent: hash.parentKey ? parentOf(hash.parentKey) : null,
    children,
    workerId: (hash.pb ?? hash.processedBy) || null,
  };
}
