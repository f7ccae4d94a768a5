/**
 * bee-queue 2 on a throwaway Redis, reported into a real collector: real jobs
 * that succeed, report progress, fail and are retried by bee-queue, and the
 * dashboard's retry and cancel carried out through bee-queue's own API.
 */
import Queue from 'bee-queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { beeQueueCommands, reportBeeQueue } from '../src/bee-queue';
import { createReporter, type Reporter, type ReporterError } from '../src/index';
import { type Dashboard, startDashboard } from './dashboard';
import { TOKEN, waitFor } from './support';

interface Work {
  kind: 'resize' | 'flaky' | 'broken' | 'later';
  name: string;
}

const run = Math.random().toString(36).slice(2, 8);
let dashboard: Dashboard;
let reporter: Reporter;
let images: Queue<Work>;
let thumbs: Queue<Work>;
const errors: ReporterError[] = [];
/** Whether `broken` jobs succeed now (the fix a retry is waiting for). */
let fixed = false;
const runsByJob = new Map<string, number>();

async function handle(job: Queue.Job<Work>) {
  const runs = (runsByJob.get(`${job.queue.name}/${job.id}`) ?? 0) + 1;
  runsByJob.set(`${job.queue.name}/${job.id}`, runs);
  switch (job.data.kind) {
    case 'resize':
      await job.reportProgress({ done: 1, of: 2 });
      await job.reportProgress(50);
      return { resized: job.data.name };
    case 'flaky':
      if (runs === 1) throw new Error(`flaky ${job.data.name} failed once`);
      return 'second time lucky';
    default:
      if (!fixed) throw new TypeError(`cannot decode ${job.data.name}`);
      return 'fixed';
  }
}

function newQueue(name: string, settings: Queue.QueueSettings = {}): Queue<Work> {
  return new Queue<Work>(`${name}-${run}`, {
    redis: { url: inject('redisUrl') } as Queue.QueueSettings['redis'],
    activateDelayedJobs: true,
    stallInterval: 1000,
    ...settings,
  });
}

beforeAll(async () => {
  dashboard = await startDashboard();
  images = newQueue('images');
  // Removes failed jobs: a retry must create the job again from the dashboard's data.
  thumbs = newQueue('thumbs', { removeOnFailure: true });
  await Promise.all([images.ready(), thumbs.ready()]);
  reporter = createReporter({
    url: dashboard.url,
    token: TOKEN,
    workerName: 'bee-worker',
    flushIntervalMs: 10,
    commandPollMs: 50,
    closeOnExit: false,
    onCommand: beeQueueCommands([images, thumbs]),
    onError: (error) => errors.push(error),
  });
  // Before `process` on one queue, after it on the other: both must be seen.
  reportBeeQueue(images, reporter);
  images.process(2, handle);
  thumbs.process(2, handle);
  reportBeeQueue(thumbs, reporter);
});

afterAll(async () => {
  await reporter?.close({ timeoutMs: 2000 });
  await Promise.all([images?.close(1000), thumbs?.close(1000)]);
  await dashboard?.stop();
});

const queueName = (queue: Queue<Work>) => queue.name;

describe('bee-queue jobs in the dashboard', () => {
  it('shows successes with progress and results, and retries bee-queue made', async () => {
    const resize = await images.createJob({ kind: 'resize', name: 'a.png' }).save();
    const flaky = await images
      .createJob({ kind: 'flaky', name: 'b.png' })
      .retries(2)
      .backoff('fixed', 200)
      .save();
    const [one, two] = [
      thumbs.createJob<Work>({ kind: 'resize', name: 'c.png' }),
      thumbs.createJob<Work>({ kind: 'resize', name: 'd.png' }),
    ];
    const saveErrors = await thumbs.saveAll([one!, two!]);
    expect(saveErrors.size).toBe(0);

    const done = await dashboard.waitForJob(queueName(images), resize.id, 'completed');
    expect(done).toMatchObject({
      name: queueName(images),
      data: { kind: 'resize', name: 'a.png' },
      progress: 50,
      returnValue: { resized: 'a.png' },
      attemptsMade: 1,
      attemptsAllowed: 1,
      workerId: reporter.workerId,
    });
    const lucky = await dashboard.waitForJob(queueName(images), flaky.id, 'completed');
    expect(lucky).toMatchObject({
      attemptsMade: 2,
      attemptsAllowed: 3,
      returnValue: 'second time lucky',
    });
    for (const job of [one!, two!]) {
      await dashboard.waitForJob(queueName(thumbs), job.id, 'completed');
    }
    expect(errors).toEqual([]);
  });

  it('shows a job bee-queue gave up on as failed, with the error of its last attempt', async () => {
    const broken = await images
      .createJob({ kind: 'broken', name: 'e.png' })
      .retries(1)
      .backoff('fixed', 300)
      .save();
    // Between attempts the dashboard shows bee-queue's retry, due after the backoff.
    const retrying = await dashboard.waitForJob(queueName(images), broken.id, 'delayed');
    expect(retrying.nativeState).toBe('retrying');
    const failed = await dashboard.waitForJob(queueName(images), broken.id, 'failed');
    expect(failed).toMatchObject({ attemptsMade: 2, failedReason: 'cannot decode e.png' });
    expect(failed.stacktrace?.join('\n')).toMatch(/TypeError: cannot decode e\.png/);
    expect(await dashboard.jobIds(queueName(images), 'failed')).toContain(broken.id);
    expect((await images.getJob(broken.id)).status).toBe('failed');
  });

  it('runs a retry asked for in the dashboard again in bee-queue, as the next attempt', async () => {
    const broken = await images.createJob({ kind: 'broken', name: 'f.png' }).retries(1).save();
    await dashboard.waitForJob(queueName(images), broken.id, 'failed', (j) => j.attemptsMade === 2);
    const runsBefore = runsByJob.get(`${queueName(images)}/${broken.id}`);
    expect(runsBefore).toBe(2);

    fixed = true;
    try {
      await dashboard.act(queueName(images), broken.id, 'retry');
      const done = await dashboard.waitForJob(queueName(images), broken.id, 'completed');
      expect(done).toMatchObject({ attemptsMade: 3, returnValue: 'fixed' });
      expect(runsByJob.get(`${queueName(images)}/${broken.id}`)).toBe(3);
      expect((await images.getJob(broken.id)).status).toBe('succeeded');
      // The retried job keeps bee-queue's settings: one retry, as first created.
      expect((await images.getJob(broken.id)).options.retries).toBe(1);
    } finally {
      fixed = false;
    }
  });

  it('creates a job bee-queue removed again from the dashboard data when it is retried', async () => {
    const broken = await thumbs.createJob({ kind: 'broken', name: 'g.png' }).save();
    await dashboard.waitForJob(queueName(thumbs), broken.id, 'failed');
    expect(await thumbs.getJob(broken.id)).toBeNull();

    fixed = true;
    try {
      await dashboard.act(queueName(thumbs), broken.id, 'retry');
      const done = await dashboard.waitForJob(queueName(thumbs), broken.id, 'completed');
      expect(done).toMatchObject({
        attemptsMade: 2,
        returnValue: 'fixed',
        data: { name: 'g.png' },
      });
    } finally {
      fixed = false;
    }
  });

  it('cancels a delayed job from the dashboard by removing it from bee-queue', async () => {
    const later = await images
      .createJob({ kind: 'later', name: 'h.png' })
      .delayUntil(Date.now() + 3_600_000)
      .save();
    await dashboard.waitForJob(queueName(images), later.id, 'delayed');
    expect(await images.getJob(later.id)).not.toBeNull();

    const asked = await dashboard.act(queueName(images), later.id, 'cancel');
    expect(asked.nativeState).toBe('cancel pending');
    await dashboard.waitForJob(
      queueName(images),
      later.id,
      'cancelled',
      (j) => j.nativeState === 'cancelled',
    );
    await waitFor(
      'bee-queue to remove the job',
      async () => (await images.getJob(later.id)) === null,
    );
    expect(runsByJob.has(`${queueName(images)}/${later.id}`)).toBe(false);
  });

  it('answers a retry bee-queue cannot do as refused, and the dashboard shows the job as before', async () => {
    const waiting = await images
      .createJob({ kind: 'later', name: 'i.png' })
      .delayUntil(Date.now() + 3_600_000)
      .save();
    await dashboard.waitForJob(queueName(images), waiting.id, 'delayed');
    // A stopped worker's job shows abandoned in the dashboard, which allows a retry; bee-queue still holds it.
    dashboard.collector.record([
      {
        id: `${run}-fake-start`,
        type: 'started',
        time: Date.now(),
        queue: queueName(images),
        jobId: waiting.id,
        worker: 'gone',
      },
      {
        id: `${run}-fake-stop`,
        type: 'heartbeat',
        time: Date.now(),
        worker: 'gone',
        queues: [],
        stopping: true,
      },
    ]);
    dashboard.collector.sweep();
    await dashboard.waitForJob(queueName(images), waiting.id, 'abandoned');
    await dashboard.act(queueName(images), waiting.id, 'retry');
    await waitFor('the refusal', () => errors.find((e) => e.kind === 'command'));
    expect(errors.find((e) => e.kind === 'command')?.message).toMatch(/has not finished job/);
    // Refused: the job is worked out again from its events, with no retry pending.
    await waitFor('the job as before', async () => {
      dashboard.collector.sweep();
      const job = await dashboard.job(queueName(images), waiting.id);
      return job.state === 'abandoned' && job.nativeState === 'abandoned';
    });
    errors.length = 0;
  });
});
