import type { Job, QueueBackend } from '@qadmin/core';
import { describe, expect } from 'vitest';
import {
  allJobs,
  countOf,
  expectProblemError,
  type Harness,
  RUNNABLE_STATES,
  settle,
  statsOf,
  totalOf,
} from '../harness';

const RACERS = 10;

/** Several dashboards acting on the same job at once. */
export function concurrencyScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('concurrent actions', () => {
    const backend = h.useBackend();
    const declared = (type: 'retry' | 'remove') => ({
      ok: h.caps.jobActions.includes(type),
      label: type,
    });

    h.test(
      `${RACERS} concurrent retries of one failed job: one wins, the job ends in exactly one place`,
      [declared('retry'), h.state('failed')],
      async (ctx) => {
        const b = backend();
        const queue = h.queueName();
        const id = (await h.seed(b, queue, { failed: 3 })).failed![0]!;
        h.assumeQueue(ctx, b, queue, (c) => c.jobActions.includes('retry'), 'retry');
        const before = await statsOf(b, queue);
        const { fulfilled, rejected } = await settle<Job | null>(
          Array.from({ length: RACERS }, () => b.jobAction!(queue, id, { type: 'retry' })),
        );
        expect(fulfilled.length, 'at least one retry succeeds').toBeGreaterThanOrEqual(1);
        for (const error of rejected) expectProblemError(error, [409], 'a losing concurrent retry');
        const job = await b.getJob(queue, id);
        expect(RUNNABLE_STATES, 'state after the retries').toContain(job?.state);
        const after = await statsOf(b, queue);
        expect(countOf(after.counts, 'failed'), 'failed count after the retries').toBe(
          countOf(before.counts, 'failed') - 1,
        );
        expect(totalOf(after.counts), 'total count after the retries').toBe(totalOf(before.counts));
        let places = 0;
        for (const state of h.caps.states) {
          places += (await allJobs(b, queue, state)).filter((j) => j.id === id).length;
        }
        expect(places, `job ${id} is listed in exactly one state`).toBe(1);
      },
    );

    h.test(
      `${RACERS} concurrent removes of one job: one wins, the count drops by exactly one`,
      [declared('remove'), h.state('failed')],
      async (ctx) => {
        const b = backend();
        const queue = h.queueName();
        const id = (await h.seed(b, queue, { failed: 3 })).failed![0]!;
        h.assumeQueue(ctx, b, queue, (c) => c.jobActions.includes('remove'), 'remove');
        const before = await statsOf(b, queue);
        const { fulfilled, rejected } = await settle<Job | null>(
          Array.from({ length: RACERS }, () => b.jobAction!(queue, id, { type: 'remove' })),
        );
        expect(fulfilled.length, 'at least one remove succeeds').toBeGreaterThanOrEqual(1);
        for (const error of rejected) {
          expectProblemError(error, [404, 409], 'a losing concurrent remove');
        }
        expect(await b.getJob(queue, id), 'getJob after the removes').toBeNull();
        const after = await statsOf(b, queue);
        expect(totalOf(after.counts), 'total count after the removes').toBe(
          totalOf(before.counts) - 1,
        );
      },
    );
  });
}
