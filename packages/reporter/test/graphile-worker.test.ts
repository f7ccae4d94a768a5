/**
 * graphile-worker 0.17 on a throwaway PostgreSQL, reported into a real
 * collector: real jobs that succeed, report progress and logs, fail and are
 * retried by graphile-worker, and the dashboard's retry and cancel carried out
 * through graphile-worker's WorkerUtils.
 */
import { EventEmitter } from 'node:events';
import {
  type Job,
  Logger,
  makeWorkerUtils,
  type Runner,
  run,
  type WorkerEvents,
  type WorkerUtils,
} from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type GraphileWorkerReporting,
  graphileWorkerCommands,
  reportGraphileWorker,
} from '../src/graphile-worker';
import { createReporter, type Reporter, type ReporterError } from '../src/index';
import { type Dashboard, startDashboard } from './dashboard';
import { TOKEN } from './support';

const schema = 'reporter_gw';
const silent = new Logger(() => () => {});
let dashboard: Dashboard;
let reporter: Reporter;
let utils: WorkerUtils;
let runner: Runner;
let reporting: GraphileWorkerReporting;
let addJob: WorkerUtils['addJob'];
const errors: ReporterError[] = [];
let fixed = false;
const runs = new Map<string, number[]>();

function ran(job: Job): void {
  runs.set(job.id, [...(runs.get(job.id) ?? []), job.attempts]);
}

beforeAll(async () => {
  const connectionString = inject('postgresUrl');
  dashboard = await startDashboard();
  utils = await makeWorkerUtils({ connectionString, schema, logger: silent });
  await utils.migrate();
  const events: WorkerEvents = new EventEmitter();
  reporter = createReporter({
    url: dashboard.url,
    token: TOKEN,
    workerName: 'graphile-worker',
    flushIntervalMs: 10,
    commandPollMs: 50,
    closeOnExit: false,
    onCommand: (command) => commands(command),
    onError: (error) => errors.push(error),
  });
  reporting = reportGraphileWorker(events, reporter);
  addJob = reporting.wrapAddJob(utils.addJob);
  const commands = graphileWorkerCommands(utils, { schema, addJob });
  runner = await run({
    connectionString,
    schema,
    logger: silent,
    events,
    concurrency: 3,
    pollInterval: 100,
    noHandleSignals: true,
    taskList: {
      resize: async (payload, helpers) => {
        ran(helpers.job);
        reporting.log(helpers.job, `resizing ${(payload as { image: string }).image}`);
        reporting.progress(helpers.job, { done: 1, of: 2 });
        reporting.progress(helpers.job, 50);
      },
      flaky: async (_payload, helpers) => {
        ran(helpers.job);
        if (helpers.job.attempts === 1) throw new Error('flaky failed once');
      },
      broken: async (payload, helpers) => {
        ran(helpers.job);
        if (!fixed) throw new TypeError(`cannot decode ${(payload as { image: string }).image}`);
      },
    },
  });
});

afterAll(async () => {
  await runner?.stop();
  await reporter?.close({ timeoutMs: 2000 });
  await utils?.release();
  await dashboard?.stop();
});

describe('graphile-worker jobs in the dashboard', () => {
  it('serves the runner’s tasks as queues from the start', async () => {
    await reporter.flush();
    const workers = await dashboard.get<{ id: string; queueIds: string[] }[]>('workers');
    const me = workers.find((w) => w.id === reporter.workerId);
    expect(me?.queueIds.sort()).toEqual([
      'collector:broken',
      'collector:flaky',
      'collector:resize',
    ]);
  });

  it('shows a job queued, then completed with its progress and logs', async () => {
    const job = await addJob('resize', { image: 'a.png' }, { maxAttempts: 3 });
    const done = await dashboard.waitForJob('resize', job.id, 'completed');
    expect(done).toMatchObject({
      name: 'resize',
      data: { image: 'a.png' },
      progress: 50,
      attemptsMade: 1,
      attemptsAllowed: 3,
      workerId: reporter.workerId,
    });
    const logs = await dashboard.get<{ lines: { message: string }[] }>(
      `queues/collector%3Aresize/jobs/${job.id}/logs`,
    );
    expect(logs.lines.map((l) => l.message)).toEqual(['resizing a.png']);
  });

  it('shows graphile-worker’s retry between attempts, then the job completed on its second', async () => {
    const job = await addJob('flaky', {}, { maxAttempts: 3 });
    const retrying = await dashboard.waitForJob('flaky', job.id, 'delayed');
    expect(retrying).toMatchObject({ nativeState: 'retrying', failedReason: 'flaky failed once' });
    const done = await dashboard.waitForJob('flaky', job.id, 'completed', undefined, 20_000);
    expect(done.attemptsMade).toBe(2);
    expect(runs.get(job.id)).toEqual([1, 2]);
  });

  it('shows a job out of attempts as failed, then runs a dashboard retry as its next attempt', async () => {
    const job = await addJob('broken', { image: 'b.png' }, { maxAttempts: 1 });
    const failed = await dashboard.waitForJob('broken', job.id, 'failed');
    expect(failed).toMatchObject({ attemptsMade: 1, failedReason: 'cannot decode b.png' });
    expect(failed.stacktrace?.join('\n')).toMatch(/TypeError: cannot decode b\.png/);

    fixed = true;
    try {
      await dashboard.act('broken', job.id, 'retry');
      const done = await dashboard.waitForJob('broken', job.id, 'completed');
      expect(done.attemptsMade).toBe(2);
      expect(runs.get(job.id)).toEqual([1, 2]);
    } finally {
      fixed = false;
    }
  });

  it('cancels a job that is not due yet by failing it permanently in graphile-worker', async () => {
    const job = await addJob(
      'resize',
      { image: 'c.png' },
      { runAt: new Date(Date.now() + 3_600_000) },
    );
    await dashboard.waitForJob('resize', job.id, 'delayed');
    await dashboard.act('resize', job.id, 'cancel');
    await dashboard.waitForJob('resize', job.id, 'cancelled', (j) => j.nativeState === 'cancelled');
    const row = await utils.withPgClient((client) =>
      client.query<{ attempts: number; max_attempts: number; last_error: string }>(
        `select attempts, max_attempts, last_error from ${schema}.jobs where id = $1`,
        [job.id],
      ),
    );
    expect(row.rows[0]).toMatchObject({ last_error: 'cancelled from the dashboard' });
    expect(row.rows[0]!.attempts).toBe(row.rows[0]!.max_attempts);
    expect(runs.has(job.id)).toBe(false);
  });

  it('adds a completed job again when it is retried, since graphile-worker deleted it', async () => {
    const job = await addJob('resize', { image: 'd.png' });
    await dashboard.waitForJob('resize', job.id, 'completed');
    await dashboard.act('resize', job.id, 'retry');
    // The old job keeps its story and says where it went; the new one runs under its own id.
    const old = await dashboard.waitForJob('resize', job.id, 'completed', (j) =>
      j.nativeState.startsWith('completed · retried as '),
    );
    const added = /retried as (\d+)$/.exec(old.nativeState)?.[1];
    expect(added).toBeDefined();
    const again = await dashboard.waitForJob('resize', added!, 'completed');
    expect(again).toMatchObject({ data: { image: 'd.png' } });
    errors.length = 0;
  });
});
