/**
 * bee-queue 2 reporting: `queued` when this process saves a job, `started`,
 * `progress`, `completed`, `failed` and retries for the jobs it runs, and a
 * command handler that retries and cancels through bee-queue's own API.
 * bee-queue has no attempt counter and no job names: the attempt is the
 * number of failures it stored (`options.stacktraces`) plus one, and the name
 * is the queue's unless `jobName` says otherwise.
 */
import type { EventEmitter } from 'node:events';
import type BeeQueue from 'bee-queue';
import type { Reporter, ReporterCommand } from './index';

type AnyQueue = BeeQueue<any>;
type AnyJob = BeeQueue.Job<any>;

/**
 * Options of {@link reportBeeQueue}.
 *
 * @example
 * ```ts
 * reportBeeQueue(queue, reporter, { jobName: (job) => job.data.kind, data: (job) => ({ to: job.data.to }) });
 * ```
 */
export interface BeeQueueReportOptions {
  /** The job's name in the dashboard. Default the queue's name (bee-queue jobs have none). */
  jobName?: (job: AnyJob) => string;
  /** What to report as the job's data. Default `job.data`. */
  data?: (job: AnyJob) => unknown;
}

/**
 * Where a job re-created by a dashboard retry keeps the last attempt the
 * collector knew of, so its runs continue the numbering (bee-queue stores the
 * job's `options` whole, so the key travels with the job to any worker).
 */
const ATTEMPT_BASE = 'qadminAttemptBase';

function optionsOf(job: AnyJob): Record<string, unknown> {
  const options = job.options as unknown;
  return options !== null && typeof options === 'object'
    ? (options as Record<string, unknown>)
    : {};
}

function failuresOf(job: AnyJob): number {
  const traces = optionsOf(job).stacktraces;
  return Array.isArray(traces) ? traces.length : 0;
}

function attemptBaseOf(job: AnyJob): number {
  const base = optionsOf(job)[ATTEMPT_BASE];
  return Number.isInteger(base) && (base as number) > 0 ? (base as number) : 0;
}

/** The attempt a run of `job` that has not failed yet is. */
function nextAttemptOf(job: AnyJob): number {
  return attemptBaseOf(job) + failuresOf(job) + 1;
}

function retriesLeft(job: AnyJob): number {
  const retries = optionsOf(job).retries;
  return Number.isInteger(retries) && (retries as number) > 0 ? (retries as number) : 0;
}

/** When a retry bee-queue just scheduled is due, for the strategies it ships; undefined otherwise. */
function retryAtOf(job: AnyJob): number | undefined {
  const backoff = optionsOf(job).backoff as { strategy?: unknown; delay?: unknown } | undefined;
  const strategy = backoff?.strategy ?? 'immediate';
  const delay = typeof backoff?.delay === 'number' ? backoff.delay : undefined;
  if (strategy === 'immediate') return undefined;
  if (strategy === 'fixed' && delay !== undefined) return Date.now() + delay;
  // bee-queue's exponential strategy doubles the stored delay as it uses it.
  if (strategy === 'exponential' && delay !== undefined) return Date.now() + delay / 2;
  return undefined;
}

function progressFields(value: unknown): number | Record<string, unknown> {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  return { value };
}

/**
 * Reports a bee-queue `Queue` to a reporter, from this process's point of
 * view:
 *
 * - `queued` for every job this queue object saves (`createJob(...).save()`
 *   and `saveAll`), with its data, retries and delay;
 * - `started` (with the attempt and data), `progress` (`job.reportProgress`),
 *   `completed` with the result, `failed` with the error and stack, marked
 *   `willRetry` while bee-queue retries, for every job this queue object
 *   processes (call it before or after `queue.process`).
 *
 * It adds the queue to those the reporter serves. Returns a function that
 * undoes all of it. bee-queue itself is untouched: only this `queue` object's
 * `createJob`, `saveAll`, handler and events are wrapped.
 *
 * @example
 * ```ts
 * import Queue from 'bee-queue';
 * import { createReporter } from '@qadmin/reporter';
 * import { beeQueueCommands, reportBeeQueue } from '@qadmin/reporter/bee-queue';
 *
 * const emails = new Queue('emails', { redis: { url: process.env.REDIS_URL } });
 * const reporter = createReporter({ url, token, onCommand: beeQueueCommands([emails]) });
 * reportBeeQueue(emails, reporter);
 * emails.process(async (job) => sendEmail(job.data));
 * ```
 */
export function reportBeeQueue(
  queue: AnyQueue,
  reporter: Reporter,
  options: BeeQueueReportOptions = {},
): () => void {
  const queueName = queue.name;
  reporter.addQueues([queueName]);
  const attempts = new WeakMap<AnyJob, number>();
  const nameOf = (job: AnyJob) => {
    try {
      return options.jobName ? options.jobName(job) : queueName;
    } catch {
      return queueName;
    }
  };
  const dataOf = (job: AnyJob) => {
    try {
      return options.data ? options.data(job) : job.data;
    } catch {
      return undefined;
    }
  };

  const reportQueued = (job: AnyJob) => {
    if (job.id === null || job.id === undefined) return;
    const base = attemptBaseOf(job);
    const delay = optionsOf(job).delay;
    reporter.queued(queueName, job.id, {
      name: nameOf(job),
      data: dataOf(job),
      attempt: nextAttemptOf(job),
      attemptsAllowed: base + retriesLeft(job) + failuresOf(job) + 1,
      ...(typeof delay === 'number' ? { delayUntil: delay } : {}),
    });
  };

  const wrapSave = (job: AnyJob) => {
    const save = job.save;
    job.save = function savedAndReported(this: AnyJob, callback?: unknown) {
      const saving = (save as (cb?: unknown) => Promise<AnyJob>).call(this, callback);
      const reported = saving.then((saved) => {
        reportQueued(saved);
        return saved;
      });
      // With a callback the caller may ignore the promise: ours must not add an unhandled rejection.
      if (typeof callback === 'function') reported.catch(() => {});
      return reported;
    } as AnyJob['save'];
    return job;
  };

  const createJob = queue.createJob;
  const saveAll = queue.saveAll;
  queue.createJob = function createdAndReported(this: AnyQueue, data: unknown) {
    return wrapSave(createJob.call(this, data));
  } as AnyQueue['createJob'];
  queue.saveAll = function savedAllAndReported(this: AnyQueue, jobs: Iterable<AnyJob>) {
    const list = [...jobs];
    return saveAll.call(this, list).then((errors) => {
      for (const job of list) if (!errors.has(job)) reportQueued(job);
      return errors;
    });
  } as AnyQueue['saveAll'];

  const onStart = (job: AnyJob) => {
    const attempt = nextAttemptOf(job);
    attempts.set(job, attempt);
    reporter.started(queueName, job.id, { name: nameOf(job), attempt, data: dataOf(job) });
    const reportProgress = job.reportProgress;
    job.reportProgress = function progressReported(this: AnyJob, progress: unknown, cb?: unknown) {
      if (progress !== null && progress !== undefined) {
        reporter.progress(queueName, job.id, {
          name: nameOf(job),
          attempt,
          progress: progressFields(progress),
        });
      }
      return (reportProgress as (p: unknown, cb?: unknown) => unknown).call(this, progress, cb);
    } as AnyJob['reportProgress'];
  };

  // `_runJob` calls `this.handler(job)`: wrapping the handler bee-queue keeps
  // sees every job it runs, whether `process` was called before or after.
  type Internal = AnyQueue & { handler?: (job: AnyJob) => Promise<unknown> };
  const internal = queue as Internal;
  let wrappedHandler: ((job: AnyJob) => Promise<unknown>) | undefined;
  let innerHandler: ((job: AnyJob) => Promise<unknown>) | undefined;
  const wrapHandler = () => {
    const inner = internal.handler;
    if (typeof inner !== 'function' || inner === wrappedHandler) return;
    innerHandler = inner;
    wrappedHandler = function reportedHandler(this: unknown, job: AnyJob) {
      try {
        onStart(job);
      } catch {}
      return inner.call(this, job);
    };
    internal.handler = wrappedHandler;
  };
  const originalProcess = queue.process;
  queue.process = function processReported(this: AnyQueue, ...args: unknown[]) {
    const result = (originalProcess as (...a: unknown[]) => unknown).apply(this, args);
    wrapHandler();
    return result;
  } as AnyQueue['process'];
  wrapHandler();

  const attemptOf = (job: AnyJob, failed: boolean) =>
    attempts.get(job) ?? (failed ? Math.max(1, nextAttemptOf(job) - 1) : nextAttemptOf(job));
  const onSucceeded = (job: AnyJob, result: unknown) => {
    reporter.completed(queueName, job.id, {
      name: nameOf(job),
      attempt: attemptOf(job, false),
      result,
    });
  };
  const onRetrying = (job: AnyJob, error: unknown) => {
    const retryAt = retryAtOf(job);
    reporter.failed(queueName, job.id, {
      name: nameOf(job),
      attempt: attemptOf(job, true),
      error,
      willRetry: true,
      ...(retryAt === undefined ? {} : { retryAt }),
    });
  };
  const onFailed = (job: AnyJob, error: unknown) => {
    reporter.failed(queueName, job.id, { name: nameOf(job), attempt: attemptOf(job, true), error });
  };
  // `failed` fires for retries too (bee-queue #184); `failed:fatal` only for the last failure.
  const emitter = queue as unknown as EventEmitter;
  emitter.on('succeeded', onSucceeded);
  emitter.on('retrying', onRetrying);
  emitter.on('failed:fatal', onFailed);

  return () => {
    emitter.off('succeeded', onSucceeded);
    emitter.off('retrying', onRetrying);
    emitter.off('failed:fatal', onFailed);
    queue.createJob = createJob;
    queue.saveAll = saveAll;
    queue.process = originalProcess;
    if (internal.handler === wrappedHandler && innerHandler) internal.handler = innerHandler;
  };
}

/**
 * Options of {@link beeQueueCommands}.
 *
 * @example
 * ```ts
 * const onCommand = beeQueueCommands([emails], { retries: 2 });
 * ```
 */
export interface BeeQueueCommandOptions {
  /**
   * Retries a re-created job gets when bee-queue no longer has the original
   * (it was removed on success or failure). Default 0.
   */
  retries?: number;
}

/**
 * A command handler for {@link ReporterOptions.onCommand} that carries out
 * the dashboard's commands on these bee-queue queues:
 *
 * - `retry`: the job is created again under the same id, with its data, its
 *   timeout, backoff and original number of retries (removing bee-queue's
 *   finished copy first), so it runs again as the next attempt. A job bee-queue
 *   has not finished (waiting, delayed, active) is refused.
 * - `cancel`: the job is removed with `Queue#removeJob`.
 *
 * Commands for queues not in the list, and of other types, are refused.
 *
 * @example
 * ```ts
 * const reporter = createReporter({ url, token, onCommand: beeQueueCommands([emails, images]) });
 * ```
 */
export function beeQueueCommands(
  queues: readonly AnyQueue[],
  options: BeeQueueCommandOptions = {},
): (command: ReporterCommand) => Promise<string> {
  const byName = new Map(queues.map((queue) => [queue.name, queue]));
  return async (command) => {
    const queue = byName.get(command.queue);
    if (!queue) throw new Error(`this worker has no bee-queue named ${command.queue}`);
    if (command.type === 'cancel') {
      await queue.removeJob(command.jobId);
      return `removed job ${command.jobId} from bee-queue ${queue.name}`;
    }
    if (command.type !== 'retry') throw new Error(`unsupported command ${command.type}`);
    return retry(queue, command, options);
  };
}

async function retry(
  queue: AnyQueue,
  command: ReporterCommand,
  options: BeeQueueCommandOptions,
): Promise<string> {
  const existing = await queue.getJob(command.jobId);
  if (existing && existing.status !== 'failed' && existing.status !== 'succeeded') {
    throw new Error(
      `bee-queue has not finished job ${command.jobId} (status ${existing.status}): there is nothing to retry`,
    );
  }
  const lastAttempt =
    typeof command.attempt === 'number' && command.attempt >= 1
      ? command.attempt
      : existing
        ? nextAttemptOf(existing) - 1
        : 0;
  const data = existing ? existing.data : (command.data ?? {});
  const job = queue.createJob(data).setId(command.jobId);
  if (existing) {
    const previous = optionsOf(existing);
    const failures = failuresOf(existing);
    // Retries bee-queue used up: every failure but a final one was retried.
    const used = existing.status === 'failed' ? Math.max(0, failures - 1) : failures;
    job.retries(retriesLeft(existing) + used);
    if (typeof previous.timeout === 'number' && previous.timeout > 0) job.timeout(previous.timeout);
    const backoff = previous.backoff as { strategy?: string; delay?: number } | undefined;
    if (backoff?.strategy && queue.backoffStrategies.has(backoff.strategy)) {
      const grown = typeof backoff.delay === 'number' ? backoff.delay : undefined;
      // The exponential strategy doubled the stored delay at each retry; start again from the first.
      const delay =
        backoff.strategy === 'exponential' && grown !== undefined
          ? Math.max(1, Math.round(grown / 2 ** used))
          : grown;
      job.backoff(backoff.strategy, delay);
    }
  } else if (options.retries !== undefined && options.retries > 0) {
    job.retries(options.retries);
  }
  optionsOf(job)[ATTEMPT_BASE] = lastAttempt;
  if (existing) await queue.removeJob(command.jobId);
  const saved = await job.save();
  if (saved.id === null || saved.id === undefined) {
    throw new Error(`bee-queue did not create job ${command.jobId} again (its id is taken)`);
  }
  return `${existing ? 're-created' : 'created'} job ${command.jobId} in bee-queue ${queue.name} for attempt ${lastAttempt + 1}`;
}
