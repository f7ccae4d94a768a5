import type { Job, JobLogLine, Schedule, ScheduleInput, StateCounts } from '@qadmin/core';
import type { FlowRecord, QueueEngine } from './engine';
import type { JobRecord, WorkerState } from './records';
import type {
  AddOptions,
  FlowJob,
  FlowNode,
  ProcessOptions,
  Processor,
  TakeNextOptions,
} from './types';

/**
 * A processor registered with {@link MemoryQueue.process}.
 *
 * @example
 * ```ts
 * const worker = queue.process('send', async (job) => sendMail(job.data), { concurrency: 5 });
 * console.log(worker.id, worker.activeJobs);
 * await worker.close(); // stop taking jobs, wait for the running ones
 * ```
 */
export class MemoryWorker {
  readonly #state: WorkerState;
  readonly #engine: QueueEngine;

  /** @internal Created by {@link MemoryQueue.process}. */
  constructor(state: WorkerState, engine: QueueEngine) {
    this.#state = state;
    this.#engine = engine;
  }

  /** Unique in the backend; what the dashboard lists and jobs name as `workerId`. */
  get id(): string {
    return this.#state.id;
  }

  /** Display name. */
  get name(): string {
    return this.#state.name;
  }

  /** Name of the queue it consumes. */
  get queue(): string {
    return this.#engine.name;
  }

  /** The job name it runs, or `*` for every job of the queue. */
  get jobName(): string {
    return this.#state.jobName;
  }

  /** How many jobs it runs at once. */
  get concurrency(): number {
    return this.#state.concurrency;
  }

  /** Jobs whose handler is running now. */
  get activeJobs(): number {
    return this.#state.running.size;
  }

  /**
   * Stops taking new jobs and resolves once the handlers already running have
   * settled (their outcomes are recorded as usual).
   */
  close(): Promise<void> {
    return this.#engine.closeWorker(this.#state);
  }
}

/**
 * One queue of a {@link MemoryBackend}: what an app uses to add and process
 * jobs, shaped like BullMQ's `Queue` + `Worker` but synchronous where nothing
 * needs to wait. Get it with `backend.queue(name)`.
 *
 * Two ways to run jobs: register processors with {@link MemoryQueue.process}
 * (real concurrency, retries and backoff), or drive jobs by hand with
 * {@link MemoryQueue.takeNext}, {@link MemoryQueue.complete} and
 * {@link MemoryQueue.fail}, which tests and seeders use to put jobs in exact
 * states.
 *
 * Jobs are returned as {@link Job} snapshots: copies taken at the time of the
 * call, never live objects.
 *
 * @example
 * ```ts
 * import { createMemoryBackend } from '@qadmin/backend-memory';
 *
 * const backend = createMemoryBackend();
 * const emails = backend.queue('emails');
 * emails.process('send', async (job) => {
 *   await job.log(`sending to ${job.data.to}`);
 *   return { delivered: true };
 * }, { concurrency: 2 });
 * const job = emails.add('send', { to: 'a@example.com' }, { attempts: 3 });
 * console.log((await emails.whenFinished(job.id)).state); // 'completed'
 * ```
 */
export class MemoryQueue {
  readonly #engine: QueueEngine;
  readonly #snapshotFlow = (node: FlowRecord): FlowNode => ({
    job: node.engine.snapshot(node.job),
    children: node.children.map(this.#snapshotFlow),
  });

  /** @internal Created by `MemoryBackend.queue()`. */
  constructor(engine: QueueEngine) {
    this.#engine = engine;
  }

  /** The queue's name in the backend. */
  get name(): string {
    return this.#engine.name;
  }

  /** True while the queue is paused: nothing new starts. */
  get isPaused(): boolean {
    return this.#engine.paused;
  }

  /** True once the queue (or its backend) was closed or the queue obliterated. */
  get isClosed(): boolean {
    return this.#engine.closed;
  }

  /**
   * Adds a job. It starts `waiting` (FIFO), `prioritized` (with a priority),
   * `delayed` (with `delayMs`), or `waiting-children` once children are added
   * to it. A `jobId` that exists returns the existing job.
   *
   * @example
   * ```ts
   * const job = queue.add('resize', { url }, { priority: 1, attempts: 3,
   *   backoff: { type: 'fixed', delayMs: 1000 } });
   * ```
   */
  add(name: string, data?: unknown, opts?: AddOptions): Job {
    return this.#snap(this.#engine.add(name, data, opts));
  }

  /**
   * Adds a job with children (in this or other queues of the backend) at
   * once. The parent waits in `waiting-children` until every child completed,
   * then becomes runnable. A child that fails or is cancelled keeps its parent
   * waiting (retry or remove the child to let it go).
   *
   * @example
   * ```ts
   * const { job, children } = queue.addFlow({
   *   name: 'report', children: [{ name: 'fetch', data: { part: 1 } }, { name: 'fetch', data: { part: 2 } }],
   * });
   * ```
   */
  addFlow(flow: FlowJob): FlowNode {
    return this.#snapshotFlow(this.#engine.addFlow(flow));
  }

  /**
   * Registers a processor for jobs named `jobName` (or `*` for all). Each job
   * it takes is `active` while the handler runs; a resolved handler completes
   * the job with its return value, a thrown error fails the attempt (retried
   * after the backoff while attempts are left).
   *
   * @example
   * ```ts
   * const worker = queue.process('*', async (job) => {
   *   await job.updateProgress(50);
   *   return 'done';
   * }, { concurrency: 4 });
   * ```
   */
  process(jobName: string, handler: Processor, opts?: ProcessOptions): MemoryWorker {
    return new MemoryWorker(this.#engine.process(jobName, handler, opts), this.#engine);
  }

  /**
   * Moves the next runnable job (prioritized first, then waiting in FIFO
   * order) to `active` and returns it, or `null` when there is none or the
   * queue is paused; with `id`, that very job. Finish it with
   * {@link MemoryQueue.complete} or {@link MemoryQueue.fail}.
   *
   * @example
   * ```ts
   * const job = queue.takeNext({ workerId: 'seed-worker' });
   * if (job) queue.complete(job.id, { ok: true });
   * ```
   */
  takeNext(opts?: TakeNextOptions): Job | null {
    const job = this.#engine.takeNext(opts);
    return job && this.#snap(job);
  }

  /**
   * Completes an active job with a return value (stored as JSON).
   *
   * @example
   * ```ts
   * queue.complete(job.id, { rows: 120 });
   * ```
   */
  complete(id: string, returnValue?: unknown): Job {
    return this.#snap(this.#engine.complete(id, returnValue));
  }

  /**
   * Fails the current attempt of an active job. With attempts left it goes to
   * `delayed` for its backoff (or straight back to waiting); otherwise it is
   * `failed`.
   *
   * @example
   * ```ts
   * queue.fail(job.id, new Error('SMTP timeout'));
   * ```
   */
  fail(id: string, error: unknown): Job {
    return this.#snap(this.#engine.fail(id, error));
  }

  /**
   * Sets a job's progress: a number or a JSON object.
   *
   * @example
   * ```ts
   * queue.updateProgress(job.id, { done: 3, of: 10 });
   * ```
   */
  updateProgress(id: string, progress: number | Record<string, unknown>): Job {
    return this.#snap(this.#engine.updateProgress(id, progress));
  }

  /**
   * Appends a line to a job's log; returns the number of lines.
   *
   * @example
   * ```ts
   * queue.log(job.id, 'connected to SMTP');
   * ```
   */
  log(id: string, message: string): number {
    return this.#engine.log(id, message);
  }

  /**
   * A job by id, or `null`.
   *
   * @example
   * ```ts
   * const job = queue.getJob('42');
   * ```
   */
  getJob(id: string): Job | null {
    const job = this.#engine.jobs.get(id);
    return job ? this.#snap(job) : null;
  }

  /**
   * A job's log lines, oldest first.
   *
   * @example
   * ```ts
   * for (const line of queue.getLogs('42')) console.log(line.message);
   * ```
   */
  getLogs(id: string): JobLogLine[] {
    return this.#engine.logs(id).map((line) => ({ ...line }));
  }

  /**
   * Number of jobs in each state (O(1)).
   *
   * @example
   * ```ts
   * const { waiting, active, failed } = queue.counts();
   * ```
   */
  counts(): StateCounts {
    return this.#engine.counts();
  }

  /**
   * Resolves with the job once it completed, failed for good or was
   * cancelled; rejects when it is removed or the queue closes first.
   *
   * @example
   * ```ts
   * const done = await queue.whenFinished(queue.add('send', data).id);
   * ```
   */
  whenFinished(id: string): Promise<Job> {
    return this.#engine.whenFinished(id);
  }

  /**
   * Runs a failed or completed job again from its first attempt.
   *
   * @example
   * ```ts
   * queue.retry('42');
   * ```
   */
  retry(id: string): Job {
    return this.#snap(this.#engine.retry(id));
  }

  /**
   * Removes a job that is not active.
   *
   * @example
   * ```ts
   * queue.remove('42');
   * ```
   */
  remove(id: string): void {
    this.#engine.remove(id);
  }

  /**
   * Makes a delayed job runnable now.
   *
   * @example
   * ```ts
   * queue.promote('42');
   * ```
   */
  promote(id: string): Job {
    return this.#snap(this.#engine.promote(id));
  }

  /**
   * Cancels a job that has not finished; an active job's handler sees its
   * `signal` aborted and its outcome is ignored.
   *
   * @example
   * ```ts
   * queue.cancel('42');
   * ```
   */
  cancel(id: string): Job {
    return this.#snap(this.#engine.cancel(id));
  }

  /**
   * Fails an active job for good, without further attempts, aborting its handler.
   *
   * @example
   * ```ts
   * queue.discard('42');
   * ```
   */
  discard(id: string): Job {
    return this.#snap(this.#engine.discard(id));
  }

  /**
   * Marks a job that is running, or waiting to run (waiting, prioritized,
   * delayed), as completed by hand with an optional return value, without
   * running it; a running job's handler sees its `signal` aborted and its
   * outcome is ignored. Unlike {@link MemoryQueue.complete}, which a manual
   * worker calls for a job it took, this is an operator's action.
   *
   * @example
   * ```ts
   * queue.markCompleted('42', { skipped: 'sent by hand' });
   * ```
   */
  markCompleted(id: string, returnValue?: unknown): Job {
    return this.#snap(this.#engine.markCompleted(id, returnValue));
  }

  /**
   * Replaces a job's data.
   *
   * @example
   * ```ts
   * queue.updateData('42', { to: 'b@example.com' });
   * ```
   */
  updateData(id: string, data: unknown): Job {
    return this.#snap(this.#engine.updateData(id, data));
  }

  /**
   * Delays a delayed job by `delayMs` from now (0 runs it now).
   *
   * @example
   * ```ts
   * queue.changeDelay('42', 60_000);
   * ```
   */
  changeDelay(id: string, delayMs: number): Job {
    return this.#snap(this.#engine.changeDelay(id, delayMs));
  }

  /**
   * Changes the priority of a waiting or prioritized job (0 = none).
   *
   * @example
   * ```ts
   * queue.changePriority('42', 1);
   * ```
   */
  changePriority(id: string, priority: number): Job {
    return this.#snap(this.#engine.changePriority(id, priority));
  }

  /**
   * Adds a new job with the same name, data and options.
   *
   * @example
   * ```ts
   * const copy = queue.duplicate('42');
   * ```
   */
  duplicate(id: string): Job {
    return this.#snap(this.#engine.duplicate(id));
  }

  /**
   * Stops starting jobs (running ones carry on); jobs keep their states.
   *
   * @example
   * ```ts
   * queue.pause();
   * ```
   */
  pause(): void {
    this.#engine.pause();
  }

  /**
   * Starts jobs again after {@link MemoryQueue.pause}.
   *
   * @example
   * ```ts
   * queue.resume();
   * ```
   */
  resume(): void {
    this.#engine.resume();
  }

  /**
   * Creates or replaces a schedule: a cron `pattern` (croner syntax, 5 or 6
   * fields, optional `timezone`) or an `everyMs` interval. Unlike the
   * dashboard API, which asks for at least 1000 ms, any positive interval is
   * accepted here (tests use short ones). Each run adds a job named `jobName`
   * with the schedule's data and options.
   *
   * @example
   * ```ts
   * queue.upsertSchedule({ id: 'nightly', jobName: 'report', pattern: '0 3 * * *', timezone: 'Europe/Paris' });
   * queue.upsertSchedule({ id: 'heartbeat', jobName: 'ping', everyMs: 30_000 });
   * ```
   */
  upsertSchedule(input: ScheduleInput): Schedule {
    return this.#engine.scheduleSnapshot(this.#engine.upsertSchedule(input));
  }

  /**
   * Removes a schedule; throws `notFound` when there is none with that id.
   *
   * @example
   * ```ts
   * queue.removeSchedule('nightly');
   * ```
   */
  removeSchedule(id: string): void {
    this.#engine.removeSchedule(id);
  }

  /**
   * The queue's schedules with their next run times.
   *
   * @example
   * ```ts
   * for (const s of queue.schedules()) console.log(s.id, new Date(s.nextRunAt ?? 0));
   * ```
   */
  schedules(): Schedule[] {
    return this.#engine.schedules();
  }

  /**
   * Stops this queue's processors, timers and schedules. Running handlers see
   * their signal aborted and their outcome is ignored; jobs stay readable.
   *
   * @example
   * ```ts
   * await queue.close();
   * ```
   */
  async close(): Promise<void> {
    this.#engine.close();
  }

  #snap(job: JobRecord): Job {
    return this.#engine.snapshot(job);
  }
}
