import type { Job, QueueBackend } from '@qadmin/core';
import { describe, expect, type TestContext } from 'vitest';
import {
  anyState,
  CLOCK_SLACK_MS,
  countOf,
  expectProblemError,
  expectValidJob,
  type Harness,
  randomSuffix,
  seedable,
  statsOf,
  totalOf,
} from '../harness';
import { hostilePayloads } from '../payloads';

const ONE_HOUR = 3_600_000;

/** addJob: name and data round-trip, delay, priority, attempts, custom ids. */
export function addJobScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('addJob', () => {
    const backend = h.useBackend();
    const existing = anyState(h.caps);
    const base = [{ ok: h.caps.addJob, label: 'addJob' }, seedable(existing)];

    /** addJob is for queues that exist (the service resolves the queue first), so seed one. */
    const newQueue = async (ctx: TestContext) => {
      const b = backend();
      const queue = h.queueName();
      await h.seed(b, queue, { [existing!]: 1 });
      h.assumeQueue(ctx, b, queue, (c) => c.addJob, 'addJob');
      return { b, queue };
    };

    const add = async (b: B, queue: string, input: Parameters<NonNullable<B['addJob']>>[1]) => {
      const job = await b.addJob!(queue, input);
      expectValidJob(job, `addJob(${queue}, ${input.name ?? '(no name)'})`);
      const found = await b.getJob(queue, job.id);
      expect(found, `getJob(${queue}, ${job.id}) finds the added job`).not.toBeNull();
      expectValidJob(found, `getJob(${queue}, ${job.id})`);
      return { job, found: found as Job };
    };

    h.test(
      'returns a job that getJob finds, with its name (or its queue name) and data (hostile payloads)',
      base,
      async (ctx) => {
        const { b, queue } = await newQueue(ctx);
        const before = await statsOf(b, queue);
        const from = Date.now();
        for (const { label, data } of hostilePayloads) {
          const name = `added ${label}`;
          const { job, found } = await add(b, queue, { name, data });
          for (const [what, j] of [
            ['addJob', job],
            ['getJob', found],
          ] as const) {
            expect(j.name, `${what}: name (${label})`).toBe(h.jobName(b, queue, name));
            expect(j.data, `${what}: data (${label})`).toEqual(data);
            expect(j.createdAt, `${what}: createdAt is now`).toBeGreaterThanOrEqual(
              from - CLOCK_SLACK_MS,
            );
            expect(j.createdAt, `${what}: createdAt is now`).toBeLessThanOrEqual(
              Date.now() + CLOCK_SLACK_MS,
            );
          }
          if (h.caps.states.includes('waiting')) {
            expect(found.state, `state of a plain added job (${label})`).toBe('waiting');
          }
        }
        const after = await statsOf(b, queue);
        expect(totalOf(after.counts), 'total count grew by the added jobs').toBe(
          totalOf(before.counts) + hostilePayloads.length,
        );
        if (!h.hasJobNames(b, queue)) {
          // Jobs named after their queue: the service sends no name, and the job still has one.
          const { job: unnamed, found: foundUnnamed } = await add(b, queue, { data: { n: 1 } });
          expect(unnamed.name, 'addJob without a name: named after the queue').toBe(queue);
          expect(foundUnnamed.name, 'getJob of a job added without a name').toBe(queue);
        }
      },
    );

    h.test('with delayMs adds a delayed job', [...base, h.state('delayed')], async (ctx) => {
      const { b, queue } = await newQueue(ctx);
      const before = await statsOf(b, queue);
      const from = Date.now();
      const { job, found } = await add(b, queue, {
        name: 'later',
        data: { later: true },
        delayMs: ONE_HOUR,
      });
      const to = Date.now();
      for (const j of [job, found]) {
        expect(j.state, 'state of a job added with delayMs').toBe('delayed');
        expect(j.delayedUntil, 'delayedUntil is about now + delayMs').not.toBeNull();
        expect(j.delayedUntil!).toBeGreaterThanOrEqual(from + ONE_HOUR - CLOCK_SLACK_MS);
        expect(j.delayedUntil!).toBeLessThanOrEqual(to + ONE_HOUR + CLOCK_SLACK_MS);
      }
      const after = await statsOf(b, queue);
      expect(countOf(after.counts, 'delayed'), 'delayed count').toBe(
        countOf(before.counts, 'delayed') + 1,
      );
    });

    h.test(
      'with priority keeps the priority (state prioritized when declared)',
      base,
      async (ctx) => {
        const { b, queue } = await newQueue(ctx);
        const { job, found } = await add(b, queue, { name: 'urgent', priority: 3 });
        const expected = h.caps.states.includes('prioritized') ? 'prioritized' : 'waiting';
        for (const j of [job, found]) {
          expect(j.priority, 'priority of the added job').toBe(3);
          if (h.caps.states.includes(expected))
            expect(j.state, 'state of a prioritized job').toBe(expected);
        }
      },
    );

    h.test(
      'with attempts reports them as attemptsAllowed (or null when unknown)',
      base,
      async (ctx) => {
        const { b, queue } = await newQueue(ctx);
        const { found } = await add(b, queue, { name: 'stubborn', attempts: 5 });
        expect([5, null], 'attemptsAllowed').toContain(found.attemptsAllowed);
        expect(found.attemptsMade, 'attemptsMade of a new job').toBe(0);
      },
    );

    h.test('with jobId uses that id, or refuses it with 400', base, async (ctx) => {
      const { b, queue } = await newQueue(ctx);
      const jobId = `contract-own-id-${randomSuffix(6)}`;
      let job: Job;
      try {
        job = await b.addJob!(queue, { name: 'own-id', jobId });
      } catch (error) {
        // A system whose ids have a fixed shape (UUIDs, integers) refuses ids it did not make.
        expectProblemError(error, [400], `addJob(${queue}, { jobId: ${JSON.stringify(jobId)} })`);
        return;
      }
      expect(job.id, 'the id given as jobId').toBe(jobId);
      expect((await b.getJob(queue, jobId))?.name, 'getJob by the given id').toBe(
        h.jobName(b, queue, 'own-id'),
      );
    });
  });
}
