import type { JobLogLine, JobRef, JobState } from '@qadmin/core';
import type { Cron } from 'croner';
import type { CursorKey } from './cursor';
import type { NormalizedOptions } from './options';
import { SortedList } from './sorted-list';
import type { Processor } from './types';

/**
 * The states the memory backend reports. It never reports `paused` (a paused
 * queue keeps its jobs in their states and starts nothing) nor `abandoned`.
 *
 * @example
 * ```ts
 * import { MEMORY_STATES } from '@qadmin/backend-memory';
 * console.log(MEMORY_STATES.includes('cancelled')); // true
 * ```
 */
export const MEMORY_STATES = [
  'waiting',
  'prioritized',
  'waiting-children',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly JobState[];

/**
 * A state the memory backend reports.
 *
 * @example
 * ```ts
 * const state: MemoryJobState = 'waiting-children';
 * ```
 */
export type MemoryJobState = (typeof MEMORY_STATES)[number];

/** States a job leaves only by retry (or removal). @internal */
export const FINISHED_STATES = ['completed', 'failed', 'cancelled'] as const;
/** @internal */
export type FinishedState = (typeof FINISHED_STATES)[number];

/** States `retry` and `retry-all` accept (what the capabilities declare, too). @internal */
export const RETRY_STATES = ['failed', 'completed'] as const satisfies readonly FinishedState[];

/** One run of a job: from the moment it became active until it left `active`. @internal */
export interface Run {
  readonly controller: AbortController;
  readonly workerId: string | null;
  /** Taken with `takeNext` rather than by a registered processor. */
  readonly manual: boolean;
}

/**
 * A job as the memory backend keeps it. Data, return value and progress are
 * stored as JSON text, as a queue over Redis or SQL would store them, so what
 * an app reads back is a copy and never shares objects with the store.
 *
 * @internal
 */
export interface JobRecord {
  readonly queue: string;
  readonly id: string;
  /** Tie-breaker of the creation order: unique and increasing in the backend. */
  readonly seq: number;
  readonly name: string;
  readonly createdAt: number;
  readonly scheduleId: string | null;
  state: MemoryJobState;
  dataJson: string;
  options: NormalizedOptions;
  progressJson: string;
  attemptsMade: number;
  /** 0 means none (a plain FIFO job). */
  priority: number;
  delayedUntil: number | null;
  processedAt: number | null;
  finishedAt: number | null;
  returnJson: string;
  failedReason: string | null;
  stacktrace: string[];
  parent: JobRef | null;
  children: JobRef[];
  /** Children that exist and have not completed; the parent waits while this is above 0. */
  pendingChildren: number;
  workerId: string | null;
  logs: JobLogLine[];
  /** When the job last became runnable: the FIFO order among equal priorities. */
  readySeq: number;
  run: Run | null;
}

/** A registered processor and its running jobs. @internal */
export interface WorkerState {
  readonly id: string;
  readonly name: string;
  readonly jobName: string;
  readonly concurrency: number;
  readonly handler: Processor;
  readonly startedAt: number;
  lastActiveAt: number;
  readonly running: Set<Run>;
  closing: boolean;
  readonly drained: (() => void)[];
}

/** A `takeNext` caller that named itself, listed while it holds active jobs. @internal */
export interface ManualWorkerState {
  readonly startedAt: number;
  lastSeenAt: number;
  activeJobs: number;
}

/** A schedule and its timer. @internal */
export interface ScheduleRecord {
  readonly id: string;
  readonly jobName: string;
  readonly pattern: string | null;
  readonly everyMs: number | null;
  readonly timezone: string | null;
  readonly cron: Cron | null;
  readonly dataJson: string;
  readonly options: Record<string, unknown>;
  readonly addOptions: NormalizedOptions;
  nextRunAt: number | null;
  lastRunAt: number | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Creation order: what job lists use, and where a job sits relative to a
 * cursor position (a job is its own cursor key). @internal
 */
export function byCreation(a: CursorKey, b: CursorKey): number {
  return a.createdAt - b.createdAt || a.seq - b.seq;
}

/** Run order: prioritized before plain, lower priority number first, then FIFO. @internal */
export function byRunOrder(a: JobRecord, b: JobRecord): number {
  return (
    (a.priority > 0 ? 0 : 1) - (b.priority > 0 ? 0 : 1) ||
    a.priority - b.priority ||
    a.readySeq - b.readySeq
  );
}

/** When delayed jobs are due. @internal */
export function byDueTime(a: JobRecord, b: JobRecord): number {
  return (a.delayedUntil ?? 0) - (b.delayedUntil ?? 0) || a.seq - b.seq;
}

/** When finished jobs finished: what `clean` and `removeOnComplete: N` use. @internal */
export function byFinishTime(a: JobRecord, b: JobRecord): number {
  return (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.seq - b.seq;
}

/**
 * Jobs in one order (creation order by default), with one sub-list per job
 * name so a list filtered by name is as cheap as an unfiltered one. A queue
 * keeps one per state, and one in run order for the jobs it can start.
 *
 * @internal
 */
export class NamedIndex {
  readonly #compare: (a: JobRecord, b: JobRecord) => number;
  readonly all: SortedList<JobRecord>;
  readonly #byName = new Map<string, SortedList<JobRecord>>();

  constructor(compare: (a: JobRecord, b: JobRecord) => number = byCreation) {
    this.#compare = compare;
    this.all = new SortedList(compare);
  }

  get size(): number {
    return this.all.size;
  }

  add(job: JobRecord): void {
    this.all.add(job);
    let named = this.#byName.get(job.name);
    if (!named) {
      named = new SortedList(this.#compare);
      this.#byName.set(job.name, named);
    }
    named.add(job);
  }

  delete(job: JobRecord): void {
    this.all.delete(job);
    const named = this.#byName.get(job.name);
    if (named) {
      named.delete(job);
      if (named.size === 0) this.#byName.delete(job.name);
    }
  }

  clear(): void {
    this.all.clear();
    this.#byName.clear();
  }

  list(name?: string): SortedList<JobRecord> | undefined {
    return name === undefined ? this.all : this.#byName.get(name);
  }
}
