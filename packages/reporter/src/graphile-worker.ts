/**
 * graphile-worker 0.16/0.17 reporting: every job a runner of this process
 * starts, finishes or fails (its `events` emitter), `queued` for jobs added
 * through a wrapped `addJob`, and a command handler that retries and cancels
 * through `WorkerUtils`. A dashboard queue is a task identifier by default:
 * graphile-worker's own `queueName` only serialises jobs, and most jobs have
 * none.
 */
import type { AddJobFunction, Job, WorkerEvents, WorkerUtils } from 'graphile-worker';
import type { CommandAnswer, Reporter, ReporterCommand } from './index';

/**
 * Options of {@link reportGraphileWorker}.
 *
 * @example
 * ```ts
 * reportGraphileWorker(runner.events, reporter, { queue: 'graphile', data: () => undefined });
 * ```
 */
export interface GraphileWorkerReportOptions {
  /**
   * The dashboard queue of a task: a fixed name for all of them, or a
   * function of the task identifier. Default: the task identifier.
   */
  queue?: string | ((taskIdentifier: string) => string);
  /** What to report as a job's data. Default its payload. */
  data?: (job: Job) => unknown;
}

/**
 * What {@link reportGraphileWorker} returns: the `addJob` wrapper, progress
 * and log helpers for task code, and `stop`.
 *
 * @example
 * ```ts
 * const reporting = reportGraphileWorker(runner.events, reporter);
 * const addJob = reporting.wrapAddJob(workerUtils.addJob);
 * await addJob('send-email', { to: 'a@example.com' });
 * reporting.stop();
 * ```
 */
export interface GraphileWorkerReporting {
  /** `addJob` (of WorkerUtils, a runner or task helpers) that also reports `queued`. */
  wrapAddJob<F extends AddJobFunction>(addJob: F): F;
  /** Reports progress of a running job (`helpers.job`): a number or a JSON object. */
  progress(job: Job, progress: number | Record<string, unknown>): void;
  /** Reports a log line of a running job (`helpers.job`). */
  log(job: Job, message: string): void;
  /** Stops listening to the events. */
  stop(): void;
}

/** graphile-worker's `fail_job`: the next attempt is due `exp(min(attempts, 10))` seconds later. */
function retryAt(attempts: number): number {
  return Date.now() + Math.round(Math.exp(Math.min(attempts, 10)) * 1000);
}

/**
 * Reports the jobs a graphile-worker runner runs: `started` with the attempt
 * and payload on `job:start`, `completed` on `job:success`, `failed` with the
 * error and stack on `job:error` (with `willRetry` and graphile-worker's
 * `retryAt` while attempts remain) and on `job:failed`. Pass the emitter as
 * `run({ events })` to see `worker:create` too: the runner's task
 * identifiers then become the queues the reporter serves from the start.
 *
 * @example
 * ```ts
 * import { EventEmitter } from 'node:events';
 * import { makeWorkerUtils, run } from 'graphile-worker';
 * import { createReporter } from '@qadmin/reporter';
 * import { graphileWorkerCommands, reportGraphileWorker } from '@qadmin/reporter/graphile-worker';
 *
 * const utils = await makeWorkerUtils({ connectionString });
 * const reporter = createReporter({ url, token, onCommand: graphileWorkerCommands(utils) });
 * const events = new EventEmitter();
 * const reporting = reportGraphileWorker(events, reporter);
 * const runner = await run({ connectionString, events, taskList: {
 *   resize: async (payload, helpers) => { reporting.progress(helpers.job, 50); },
 * } });
 * await reporting.wrapAddJob(utils.addJob)('resize', { image: 'a.png' });
 * ```
 */
export function reportGraphileWorker(
  events: WorkerEvents,
  reporter: Reporter,
  options: GraphileWorkerReportOptions = {},
): GraphileWorkerReporting {
  const queueOf = (task: string): string => {
    const { queue } = options;
    if (typeof queue === 'string') return queue;
    if (typeof queue === 'function') {
      try {
        return queue(task);
      } catch {
        return task;
      }
    }
    return task;
  };
  const dataOf = (job: Job) => {
    try {
      return options.data ? options.data(job) : job.payload;
    } catch {
      return undefined;
    }
  };
  if (typeof options.queue === 'string') reporter.addQueues([options.queue]);

  const onCreate = ({ tasks }: { tasks: object }) => {
    reporter.addQueues(Object.keys(tasks).map(queueOf));
  };
  const onStart = ({ job }: { job: Job }) => {
    reporter.started(queueOf(job.task_identifier), job.id, {
      name: job.task_identifier,
      attempt: job.attempts,
      data: dataOf(job),
    });
  };
  const onSuccess = ({ job }: { job: Job }) => {
    reporter.completed(queueOf(job.task_identifier), job.id, {
      name: job.task_identifier,
      attempt: job.attempts,
    });
  };
  // `job:failed` follows `job:error` for the last attempt: each failure is reported once.
  const onError = ({ job, error }: { job: Job; error: unknown }) => {
    if (job.attempts >= job.max_attempts) return;
    reporter.failed(queueOf(job.task_identifier), job.id, {
      name: job.task_identifier,
      attempt: job.attempts,
      error,
      willRetry: true,
      retryAt: retryAt(job.attempts),
    });
  };
  const onFailed = ({ job, error }: { job: Job; error: unknown }) => {
    reporter.failed(queueOf(job.task_identifier), job.id, {
      name: job.task_identifier,
      attempt: job.attempts,
      error,
    });
  };
  events.on('worker:create', onCreate);
  events.on('job:start', onStart);
  events.on('job:success', onSuccess);
  events.on('job:error', onError);
  events.on('job:failed', onFailed);

  return {
    wrapAddJob<F extends AddJobFunction>(addJob: F): F {
      const wrapped = async (identifier: string, payload: unknown, spec?: object) => {
        const job = await (addJob as (...args: unknown[]) => Promise<Job>)(
          identifier,
          payload,
          spec,
        );
        try {
          const runAt = job.run_at instanceof Date ? job.run_at.getTime() : Number.NaN;
          reporter.queued(queueOf(job.task_identifier ?? identifier), job.id, {
            name: job.task_identifier ?? identifier,
            data: options.data ? dataOf(job) : payload,
            attempt: (job.attempts ?? 0) + 1,
            attemptsAllowed: job.max_attempts,
            priority: job.priority,
            ...(runAt > Date.now() ? { delayUntil: runAt } : {}),
          });
        } catch {}
        return job;
      };
      return wrapped as unknown as F;
    },
    progress(job, progress) {
      reporter.progress(queueOf(job.task_identifier), job.id, {
        name: job.task_identifier,
        attempt: job.attempts,
        progress,
      });
    },
    log(job, message) {
      reporter.log(queueOf(job.task_identifier), job.id, {
        name: job.task_identifier,
        attempt: job.attempts,
        message,
      });
    },
    stop() {
      events.off('worker:create', onCreate);
      events.off('job:start', onStart);
      events.off('job:success', onSuccess);
      events.off('job:error', onError);
      events.off('job:failed', onFailed);
    },
  };
}

/**
 * Options of {@link graphileWorkerCommands}.
 *
 * @example
 * ```ts
 * const onCommand = graphileWorkerCommands(utils, { retryAttempts: 3, schema: 'jobs' });
 * ```
 */
export interface GraphileWorkerCommandOptions {
  /** Attempts a dashboard retry gives the job. Default 1. */
  retryAttempts?: number;
  /** graphile-worker's schema. Default `graphile_worker`. */
  schema?: string;
  /**
   * How a job graphile-worker no longer has is added again. Default
   * `utils.addJob`; pass `reporting.wrapAddJob(utils.addJob)` to report it.
   */
  addJob?: AddJobFunction;
}

/**
 * A command handler for {@link ReporterOptions.onCommand} that carries out
 * the dashboard's commands with graphile-worker's `WorkerUtils`:
 *
 * - `retry`: `rescheduleJobs` makes the job due now with `retryAttempts` more
 *   attempts, numbered on from the last one the dashboard knows. graphile-worker
 *   deletes a job once it completes: then the job is added again with
 *   `addJob` (a new job, with a new id), and the command is answered as
 *   refused with that id, so the old job stays as it was in the dashboard.
 * - `cancel`: `permanentlyFailJobs` with the reason "cancelled from the
 *   dashboard"; it stays in the table, so it can be retried later.
 *
 * A job a worker holds (locked) is refused for both.
 *
 * @example
 * ```ts
 * const utils = await makeWorkerUtils({ connectionString });
 * const reporter = createReporter({ url, token, onCommand: graphileWorkerCommands(utils) });
 * ```
 */
export function graphileWorkerCommands(
  utils: WorkerUtils,
  options: GraphileWorkerCommandOptions = {},
): (command: ReporterCommand) => Promise<CommandAnswer> {
  const retryAttempts = Math.max(1, Math.floor(options.retryAttempts ?? 1));
  const schema = `"${(options.schema ?? 'graphile_worker').replace(/"/g, '""')}"`;

  const lookUp = async (id: string) => {
    const { rows } = await utils.withPgClient((client) =>
      client.query<{ locked_at: Date | null; locked_by: string | null; queue_name: string | null }>(
        `select locked_at, locked_by, queue_name from ${schema}.jobs where id = $1::bigint`,
        [id],
      ),
    );
    return rows[0];
  };
  const refuseLocked = (id: string, row: { locked_by: string | null }) =>
    new Error(
      `job ${id} is locked by graphile-worker ${row.locked_by ?? '(unknown)'}: it is running`,
    );

  return async (command) => {
    if (!/^\d+$/.test(command.jobId)) {
      throw new Error(`${command.jobId} is not a graphile-worker job id`);
    }
    if (command.type === 'cancel') {
      const failed = await utils.permanentlyFailJobs(
        [command.jobId],
        'cancelled from the dashboard',
      );
      if (failed.length > 0) return `permanently failed job ${command.jobId}`;
      const row = await lookUp(command.jobId);
      if (row) throw refuseLocked(command.jobId, row);
      throw new Error(`graphile-worker has no job ${command.jobId} (it deletes completed jobs)`);
    }
    if (command.type !== 'retry') throw new Error(`unsupported command ${command.type}`);
    const last = typeof command.attempt === 'number' && command.attempt >= 1 ? command.attempt : 0;
    const rescheduled = await utils.rescheduleJobs([command.jobId], {
      runAt: new Date(),
      // graphile-worker counts an attempt when a worker takes the job: the next run is last + 1.
      ...(last > 0 ? { attempts: last } : {}),
      maxAttempts: last + retryAttempts,
    });
    if (rescheduled.length > 0) {
      return `rescheduled job ${command.jobId} for attempt ${(rescheduled[0]!.attempts ?? last) + 1}`;
    }
    const row = await lookUp(command.jobId);
    if (row) throw refuseLocked(command.jobId, row);
    const task = command.name ?? command.queue;
    const addJob = options.addJob ?? utils.addJob;
    const job = await addJob(task, command.data ?? {}, { maxAttempts: retryAttempts });
    return {
      message: `graphile-worker no longer has job ${command.jobId} (it deletes completed jobs): added it again as job ${job.id}`,
      retriedAs: String(job.id),
    };
  };
}
