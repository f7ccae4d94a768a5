import {
  type BackendEvent,
  conflict,
  invalidInput,
  type Job,
  type JobLogLine,
  type JobOrder,
  type JobRef,
  type JobState,
  notFound,
  type Schedule,
  type ScheduleInput,
  type StateCounts,
  type Worker,
} from '@qadmin/core';
import { Cron } from 'croner';
import type { CursorKey } from './cursor';
import { MetricsRecorder } from './metrics';
import {
  backoffDelay,
  describeOptions,
  type NormalizedOptions,
  normalizeOptions,
  optionsFromRecord,
  toJson,
} from './options';
import {
  byCreation,
  byDueTime,
  byFinishTime,
  byRunOrder,
  FINISHED_STATES,
  type FinishedState,
  type JobRecord,
  type ManualWorkerState,
  MEMORY_STATES,
  type MemoryJobState,
  NamedIndex,
  RETRY_STATES,
  type Run,
  type ScheduleRecord,
  type WorkerState,
} from './records';
import { SortedList } from './sorted-list';
import type {
  AddOptions,
  FlowJob,
  JobContext,
  ProcessOptions,
  Processor,
  TakeNextOptions,
} from './types';

/** What a queue needs from the backend that owns it. @internal */
export interface EngineHost {
  now(): number;
  nextSeq(): number;
  emit(event: BackendEvent): void;
  /** A queue by name (closed ones included), if there is one. */
  engine(name: string): QueueEngine | undefined;
  /** A queue by name, created when missing (flows may target new queues). */
  engineOrCreate(name: string): QueueEngine;
  /** A worker id no other worker of the backend has. */
  workerId(queue: string, wanted: string | undefined): string;
  readonly metricsRetentionMs: number;
}

/** A finished-job waiter of {@link QueueEngine.whenFinished}. */
interface FinishWaiter {
  resolve(job: Job): void;
  reject(error: unknown): void;
}

/** A validated flow node, ready to create. */
interface PreparedFlow {
  queue: string;
  name: string;
  dataJson: string;
  options: NormalizedOptions;
  children: PreparedFlow[];
}

/** A created flow node. @internal */
export interface FlowRecord {
  engine: QueueEngine;
  job: JobRecord;
  children: FlowRecord[];
}

const RUNNABLE: ReadonlySet<JobState> = new Set(['waiting', 'prioritized']);
const FINISHED: ReadonlySet<JobState> = new Set(FINISHED_STATES);
const RETRYABLE: ReadonlySet<JobState> = new Set(RETRY_STATES);
/** Cancel stops any job that has not finished. */
const CANCELLABLE: ReadonlySet<JobState> = new Set(MEMORY_STATES.filter((s) => !FINISHED.has(s)));
/** What `markCompleted` finishes by hand: a running job, or one waiting to run. */
const COMPLETABLE: ReadonlySet<JobState> = new Set(['active', 'waiting', 'prioritized', 'delayed']);
/** A parent can gain children until it starts. */
const ACCEPTS_CHILDREN: ReadonlySet<JobState> = new Set(
  [...CANCELLABLE].filter((s) => s !== 'active'),
);
/** setTimeout's limit; longer delays are re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** When a timer fires before its job is due (a clock that stands still), wait at least this. */
const EARLY_REARM_MS = 50;

/**
 * One queue of the memory backend: its jobs, the ordered indexes that keep
 * counts O(1) and pages cheap, its processors, schedules, timers and metrics.
 * Apps reach it through {@link MemoryQueue}; the backend's `QueueBackend`
 * methods call it directly.
 *
 * Every state change goes through {@link QueueEngine.#move}: it takes the job
 * out of the indexes of its old state, applies the change, puts it in the
 * indexes of the new state, emits the event and settles the parent of a
 * flow. Nothing else touches the indexes.
 *
 * @internal
 */
export class QueueEngine {
  readonly name: string;
  readonly jobs = new Map<string, JobRecord>();
  readonly metrics: MetricsRecorder;
  paused = false;
  closed = false;

  readonly #host: EngineHost;
  readonly #indexes = new Map<MemoryJobState, NamedIndex>(
    MEMORY_STATES.map((state) => [state, new NamedIndex()]),
  );
  readonly #finishedOrder = new Map<FinishedState, SortedList<JobRecord>>(
    FINISHED_STATES.map((state) => [state, new SortedList<JobRecord>(byFinishTime)]),
  );
  /** Waiting and prioritized jobs in the order processors take them. */
  readonly #runnable = new NamedIndex(byRunOrder);
  readonly #delayed = new SortedList<JobRecord>(byDueTime);
  readonly #workers = new Set<WorkerState>();
  readonly #manualWorkers = new Map<string, ManualWorkerState>();
  readonly #schedules = new Map<string, ScheduleRecord>();
  readonly #finishWaiters = new Map<string, FinishWaiter[]>();
  #nextJobId = 1;
  #delayTimer: { handle: NodeJS.Timeout; at: number } | null = null;
  #pumpHandle: NodeJS.Immediate | null = null;

  constructor(name: string, host: EngineHost) {
    this.name = name;
    this.#host = host;
    this.metrics = new MetricsRecorder(host.metricsRetentionMs);
  }

  // ------------------------------------------------------------------ reads

  counts(): StateCounts {
    const counts: StateCounts = {};
    for (const [state, index] of this.#indexes) counts[state] = index.size;
    return counts;
  }

  count(state: JobState, name?: string): number {
    return this.#index(state)?.list(name)?.size ?? 0;
  }

  get(id: string): JobRecord {
    const job = this.jobs.get(id);
    if (!job) throw notFound('job', id);
    return job;
  }

  /**
   * Jobs of a state in creation order (`oldest` ascending, `newest`
   * descending), strictly after the cursor position `after` when given, then
   * skipping `skip` jobs.
   */
  *walk(
    state: JobState,
    name: string | undefined,
    order: JobOrder,
    after: CursorKey | null,
    skip: number,
  ): Generator<JobRecord, void, undefined> {
    const list = this.#index(state)?.list(name);
    if (!list) return;
    if (order === 'oldest') {
      yield* list.ascending(after ? (job) => byCreation(job, after) > 0 : undefined, skip);
    } else {
      yield* list.descending(after ? (job) => byCreation(job, after) >= 0 : undefined, skip);
    }
  }

  snapshot(job: JobRecord): Job {
    const options = describeOptions(job.options);
    if (job.scheduleId !== null) options.repeat = { scheduleId: job.scheduleId };
    if (job.parent) options.parent = { ...job.parent };
    const children: JobRef[] = [];
    for (const ref of job.children) {
      const child = this.#host.engine(ref.queue)?.jobs.get(ref.id);
      // Removed children drop out of the list; the parent no longer waits for them.
      if (child) children.push({ queue: ref.queue, id: ref.id, state: child.state });
    }
    const parent = job.parent && this.#host.engine(job.parent.queue)?.jobs.get(job.parent.id);
    return {
      id: job.id,
      name: job.name,
      state: job.state,
      nativeState: job.state,
      data: JSON.parse(job.dataJson),
      options,
      progress: JSON.parse(job.progressJson),
      attemptsMade: job.attemptsMade,
      attemptsAllowed: job.options.attempts,
      priority: job.priority > 0 ? job.priority : null,
      createdAt: job.createdAt,
      delayedUntil: job.delayedUntil,
      processedAt: job.processedAt,
      finishedAt: job.finishedAt,
      returnValue: JSON.parse(job.returnJson),
      failedReason: job.failedReason,
      stacktrace: [...job.stacktrace],
      parent: job.parent && {
        queue: job.parent.queue,
        id: job.parent.id,
        ...(parent ? { state: parent.state } : {}),
      },
      children,
      workerId: job.workerId,
    };
  }

  logs(id: string): readonly JobLogLine[] {
    return this.get(id).logs;
  }

  hasWorker(id: string): boolean {
    for (const w of this.#workers) if (w.id === id) return true;
    return this.#manualWorkers.has(id);
  }

  workerCount(): number {
    return this.#workers.size + this.#manualWorkers.size;
  }

  workers(): Worker[] {
    const now = this.#host.now();
    const list: Worker[] = [];
    for (const w of this.#workers) {
      list.push({
        id: w.id,
        name: w.name,
        queues: [this.name],
        address: null,
        startedAt: w.startedAt,
        // An in-process worker is alive as long as it is registered.
        lastSeenAt: now,
        idleMs: w.running.size > 0 ? 0 : Math.max(0, now - w.lastActiveAt),
        concurrency: w.concurrency,
        activeJobs: w.running.size,
      });
    }
    for (const [id, w] of this.#manualWorkers) {
      list.push({
        id,
        name: null,
        queues: [this.name],
        address: null,
        startedAt: w.startedAt,
        lastSeenAt: w.lastSeenAt,
        idleMs: null,
        concurrency: null,
        activeJobs: w.activeJobs,
      });
    }
    return list;
  }

  schedules(): Schedule[] {
    return [...this.#schedules.values()].map((s) => this.#scheduleSnapshot(s));
  }

  // ------------------------------------------------------------- adding

  /**
   * Adds a job. An existing `jobId` returns the existing job (`dedupe`, what
   * queue libraries do) or throws `conflict` (what an operator adding a job
   * from the dashboard should see).
   */
  add(
    name: string,
    data: unknown,
    opts: AddOptions | undefined,
    onExisting: 'dedupe' | 'conflict' = 'dedupe',
    field = 'options',
  ): JobRecord {
    this.#assertOpen();
    assertName(name);
    const options = normalizeOptions(opts, field);
    const dataJson = toJson(data, 'data');
    if (options.jobId !== null) {
      const existing = this.jobs.get(options.jobId);
      if (existing) {
        if (onExisting === 'conflict') {
          throw conflict(`A job with id ${JSON.stringify(options.jobId)} already exists`);
        }
        return existing;
      }
    }
    let parent: { engine: QueueEngine; job: JobRecord } | null = null;
    if (opts?.parent) {
      const engine = this.#host.engine(opts.parent.queue);
      const job = engine?.jobs.get(opts.parent.id);
      if (!engine || !job) throw notFound('job', opts.parent.id);
      if (!ACCEPTS_CHILDREN.has(job.state)) {
        throw conflict(
          `Parent job ${job.id} is ${job.state}: children can only be added to a job that has not started`,
        );
      }
      parent = { engine, job };
    }
    const job = this.#create(name, dataJson, options, {
      parent: parent && { queue: parent.engine.name, id: parent.job.id },
    });
    if (parent) parent.engine.#linkChild(parent.job, { queue: this.name, id: job.id });
    return job;
  }

  /** Adds a parent and its children (in any queue of the backend) at once. */
  addFlow(flow: FlowJob): FlowRecord {
    this.#assertOpen();
    const prepared = this.#prepareFlow(flow, this.name, 'flow');
    // Check every target queue first so a refused flow creates nothing.
    const queues = new Set<string>();
    const collect = (node: PreparedFlow): void => {
      queues.add(node.queue);
      for (const child of node.children) collect(child);
    };
    collect(prepared);
    for (const name of queues) {
      if (this.#host.engine(name)?.closed) throw conflict(`Queue ${name} is closed`);
    }
    return this.#createFlow(prepared, null);
  }

  duplicate(id: string): JobRecord {
    this.#assertOpen();
    const source = this.get(id);
    return this.#create(source.name, source.dataJson, { ...source.options, jobId: null }, {});
  }

  // -------------------------------------------------------- manual worker

  takeNext(opts: TakeNextOptions = {}): JobRecord | null {
    this.#assertOpen();
    let job: JobRecord | undefined;
    if (opts.id !== undefined) {
      // An explicit pick, like an operator's: it ignores pause but not state.
      job = this.jobs.get(opts.id);
      if (!job || !RUNNABLE.has(job.state)) return null;
      if (opts.name !== undefined && job.name !== opts.name) return null;
    } else {
      if (this.paused) return null;
      job = this.#peekRunnable(opts.name);
    }
    if (!job) return null;
    this.#start(job, opts.workerId ?? null, true);
    return job;
  }

  complete(id: string, returnValue: unknown): JobRecord {
    this.#assertOpen();
    const job = this.#activeJob(id, 'completed');
    this.#completeActive(job, toJson(returnValue, 'returnValue'));
    return job;
  }

  fail(id: string, error: unknown): JobRecord {
    this.#assertOpen();
    const job = this.#activeJob(id, 'failed');
    this.#failActive(job, error);
    return job;
  }

  updateProgress(id: string, progress: unknown): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    this.#setProgress(job, progress);
    return job;
  }

  log(id: string, message: string): number {
    this.#assertOpen();
    const job = this.get(id);
    this.#appendLog(job, message);
    return job.logs.length;
  }

  // ------------------------------------------------------------- actions

  retry(id: string): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    if (!RETRYABLE.has(job.state)) {
      throw conflict(`Job ${id} is ${job.state}: only failed or completed jobs can be retried`);
    }
    this.#retry(job);
    return job;
  }

  remove(id: string): void {
    this.#assertOpen();
    const job = this.get(id);
    if (job.state === 'active') {
      throw conflict(`Job ${id} is active: cancel or discard it before removing it`);
    }
    this.#removeRecord(job);
  }

  promote(id: string): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    if (job.state !== 'delayed') {
      throw conflict(`Job ${id} is ${job.state}: only delayed jobs can be promoted`);
    }
    this.#promote(job);
    return job;
  }

  cancel(id: string): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    if (!CANCELLABLE.has(job.state)) {
      throw conflict(
        `Job ${id} is ${job.state}: only jobs that have not finished can be cancelled`,
      );
    }
    const now = this.#host.now();
    const run = this.#endRun(job);
    this.#move(job, 'cancelled', () => {
      job.finishedAt = now;
      job.delayedUntil = null;
    });
    run?.controller.abort(abortError('Job cancelled'));
    return job;
  }

  discard(id: string): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    if (job.state !== 'active') {
      throw conflict(`Job ${id} is ${job.state}: only active jobs can be discarded`);
    }
    const run = this.#endRun(job);
    job.attemptsMade++;
    job.failedReason = 'Job discarded';
    this.#failForGood(job);
    run?.controller.abort(abortError('Job discarded'));
    return job;
  }

  /**
   * An operator's completion: a job that is running, or waiting to run, is
   * completed now without running (further). A running job's handler sees its
   * signal aborted and its outcome is ignored; it keeps the attempt it made.
   */
  markCompleted(id: string, returnValue: unknown): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    if (!COMPLETABLE.has(job.state)) {
      throw conflict(
        `Job ${id} is ${job.state}: only active, waiting, prioritized or delayed jobs can be marked completed`,
      );
    }
    const returnJson = toJson(returnValue, 'body.returnValue');
    if (job.state === 'active') {
      const run = job.run;
      this.#completeActive(job, returnJson);
      run?.controller.abort(abortError('Job completed by hand'));
      return job;
    }
    const now = this.#host.now();
    this.#move(job, 'completed', () => {
      job.finishedAt = now;
      job.delayedUntil = null;
      job.returnJson = returnJson;
    });
    this.#record('completed', job);
    this.#trim(job, 'completed', job.options.removeOnComplete);
    return job;
  }

  updateData(id: string, data: unknown): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    job.dataJson = toJson(data, 'body.data');
    this.#emitJob(job);
    return job;
  }

  changeDelay(id: string, delayMs: number): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    if (job.state !== 'delayed') {
      throw conflict(`Job ${id} is ${job.state}: only delayed jobs can have their delay changed`);
    }
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw invalidInput('body.delayMs', 'must be a number >= 0');
    }
    const now = this.#host.now();
    this.#move(job, 'delayed', () => {
      job.delayedUntil = now + delayMs;
    });
    this.promoteDue();
    return job;
  }

  changePriority(id: string, priority: number): JobRecord {
    this.#assertOpen();
    const job = this.get(id);
    if (job.state !== 'waiting' && job.state !== 'prioritized') {
      throw conflict(
        `Job ${id} is ${job.state}: only waiting or prioritized jobs can change priority`,
      );
    }
    if (!Number.isInteger(priority) || priority < 0) {
      throw invalidInput('body.priority', 'must be an integer >= 0');
    }
    this.#move(job, priority > 0 ? 'prioritized' : 'waiting', () => {
      job.priority = priority;
      job.options = { ...job.options, priority };
    });
    return job;
  }

  // -------------------------------------------------------- bulk actions

  retryAll(state: JobState): number {
    this.#assertOpen();
    if (!RETRYABLE.has(state)) {
      throw invalidInput('body.state', `retry-all accepts ${RETRY_STATES.join(', ')}`);
    }
    const jobs = [...this.walk(state, undefined, 'oldest', null, 0)];
    for (const job of jobs) this.#retry(job);
    return jobs.length;
  }

  promoteAll(): number {
    this.#assertOpen();
    const jobs = [...this.#delayed.ascending()];
    for (const job of jobs) this.#promote(job);
    return jobs.length;
  }

  /**
   * Removes up to `limit` jobs of `state` that finished (finished states) or
   * were created (other states) at least `olderThanMs` ago, oldest first.
   */
  clean(state: JobState, olderThanMs: number, limit: number): number {
    this.#assertOpen();
    if (state === 'active') throw conflict('Active jobs cannot be cleaned: cancel them first');
    const cutoff = this.#host.now() - olderThanMs;
    const finished = this.#finishedOrder.get(state as FinishedState);
    const ordered = finished ?? this.#index(state)?.all;
    if (!ordered) return 0;
    const victims: JobRecord[] = [];
    for (const job of ordered.ascending()) {
      if (victims.length >= limit) break;
      const at = finished ? (job.finishedAt ?? job.createdAt) : job.createdAt;
      if (at > cutoff) break;
      victims.push(job);
    }
    for (const job of victims) this.#removeRecord(job);
    return victims.length;
  }

  /** Removes every job that is not active. */
  empty(): number {
    this.#assertOpen();
    const victims: JobRecord[] = [];
    for (const [state, index] of this.#indexes) {
      if (state !== 'active') victims.push(...index.all.ascending());
    }
    for (const job of victims) this.#removeRecord(job);
    return victims.length;
  }

  pause(): void {
    this.#assertOpen();
    if (this.paused) return;
    this.paused = true;
    this.#host.emit({ type: 'queue', queue: this.name, paused: true });
  }

  resume(): void {
    this.#assertOpen();
    if (!this.paused) return;
    this.paused = false;
    this.#host.emit({ type: 'queue', queue: this.name, paused: false });
    this.#requestPump();
  }

  /**
   * Removes every job and schedule and closes the queue; the backend forgets
   * it. Refused while jobs are active, as removing a running job is.
   */
  obliterate(): number {
    this.#assertOpen();
    const active = this.count('active');
    if (active > 0) {
      throw conflict(`Queue ${this.name} has ${active} active jobs: cancel them first`);
    }
    const removed = this.jobs.size;
    for (const job of this.jobs.values()) {
      // Parents in other queues stop waiting for the children that disappear here.
      if (job.parent && job.parent.queue !== this.name && job.state !== 'completed') {
        this.#host.engine(job.parent.queue)?.childDelta(job.parent.id, -1);
      }
      this.#rejectWaiters(job.id, notFound('job', job.id));
    }
    this.close();
    // An app may still hold the old MemoryQueue: it reads an empty queue and
    // no longer keeps the jobs alive.
    this.jobs.clear();
    for (const index of this.#indexes.values()) index.clear();
    for (const list of this.#finishedOrder.values()) list.clear();
    this.#runnable.clear();
    this.#delayed.clear();
    this.#manualWorkers.clear();
    this.#schedules.clear();
    this.metrics.clear();
    return removed;
  }

  // ----------------------------------------------------------- processors

  process(jobName: string, handler: Processor, opts: ProcessOptions = {}): WorkerState {
    this.#assertOpen();
    assertName(jobName);
    if (typeof handler !== 'function') throw invalidInput('handler', 'must be a function');
    const concurrency = opts.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw invalidInput('concurrency', 'must be an integer >= 1');
    }
    const now = this.#host.now();
    const worker: WorkerState = {
      id: this.#host.workerId(this.name, opts.id),
      name: opts.name ?? `${this.name}:${jobName}`,
      jobName,
      concurrency,
      handler,
      startedAt: now,
      lastActiveAt: now,
      running: new Set(),
      closing: false,
      drained: [],
    };
    this.#workers.add(worker);
    this.#requestPump();
    return worker;
  }

  /** Stops a processor from taking jobs; resolves when its running jobs settled. */
  closeWorker(worker: WorkerState): Promise<void> {
    worker.closing = true;
    if (worker.running.size === 0) {
      this.#workers.delete(worker);
      return Promise.resolve();
    }
    return new Promise((resolve) => worker.drained.push(resolve));
  }

  // ------------------------------------------------------------- schedules

  upsertSchedule(input: ScheduleInput): ScheduleRecord {
    this.#assertOpen();
    if (typeof input.id !== 'string' || input.id.length === 0) {
      throw invalidInput('body.id', 'must be a non-empty string');
    }
    assertName(input.jobName, 'body.jobName');
    if ((input.pattern === undefined) === (input.everyMs === undefined)) {
      throw invalidInput('body.pattern', 'Give exactly one of pattern or everyMs');
    }
    if (input.everyMs !== undefined && (!Number.isInteger(input.everyMs) || input.everyMs < 1)) {
      throw invalidInput('body.everyMs', 'must be a positive integer');
    }
    const timezone = input.timezone ?? null;
    let cron: Cron | null = null;
    if (input.pattern !== undefined) {
      try {
        cron = new Cron(input.pattern, { paused: true, ...(timezone ? { timezone } : {}) });
      } catch (err) {
        throw invalidInput('body.pattern', (err as Error).message);
      }
    }
    if (timezone !== null) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      } catch {
        throw invalidInput('body.timezone', 'must be an IANA time zone such as Europe/Paris');
      }
    }
    const options = input.options ?? {};
    const record: ScheduleRecord = {
      id: input.id,
      jobName: input.jobName,
      pattern: input.pattern ?? null,
      everyMs: input.everyMs ?? null,
      timezone,
      cron,
      dataJson: toJson(input.data ?? null, 'body.data'),
      options: JSON.parse(toJson(options, 'body.options')),
      addOptions: { ...normalizeOptions(optionsFromRecord(options), 'body.options'), jobId: null },
      nextRunAt: null,
      lastRunAt: null,
      timer: null,
    };
    record.nextRunAt = this.#nextRun(record, this.#host.now());
    const previous = this.#schedules.get(record.id);
    if (previous) {
      this.#clearScheduleTimer(previous);
      record.lastRunAt = previous.lastRunAt;
    }
    this.#schedules.set(record.id, record);
    this.#armSchedule(record, 0);
    return record;
  }

  removeSchedule(id: string): void {
    const schedule = this.#schedules.get(id);
    if (!schedule) throw notFound('schedule', id);
    this.#clearScheduleTimer(schedule);
    this.#schedules.delete(id);
  }

  scheduleSnapshot(record: ScheduleRecord): Schedule {
    return this.#scheduleSnapshot(record);
  }

  // ----------------------------------------------------------------- time

  /** Moves delayed jobs that are due to waiting; returns how many moved. */
  promoteDue(): number {
    const now = this.#host.now();
    let moved = 0;
    for (let job = this.#delayed.first(); job; job = this.#delayed.first()) {
      if ((job.delayedUntil ?? 0) > now) break;
      this.#promote(job);
      moved++;
    }
    this.#armDelayTimer(0);
    return moved;
  }

  /** Does now what the timers would do: promote due jobs, run due schedules. */
  tick(): void {
    if (this.closed) return;
    this.promoteDue();
    for (const schedule of this.#schedules.values()) this.#runSchedule(schedule);
  }

  /** Resolves when the job completed, failed for good or was cancelled. */
  whenFinished(id: string): Promise<Job> {
    const job = this.get(id);
    if (FINISHED.has(job.state)) return Promise.resolve(this.snapshot(job));
    if (this.closed) return Promise.reject(new Error(`Queue ${this.name} is closed`));
    return new Promise((resolve, reject) => {
      const waiters = this.#finishWaiters.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.#finishWaiters.set(id, waiters);
    });
  }

  /**
   * Stops everything this queue owns: timers, schedules, processors. Running
   * handlers get their signal aborted and their outcome is ignored; the jobs
   * stay as they are for reading.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#pumpHandle) clearImmediate(this.#pumpHandle);
    this.#pumpHandle = null;
    if (this.#delayTimer) clearTimeout(this.#delayTimer.handle);
    this.#delayTimer = null;
    for (const schedule of this.#schedules.values()) this.#clearScheduleTimer(schedule);
    // Abort after the loop: abort listeners run synchronously and may call back in.
    const runs = [...this.#indexes.get('active')!.all.ascending()].map((job) => job.run);
    for (const run of runs) run?.controller.abort(abortError(`Queue ${this.name} closed`));
    for (const worker of this.#workers) {
      worker.closing = true;
      for (const resolve of worker.drained.splice(0)) resolve();
    }
    this.#workers.clear();
    for (const [id, waiters] of this.#finishWaiters) {
      for (const w of waiters)
        w.reject(new Error(`Queue ${this.name} closed before job ${id} finished`));
    }
    this.#finishWaiters.clear();
  }

  /** A child of `parentId` completed (-1), stopped being complete (+1) or left (-1). */
  childDelta(parentId: string, delta: number): void {
    const parent = this.jobs.get(parentId);
    if (!parent) return;
    parent.pendingChildren = Math.max(0, parent.pendingChildren + delta);
    if (parent.pendingChildren === 0 && parent.state === 'waiting-children') {
      this.#releaseParent(parent);
    }
  }

  // ============================================================ internals

  #index(state: JobState): NamedIndex | undefined {
    return this.#indexes.get(state as MemoryJobState);
  }

  #assertOpen(): void {
    if (this.closed) throw conflict(`Queue ${this.name} is closed`);
  }

  #create(
    name: string,
    dataJson: string,
    options: NormalizedOptions,
    extra: { parent?: JobRef | null; expectChildren?: boolean; scheduleId?: string },
  ): JobRecord {
    const now = this.#host.now();
    let id = options.jobId;
    while (id === null || this.jobs.has(id)) id = String(this.#nextJobId++);
    const seq = this.#host.nextSeq();
    const job: JobRecord = {
      queue: this.name,
      id,
      seq,
      name,
      createdAt: now,
      scheduleId: extra.scheduleId ?? null,
      state: 'waiting',
      dataJson,
      options,
      progressJson: 'null',
      attemptsMade: 0,
      priority: options.priority,
      delayedUntil: null,
      processedAt: null,
      finishedAt: null,
      returnJson: 'null',
      failedReason: null,
      stacktrace: [],
      parent: extra.parent ?? null,
      children: [],
      pendingChildren: 0,
      workerId: null,
      logs: [],
      readySeq: seq,
      run: null,
    };
    if (extra.expectChildren) {
      job.state = 'waiting-children';
    } else if (options.delayMs > 0) {
      job.state = 'delayed';
      job.delayedUntil = now + options.delayMs;
    } else {
      job.state = runnableState(job);
    }
    this.jobs.set(id, job);
    this.#attach(job);
    this.#emitJob(job);
    return job;
  }

  #prepareFlow(flow: FlowJob, queue: string, field: string): PreparedFlow {
    if (typeof flow !== 'object' || flow === null) throw invalidInput(field, 'must be an object');
    assertName(flow.name, `${field}.name`);
    const target = flow.queue ?? queue;
    assertName(target, `${field}.queue`);
    return {
      queue: target,
      name: flow.name,
      dataJson: toJson(flow.data, `${field}.data`),
      options: normalizeOptions(flow.opts, `${field}.opts`),
      children: (flow.children ?? []).map((child, i) =>
        this.#prepareFlow(child, target, `${field}.children.${i}`),
      ),
    };
  }

  #createFlow(node: PreparedFlow, parent: FlowRecord | null): FlowRecord {
    const engine = this.#host.engineOrCreate(node.queue);
    const existing = node.options.jobId === null ? undefined : engine.jobs.get(node.options.jobId);
    if (existing) return { engine, job: existing, children: [] };
    const job = engine.#create(node.name, node.dataJson, node.options, {
      parent: parent && { queue: parent.engine.name, id: parent.job.id },
      expectChildren: node.children.length > 0,
    });
    if (parent) parent.engine.#linkChild(parent.job, { queue: engine.name, id: job.id });
    const record: FlowRecord = { engine, job, children: [] };
    for (const child of node.children) record.children.push(this.#createFlow(child, record));
    if (job.state === 'waiting-children' && job.pendingChildren === 0) engine.#releaseParent(job);
    return record;
  }

  #linkChild(parent: JobRecord, child: JobRef): void {
    parent.children.push(child);
    parent.pendingChildren++;
    if (parent.state !== 'waiting-children') {
      this.#move(parent, 'waiting-children', () => {
        parent.delayedUntil = null;
      });
    }
  }

  #releaseParent(job: JobRecord): void {
    const now = this.#host.now();
    if (job.options.delayMs > 0) {
      this.#move(job, 'delayed', () => {
        job.delayedUntil = now + job.options.delayMs;
      });
    } else {
      this.#move(job, runnableState(job), () => {
        job.readySeq = this.#host.nextSeq();
      });
    }
  }

  #attach(job: JobRecord): void {
    this.#index(job.state)!.add(job);
    this.#finishedOrder.get(job.state as FinishedState)?.add(job);
    if (RUNNABLE.has(job.state)) {
      this.#runnable.add(job);
      this.#requestPump();
    } else if (job.state === 'delayed') {
      this.#delayed.add(job);
      this.#armDelayTimer(0);
    }
  }

  #detach(job: JobRecord): void {
    this.#index(job.state)!.delete(job);
    this.#finishedOrder.get(job.state as FinishedState)?.delete(job);
    if (RUNNABLE.has(job.state)) {
      this.#runnable.delete(job);
    } else if (job.state === 'delayed') {
      this.#delayed.delete(job);
    }
  }

  /**
   * The one way a job changes state. `mutate` runs while the job is out of
   * every index, so it may change the fields the indexes sort by.
   */
  #move(job: JobRecord, to: MemoryJobState, mutate?: () => void): void {
    const from = job.state;
    this.#detach(job);
    mutate?.();
    job.state = to;
    this.#attach(job);
    this.#emitJob(job);
    if (from !== to && FINISHED.has(to)) this.#resolveWaiters(job);
    if (job.parent && (from === 'completed') !== (to === 'completed')) {
      this.#host.engine(job.parent.queue)?.childDelta(job.parent.id, to === 'completed' ? -1 : 1);
    }
  }

  #removeRecord(job: JobRecord): void {
    this.#detach(job);
    this.jobs.delete(job.id);
    this.#host.emit({
      type: 'job',
      queue: this.name,
      jobId: job.id,
      state: 'removed',
      name: job.name,
    });
    this.#rejectWaiters(job.id, notFound('job', job.id));
    if (job.parent && job.state !== 'completed') {
      this.#host.engine(job.parent.queue)?.childDelta(job.parent.id, -1);
    }
  }

  #emitJob(job: JobRecord): void {
    this.#host.emit({
      type: 'job',
      queue: this.name,
      jobId: job.id,
      state: job.state,
      name: job.name,
    });
  }

  #resolveWaiters(job: JobRecord): void {
    const waiters = this.#finishWaiters.get(job.id);
    if (!waiters) return;
    this.#finishWaiters.delete(job.id);
    const snapshot = this.snapshot(job);
    for (const w of waiters) w.resolve(snapshot);
  }

  #rejectWaiters(id: string, error: unknown): void {
    const waiters = this.#finishWaiters.get(id);
    if (!waiters) return;
    this.#finishWaiters.delete(id);
    for (const w of waiters) w.reject(error);
  }

  #retry(job: JobRecord): void {
    const to = job.pendingChildren > 0 ? 'waiting-children' : runnableState(job);
    this.#move(job, to, () => {
      job.attemptsMade = 0;
      job.processedAt = null;
      job.finishedAt = null;
      job.delayedUntil = null;
      job.returnJson = 'null';
      job.failedReason = null;
      job.progressJson = 'null';
      job.workerId = null;
      job.readySeq = this.#host.nextSeq();
    });
  }

  #promote(job: JobRecord): void {
    this.#move(job, runnableState(job), () => {
      job.delayedUntil = null;
      job.readySeq = this.#host.nextSeq();
    });
  }

  #peekRunnable(name: string | undefined): JobRecord | undefined {
    return this.#runnable.list(name)?.first();
  }

  #start(job: JobRecord, workerId: string | null, manual: boolean): Run {
    const now = this.#host.now();
    const run: Run = {
      controller: new AbortController(),
      workerId,
      manual,
    };
    if (manual && workerId !== null) {
      const holder = this.#manualWorkers.get(workerId) ?? {
        startedAt: now,
        lastSeenAt: now,
        activeJobs: 0,
      };
      holder.activeJobs++;
      holder.lastSeenAt = now;
      this.#manualWorkers.set(workerId, holder);
    }
    this.#move(job, 'active', () => {
      job.processedAt = now;
      job.workerId = workerId;
      job.run = run;
    });
    return run;
  }

  /**
   * Ends the job's current run, so a late outcome of its handler is ignored.
   * Callers abort the returned run's signal once the job's new state is set.
   */
  #endRun(job: JobRecord): Run | null {
    const run = job.run;
    if (!run) return null;
    job.run = null;
    if (run.manual && run.workerId !== null) {
      const holder = this.#manualWorkers.get(run.workerId);
      if (holder) {
        holder.activeJobs--;
        holder.lastSeenAt = this.#host.now();
        if (holder.activeJobs <= 0) this.#manualWorkers.delete(run.workerId);
      }
    }
    return run;
  }

  #activeJob(id: string, verb: string): JobRecord {
    const job = this.get(id);
    if (job.state !== 'active') {
      throw conflict(`Job ${id} is ${job.state}: only active jobs can be ${verb}`);
    }
    return job;
  }

  #completeActive(job: JobRecord, returnJson: string): void {
    const now = this.#host.now();
    this.#endRun(job);
    job.attemptsMade++;
    this.#move(job, 'completed', () => {
      job.finishedAt = now;
      job.returnJson = returnJson;
    });
    this.#record('completed', job);
    this.#trim(job, 'completed', job.options.removeOnComplete);
  }

  #failActive(job: JobRecord, error: unknown): void {
    const now = this.#host.now();
    this.#endRun(job);
    const { message, stack } = describeError(error);
    job.attemptsMade++;
    job.failedReason = message;
    job.stacktrace.push(stack);
    if (job.attemptsMade >= job.options.attempts) {
      this.#failForGood(job);
      return;
    }
    const delay = backoffDelay(job.options.backoff, job.attemptsMade);
    if (delay > 0) {
      this.#move(job, 'delayed', () => {
        job.delayedUntil = now + delay;
      });
    } else {
      this.#move(job, runnableState(job), () => {
        job.readySeq = this.#host.nextSeq();
      });
    }
  }

  #failForGood(job: JobRecord): void {
    const now = this.#host.now();
    this.#move(job, 'failed', () => {
      job.finishedAt = now;
    });
    this.#record('failed', job);
    this.#trim(job, 'failed', job.options.removeOnFail);
  }

  #record(outcome: 'completed' | 'failed', job: JobRecord): void {
    const finishedAt = job.finishedAt ?? this.#host.now();
    const started = job.processedAt;
    this.metrics.record(
      outcome,
      finishedAt,
      started === null ? null : started - job.createdAt,
      started === null ? null : finishedAt - started,
    );
  }

  /** Applies `removeOnComplete` / `removeOnFail` after `job` finished. */
  #trim(job: JobRecord, state: FinishedState, keep: boolean | number): void {
    if (keep === false) return;
    if (keep === true) {
      this.#removeRecord(job);
      return;
    }
    const finished = this.#finishedOrder.get(state)!;
    while (finished.size > keep) this.#removeRecord(finished.first()!);
  }

  #setProgress(job: JobRecord, progress: unknown): void {
    const valid =
      (typeof progress === 'number' && Number.isFinite(progress)) ||
      (typeof progress === 'object' && progress !== null && !Array.isArray(progress));
    if (!valid) throw invalidInput('progress', 'must be a finite number or an object');
    job.progressJson = toJson(progress, 'progress');
    this.#host.emit({
      type: 'progress',
      queue: this.name,
      jobId: job.id,
      progress: JSON.parse(job.progressJson),
    });
  }

  #appendLog(job: JobRecord, message: string): void {
    job.logs.push({ timestamp: this.#host.now(), message: String(message) });
  }

  // ------------------------------------------------------------ processing

  #requestPump(): void {
    if (this.#pumpHandle || this.closed || this.paused || this.#workers.size === 0) return;
    // setImmediate rather than a microtask: a long run of synchronous
    // handlers must still let I/O (the dashboard itself) through.
    this.#pumpHandle = setImmediate(() => {
      this.#pumpHandle = null;
      this.#pump();
    });
  }

  /** Hands runnable jobs to processors with free slots, one per worker per round. */
  #pump(): void {
    let started = true;
    while (started && !this.closed && !this.paused) {
      started = false;
      for (const worker of this.#workers) {
        if (worker.closing || worker.running.size >= worker.concurrency) continue;
        const job = this.#peekRunnable(worker.jobName === '*' ? undefined : worker.jobName);
        if (!job) continue;
        this.#execute(worker, job);
        started = true;
      }
    }
  }

  #execute(worker: WorkerState, job: JobRecord): void {
    const run = this.#start(job, worker.id, false);
    worker.running.add(run);
    worker.lastActiveAt = this.#host.now();
    const context = this.#context(job, run);
    Promise.resolve()
      .then(() => worker.handler(context))
      .then(
        (value) => this.#settle(job, run, () => this.#completeActive(job, returnJson(value))),
        (error: unknown) => this.#settle(job, run, () => this.#failActive(job, error)),
      )
      .finally(() => {
        worker.running.delete(run);
        worker.lastActiveAt = this.#host.now();
        if (worker.closing && worker.running.size === 0) {
          this.#workers.delete(worker);
          for (const resolve of worker.drained.splice(0)) resolve();
        }
        this.#requestPump();
      });
  }

  /** Applies a handler's outcome unless the run was ended meanwhile (cancel, discard, close). */
  #settle(job: JobRecord, run: Run, apply: () => void): void {
    if (this.closed || job.run !== run) return;
    try {
      apply();
    } catch (error) {
      // A return value JSON cannot carry fails the attempt instead.
      if (job.run === run) this.#failActive(job, error);
    }
  }

  #context(job: JobRecord, run: Run): JobContext {
    return {
      id: job.id,
      name: job.name,
      queue: this.name,
      data: JSON.parse(job.dataJson),
      attemptsMade: job.attemptsMade,
      workerId: run.workerId ?? '',
      signal: run.controller.signal,
      updateProgress: async (progress) => {
        if (job.run === run && !this.closed) this.#setProgress(job, progress);
      },
      log: async (message) => {
        if (job.run === run && !this.closed) this.#appendLog(job, message);
      },
    };
  }

  // ---------------------------------------------------------------- timers

  #armDelayTimer(minDelayMs: number): void {
    if (this.closed) return;
    const next = this.#delayed.first();
    if (!next) {
      if (this.#delayTimer) clearTimeout(this.#delayTimer.handle);
      this.#delayTimer = null;
      return;
    }
    const at = next.delayedUntil ?? 0;
    if (this.#delayTimer?.at === at) return;
    if (this.#delayTimer) clearTimeout(this.#delayTimer.handle);
    const handle = setTimeout(
      () => {
        this.#delayTimer = null;
        const moved = this.promoteDue();
        if (moved === 0) this.#armDelayTimer(EARLY_REARM_MS);
      },
      timerDelay(at - this.#host.now(), minDelayMs),
    );
    handle.unref();
    this.#delayTimer = { handle, at };
  }

  #nextRun(schedule: ScheduleRecord, after: number): number | null {
    if (schedule.cron) return schedule.cron.nextRun(new Date(after))?.getTime() ?? null;
    return after + (schedule.everyMs ?? 0);
  }

  #runSchedule(schedule: ScheduleRecord): boolean {
    const now = this.#host.now();
    const due = schedule.nextRunAt;
    if (due === null || due > now || this.closed) return false;
    const jobId = `repeat:${schedule.id}:${due}`;
    if (!this.jobs.has(jobId)) {
      this.#create(
        schedule.jobName,
        schedule.dataJson,
        { ...schedule.addOptions, jobId },
        { scheduleId: schedule.id },
      );
    }
    schedule.lastRunAt = now;
    if (schedule.cron) {
      schedule.nextRunAt = this.#nextRun(schedule, now);
    } else {
      // Keep the phase of the interval and skip the runs that were missed.
      const every = schedule.everyMs ?? 1;
      schedule.nextRunAt = due + every * (Math.floor((now - due) / every) + 1);
    }
    this.#armSchedule(schedule, 0);
    return true;
  }

  #armSchedule(schedule: ScheduleRecord, minDelayMs: number): void {
    this.#clearScheduleTimer(schedule);
    if (this.closed || schedule.nextRunAt === null) return;
    schedule.timer = setTimeout(
      () => {
        schedule.timer = null;
        if (!this.#runSchedule(schedule)) this.#armSchedule(schedule, EARLY_REARM_MS);
      },
      timerDelay(schedule.nextRunAt - this.#host.now(), minDelayMs),
    );
    schedule.timer.unref();
  }

  #clearScheduleTimer(schedule: ScheduleRecord): void {
    if (schedule.timer) clearTimeout(schedule.timer);
    schedule.timer = null;
  }

  #scheduleSnapshot(s: ScheduleRecord): Schedule {
    return {
      id: s.id,
      queue: this.name,
      jobName: s.jobName,
      pattern: s.pattern,
      everyMs: s.everyMs,
      timezone: s.timezone,
      nextRunAt: s.nextRunAt,
      lastRunAt: s.lastRunAt,
      data: JSON.parse(s.dataJson),
      options: structuredClone(s.options),
    };
  }
}

function runnableState(job: JobRecord): 'waiting' | 'prioritized' {
  return job.priority > 0 ? 'prioritized' : 'waiting';
}

/** The return value as JSON; a value JSON cannot carry fails the attempt with a clear reason. */
function returnJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    throw new TypeError(`Return value is not JSON-serializable: ${(err as Error).message}`);
  }
}

function timerDelay(ms: number, minMs: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(minMs, Math.ceil(ms), 0));
}

function assertName(name: unknown, field = 'name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidInput(field, 'must be a non-empty string');
  }
}

function abortError(message: string): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

function describeError(error: unknown): { message: string; stack: string } {
  if (error instanceof Error) {
    return { message: error.message, stack: error.stack ?? `${error.name}: ${error.message}` };
  }
  const text = typeof error === 'string' ? error : safeString(error);
  return { message: text, stack: text };
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}
