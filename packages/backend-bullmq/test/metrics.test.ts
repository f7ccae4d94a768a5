/**
 * qadmin's own BullMQ metrics: counted from the event stream by whichever
 * dashboard instance holds the lock, stored in Redis, read the same by every
 * instance, never counted twice.
 */
import { Queue, Worker } from 'bullmq';
import { afterAll, expect, inject, it } from 'vitest';
import { type BullmqBackend, createBullmqBackend } from '../src/index';

const url = inject('redisUrl');
const prefix = `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const open: { close?(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const thing of open.reverse()) await thing.close?.();
});

const totals = async (backend: BullmqBackend, queue: string) => {
  const to = Math.ceil((Date.now() + 1) / 60_000) * 60_000;
  const series = await backend.getMetrics!(queue, { from: to - 3_600_000, to, bucketMs: 60_000 });
  const completed = series.buckets.reduce((sum, b) => sum + b.completed, 0);
  const failed = series.buckets.reduce((sum, b) => sum + b.failed, 0);
  const busiest = series.buckets.find((b) => b.processMs !== null);
  return { completed, failed, busiest, series };
};

it('two dashboards sampling the same queues count each finished job once, with its times', async () => {
  const a = createBullmqBackend({ connection: url, prefix, metrics: { intervalMs: 3_600_000 } });
  const b = createBullmqBackend({ connection: url, prefix, metrics: { intervalMs: 3_600_000 } });
  open.push(a, b);
  const queue = new Queue('reports', { connection: { url }, prefix });
  open.push(queue);
  await queue.add('ok', { n: 0 });
  await a.discover();
  await b.discover();
  // The first round of each marks where counting starts.
  await Promise.all([a.sampleMetrics(), b.sampleMetrics()]);

  for (let n = 1; n <= 20; n++)
    await queue.add(n % 4 === 0 ? 'boom' : 'ok', { n }, { attempts: 1 });
  let finished = 0;
  const worker = new Worker(
    'reports',
    async (job) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (job.name === 'boom') throw new Error('boom');
      return { n: job.data.n };
    },
    { connection: { url }, prefix, concurrency: 4 },
  );
  worker.on('completed', () => finished++);
  worker.on('failed', () => finished++);
  open.push(worker);
  await expect.poll(() => finished, { timeout: 15_000 }).toBe(21);

  // Both sample at once (and each started a round of its own when it was created): the
  // lock and the shared stream position let every job be counted exactly once.
  await Promise.all([a.sampleMetrics(), b.sampleMetrics()]);
  await Promise.all([a.sampleMetrics(), b.sampleMetrics()]);
  expect(await a.sampleMetrics()).toBe(0);

  const fromA = await totals(a, 'reports');
  const fromB = await totals(b, 'reports');
  expect(fromA.series).toEqual(fromB.series);
  expect({ completed: fromA.completed, failed: fromA.failed }).toEqual({
    completed: 16,
    failed: 5,
  });
  expect(fromA.busiest?.processMs?.p50).toBeGreaterThanOrEqual(15);
  expect(fromA.busiest?.waitMs?.p50).toBeGreaterThanOrEqual(0);
});

it('a bad metrics query names its field', async () => {
  const backend = createBullmqBackend({ connection: url, prefix });
  open.push(backend);
  await expect(
    backend.getMetrics!('reports', { from: 0, to: 60_000, bucketMs: 0 }),
  ).rejects.toMatchObject({ status: 400 });
});
