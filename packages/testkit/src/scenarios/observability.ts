import {
  type Capabilities,
  metricSeriesSchema,
  type QueueBackend,
  workerSchema,
} from '@qadmin/core';
import { describe, expect, type TestContext } from 'vitest';
import { anyState, type Harness, parseOrFail, seedable } from '../harness';

const WINDOWS = [
  { durationMs: 3_600_000, bucketMs: 60_000 },
  { durationMs: 86_400_000, bucketMs: 900_000 },
  { durationMs: 600_000, bucketMs: 10_000 },
] as const;

/** getMetrics and getWorkers. */
export function observabilityScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('metrics and workers', () => {
    const backend = h.useBackend();
    const existing = anyState(h.caps);
    const canSeed = seedable(existing);

    const newQueue = async (
      ctx: TestContext,
      check: (c: Capabilities) => boolean,
      label: string,
    ) => {
      const b = backend();
      const queue = h.queueName();
      await h.seed(b, queue, { [existing!]: 2 });
      h.assumeQueue(ctx, b, queue, check, label);
      return { b, queue };
    };

    h.test(
      'getMetrics returns one aligned bucket per bucketMs from `from` to `to`, with no gaps',
      [{ ok: h.caps.metrics, label: 'metrics' }, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, (c) => c.metrics, 'metrics');
        for (const { durationMs, bucketMs } of WINDOWS) {
          // Aligned the way the service aligns: `to` is the end of the current bucket.
          const to = Math.ceil((Date.now() + 1) / bucketMs) * bucketMs;
          const from = to - durationMs;
          const context = `getMetrics(${queue}, { from: ${from}, to: ${to}, bucketMs: ${bucketMs} })`;
          const series = await b.getMetrics!(queue, { from, to, bucketMs });
          parseOrFail(metricSeriesSchema, series, `${context}: not a MetricSeries`);
          expect({ from: series.from, to: series.to, bucketMs: series.bucketMs }, context).toEqual({
            from,
            to,
            bucketMs,
          });
          expect(series.buckets.length, `${context}: number of buckets`).toBe(
            durationMs / bucketMs,
          );
          series.buckets.forEach((bucket, i) => {
            expect(bucket.start, `${context}: start of bucket ${i}`).toBe(from + i * bucketMs);
            expect(Number.isInteger(bucket.completed) && bucket.completed >= 0).toBe(true);
            expect(Number.isInteger(bucket.failed) && bucket.failed >= 0).toBe(true);
          });
        }
      },
    );

    h.test(
      'getWorkers returns valid workers, all of them or those of the given queues',
      [{ ok: h.caps.workers, label: 'workers' }, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, (c) => c.workers, 'workers');
        for (const queues of [undefined, [queue]] as const) {
          const context = `getWorkers(${queues ? JSON.stringify(queues) : ''})`;
          const workers = await b.getWorkers!(queues);
          expect(Array.isArray(workers), `${context} returns an array`).toBe(true);
          for (const worker of workers) {
            const parsed = workerSchema.safeParse(worker);
            expect(parsed.success, `${context}: ${JSON.stringify(worker)} is not a Worker`).toBe(
              true,
            );
            if (queues) {
              expect(worker.queues, `${context}: a worker of another queue`).toContain(queue);
            }
          }
        }
      },
    );
  });
}
