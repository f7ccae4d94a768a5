import {
  type BulkResult,
  bulkResultSchema,
  type JobState,
  type QueueBackend,
  type ResolvedBulkAction,
  type StateCounts,
} from '@qadmin/core';
import { describe, expect, type TestContext } from 'vitest';
import {
  anyState,
  countOf,
  expectProblemError,
  firstDeclared,
  type Harness,
  mixableStates,
  seedable,
  sleep,
  statsOf,
  totalOf,
} from '../harness';

const TEN_YEARS = 10 * 365 * 24 * 3_600_000;

/** Each declared queue-wide action: what it reports and what the counts show afterwards. */
export function bulkScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('bulkAction', () => {
    const backend = h.useBackend();
    const declared = (type: ResolvedBulkAction['type']) => ({
      ok: h.caps.bulkActions.includes(type),
      label: type,
    });

    /** A state to seed beside `state` that the action must leave alone. */
    const bystanderFor = (state: JobState, avoid: readonly JobState[] = []) =>
      state === 'paused'
        ? undefined
        : firstDeclared(
            h.caps,
            (['completed', 'failed', 'delayed', 'waiting'] as const).filter(
              (s) => s !== state && !avoid.includes(s),
            ),
          );

    const run = async (ctx: TestContext, queue: string, action: ResolvedBulkAction) => {
      const b = backend();
      h.assumeQueue(ctx, b, queue, (c) => c.bulkActions.includes(action.type), action.type);
      const result: BulkResult = await b.bulkAction!(queue, action);
      const parsed = bulkResultSchema.safeParse(result);
      expect(
        parsed.success,
        `bulkAction(${queue}, ${action.type}): ${JSON.stringify(result)} is not a BulkResult`,
      ).toBe(true);
      return result;
    };

    const expectCounts = (counts: StateCounts, expected: StateCounts, context: string) => {
      for (const [state, count] of Object.entries(expected)) {
        expect(countOf(counts, state as JobState), `${context}: ${state} count`).toBe(count);
      }
    };

    // Without a declared state there is no per-state test: show one skipped test instead.
    if (h.caps.retryAllStates.length === 0) {
      h.test(
        'retry-all: re-runs every job of a state and reports how many',
        [declared('retry-all'), { ok: false, label: 'retryAllStates' }],
        async () => {},
      );
    }
    for (const state of h.caps.states) {
      if (!h.caps.retryAllStates.includes(state)) continue;
      h.test(
        `retry-all ${state}: re-runs every ${state} job and reports how many`,
        [declared('retry-all')],
        async (ctx) => {
          const b = backend();
          const queue = h.queueName();
          const bystander = bystanderFor(state, ['waiting']);
          await h.seed(b, queue, { [state]: 4, ...(bystander ? { [bystander]: 2 } : {}) });
          const before = await statsOf(b, queue);
          const result = await run(ctx, queue, { type: 'retry-all', state });
          expect(result.affected, `retry-all ${state}: affected`).toBe(4);
          const after = await statsOf(b, queue);
          expectCounts(after.counts, { [state]: 0 }, `after retry-all ${state}`);
          if (bystander) expectCounts(after.counts, { [bystander]: 2 }, `after retry-all ${state}`);
          expect(
            totalOf(after.counts),
            'retry-all moves jobs, it does not add or remove them',
          ).toBe(totalOf(before.counts));
        },
      );
    }

    h.test(
      'promote-all: makes every delayed job runnable and reports how many',
      [declared('promote-all'), h.state('delayed')],
      async (ctx) => {
        const b = backend();
        const queue = h.queueName();
        const bystander = bystanderFor('delayed', ['waiting']);
        await h.seed(b, queue, { delayed: 4, ...(bystander ? { [bystander]: 1 } : {}) });
        const before = await statsOf(b, queue);
        const result = await run(ctx, queue, { type: 'promote-all' });
        expect(result.affected, 'promote-all: affected').toBe(4);
        const after = await statsOf(b, queue);
        expectCounts(after.counts, { delayed: 0 }, 'after promote-all');
        if (bystander) expectCounts(after.counts, { [bystander]: 1 }, 'after promote-all');
        expect(totalOf(after.counts), 'promote-all moves jobs only').toBe(totalOf(before.counts));
      },
    );

    if (h.caps.cleanStates.length === 0) {
      h.test(
        'clean: honours limit and olderThanMs and reports exactly what it removed',
        [declared('clean'), { ok: false, label: 'cleanStates' }],
        async () => {},
      );
    }
    for (const state of h.caps.states) {
      if (!h.caps.cleanStates.includes(state)) continue;
      h.test(
        `clean ${state}: honours limit and olderThanMs and reports exactly what it removed`,
        [declared('clean')],
        async (ctx) => {
          const b = backend();
          const queue = h.queueName();
          const bystander = bystanderFor(state);
          await h.seed(b, queue, { [state]: 6, ...(bystander ? { [bystander]: 2 } : {}) });
          // olderThanMs 0 means "finished (or created) before now": let the clock move past the seeding.
          await sleep(20);
          const clean = (olderThanMs: number, limit: number) =>
            run(ctx, queue, { type: 'clean', state, olderThanMs, limit });

          expect((await clean(0, 4)).affected, `clean ${state} limit 4: affected`).toBe(4);
          expectCounts(
            (await statsOf(b, queue)).counts,
            { [state]: 2 },
            `after clean ${state} limit 4`,
          );

          expect(
            (await clean(TEN_YEARS, 10_000)).affected,
            `clean ${state} older than 10 years: affected`,
          ).toBe(0);
          expectCounts(
            (await statsOf(b, queue)).counts,
            { [state]: 2 },
            `after clean ${state} older than 10 years`,
          );

          expect((await clean(0, 10_000)).affected, `clean ${state}: affected`).toBe(2);
          const after = (await statsOf(b, queue)).counts;
          expectCounts(after, { [state]: 0 }, `after clean ${state}`);
          if (bystander)
            expectCounts(after, { [bystander]: 2 }, `after clean ${state}: other states stay`);
        },
      );
    }

    h.test(
      'empty: removes every job that is not active and reports how many',
      [declared('empty')],
      async (ctx) => {
        const b = backend();
        const queue = h.queueName();
        const states = mixableStates(h.caps);
        await h.seed(b, queue, Object.fromEntries(states.map((s) => [s, 2])));
        const before = await statsOf(b, queue);
        const active = countOf(before.counts, 'active');
        const result = await run(ctx, queue, { type: 'empty' });
        expect(result.affected, 'empty: affected is every job but the active ones').toBe(
          totalOf(before.counts) - active,
        );
        const after = await statsOf(b, queue);
        for (const state of h.caps.states) {
          expect(countOf(after.counts, state), `after empty: ${state} count`).toBe(
            state === 'active' ? active : 0,
          );
        }
      },
    );

    const somewhere = anyState(h.caps);
    h.test(
      'pause: getStats reports the queue paused, with every job kept',
      [declared('pause'), seedable(somewhere)],
      async (ctx) => {
        const b = backend();
        const queue = h.queueName();
        await h.seed(b, queue, { [somewhere!]: 3 });
        const before = await statsOf(b, queue);
        expect(before.paused, 'a fresh queue is not paused').toBe(false);
        await run(ctx, queue, { type: 'pause' });
        const after = await statsOf(b, queue);
        expect(after.paused, 'paused after pause').toBe(true);
        expect(totalOf(after.counts), 'pause keeps every job').toBe(totalOf(before.counts));
      },
    );

    h.test(
      'resume: getStats reports the paused queue running again',
      [declared('pause'), declared('resume'), seedable(somewhere)],
      async (ctx) => {
        const b = backend();
        const queue = h.queueName();
        await h.seed(b, queue, { [somewhere!]: 3 });
        const before = await statsOf(b, queue);
        await run(ctx, queue, { type: 'pause' });
        await run(ctx, queue, { type: 'resume' });
        const after = await statsOf(b, queue);
        expect(after.paused, 'paused after resume').toBe(false);
        expect(totalOf(after.counts), 'pause and resume keep every job').toBe(
          totalOf(before.counts),
        );
        expect(after.counts, 'pause then resume leaves the counts as they were').toEqual(
          before.counts,
        );
      },
    );

    h.test('obliterate: removes the queue and its jobs', [declared('obliterate')], async (ctx) => {
      const b = backend();
      const queue = h.queueName();
      const states = mixableStates(h.caps).filter((s) => s !== 'active');
      const seeded = await h.seed(b, queue, Object.fromEntries(states.map((s) => [s, 1])));
      expect(
        (await b.listQueues()).map((q) => q.name),
        'listed before obliterate',
      ).toContain(queue);
      await run(ctx, queue, { type: 'obliterate' });
      expect(
        (await b.listQueues()).map((q) => q.name),
        'listQueues after obliterate',
      ).not.toContain(queue);
      const stats = (await b.getStats([queue]))[queue];
      if (stats !== undefined) {
        expect(totalOf(stats.counts), 'getStats of an obliterated queue: omitted or empty').toBe(0);
      }
      // The queue is unknown now; getJob may say so with a 404 (the service does anyway).
      for (const id of Object.values(seeded).flat()) {
        const context = `getJob(${queue}, ${id}) after obliterate`;
        const job = await b.getJob(queue, id).catch((error: unknown) => {
          expectProblemError(error, [404], context);
          return null;
        });
        expect(job, context).toBeNull();
      }
    });
  });
}
