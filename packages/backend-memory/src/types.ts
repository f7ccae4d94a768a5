import type { Job } from '@qadmin/core';

/**
 * How long a failed attempt waits before the next one: always `delayMs`
 * (`fixed`), or `delayMs * 2^(attempt - 1)` (`exponential`, as in BullMQ).
 *
 * @example
 * ```ts
 * const backoff: Backoff = { type: 'exponential', delayMs: 1000 }; // 1 s, 2 s, 4 s, ...
 * ```
 */
export interface Backoff {
  type: 'fixed' | 'exponential';
  delayMs: number;
}

/**
 * Keep finished jobs or not: `true` removes the job as soon as it finishes,
 * a number keeps only that many of the newest finished jobs of the queue.
 *
 * @example
 * ```ts
 * const keepLastHundred: RemoveOnFinish = 100;
 * ```
 */
export type RemoveOnFinish = boolean | number;

/**
 * Options of {@link MemoryQueue.add}.
 *
 * @example
 * ```ts
 * queue.add('send', { to: 'a@example.com' }, {
 *   attempts: 3, backoff: { type: 'exponential', delayMs: 500 }, priority: 1, delayMs: 10_000,
 * });
 * ```
 */
export interface AddOptions {
  /**
   * Run no earlier than this many milliseconds from now (state `delayed`
   * until then); for a flow parent, from when its children completed.
   */
  delayMs?: number;
  /** 1 is the highest priority; 0 or none means a plain FIFO `waiting` job. */
  priority?: number;
  /** Total attempts before the job stays `failed` (default 1). */
  attempts?: number;
  /** Wait between a failed attempt and the next one (default: none). */
  backoff?: Backoff;
  /** Own id instead of the queue's counter; adding an id that exists returns the existing job. */
  jobId?: string;
  /** Make this job a child: the parent stays in `waiting-children` until its children completed. */
  parent?: { queue: string; id: string };
  /** Remove the job when it completes (`true`) or keep only the newest N completed jobs. */
  removeOnComplete?: RemoveOnFinish;
  /** Remove the job when it finally fails (`true`) or keep only the newest N failed jobs. */
  removeOnFail?: RemoveOnFinish;
}

/**
 * A job and its descendants to add at once with {@link MemoryQueue.addFlow}:
 * the parent waits in `waiting-children` until every child completed.
 *
 * @example
 * ```ts
 * const flow: FlowJob = {
 *   name: 'render-report', data: { id: 7 },
 *   children: [
 *     { name: 'fetch-sales', data: { id: 7 } },
 *     { name: 'fetch-costs', queue: 'finance', data: { id: 7 } },
 *   ],
 * };
 * ```
 */
export interface FlowJob {
  name: string;
  data?: unknown;
  /** Queue of this node; defaults to the queue of its parent (or of the call). */
  queue?: string;
  opts?: Omit<AddOptions, 'parent'>;
  children?: FlowJob[];
}

/**
 * What {@link MemoryQueue.addFlow} returns: every created job, as a tree.
 *
 * @example
 * ```ts
 * const { job, children } = queue.addFlow(flow);
 * console.log(job.state); // 'waiting-children'
 * ```
 */
export interface FlowNode {
  job: Job;
  children: FlowNode[];
}

/**
 * What a processor receives for each job it runs.
 *
 * @example
 * ```ts
 * queue.process('resize', async (job: JobContext<{ url: string }>) => {
 *   job.log(`fetching ${job.data.url}`);
 *   await job.updateProgress(50);
 *   if (job.signal.aborted) return;
 *   return { ok: true };
 * });
 * ```
 */
export interface JobContext<D = any> {
  readonly id: string;
  readonly name: string;
  readonly queue: string;
  /** A fresh copy of the job's data (data is stored as JSON, as a real queue would). */
  readonly data: D;
  /** Attempts finished before this one (0 on the first run). */
  readonly attemptsMade: number;
  /** Id of the worker running the job. */
  readonly workerId: string;
  /**
   * Aborted when the job is cancelled or discarded from the dashboard, or the
   * queue is closed. The outcome of an aborted run is ignored.
   */
  readonly signal: AbortSignal;
  /** Report progress: a number (usually 0-100) or a JSON object. */
  updateProgress(progress: number | Record<string, unknown>): Promise<void>;
  /** Append a line to the job's log. */
  log(message: string): Promise<void>;
}

/**
 * A processor: resolve to complete the job with the returned value (stored as
 * JSON), throw or reject to fail the attempt.
 *
 * @example
 * ```ts
 * const handler: Processor<{ to: string }> = async (job) => ({ sentTo: job.data.to });
 * ```
 */
export type Processor<D = any> = (job: JobContext<D>) => unknown;

/**
 * Options of {@link MemoryQueue.process}.
 *
 * @example
 * ```ts
 * queue.process('*', handler, { concurrency: 4, name: 'image-workers' });
 * ```
 */
export interface ProcessOptions {
  /** How many jobs this worker runs at once (default 1). */
  concurrency?: number;
  /** Worker id shown in the dashboard (default: generated, unique in the backend). */
  id?: string;
  /** Display name shown in the dashboard (default `<queue>:<jobName>`). */
  name?: string;
}

/**
 * Options of {@link MemoryQueue.takeNext}, the manual way to move a job to
 * `active` (for tests, seeders and hand-driven workers).
 *
 * @example
 * ```ts
 * const job = queue.takeNext({ workerId: 'seed-worker', name: 'send' });
 * ```
 */
export interface TakeNextOptions {
  /** Holder of the job; a manual worker with this id is listed while it holds active jobs. */
  workerId?: string;
  /** Only take a job with this name. */
  name?: string;
  /**
   * Take this job, if it is waiting or prioritized (else `null`), whatever
   * its place in line and even while the queue is paused: how a seeder puts
   * one particular job in `active`.
   */
  id?: string;
}
