import { JOB_ORDERS, type JobState, type QueueBackend } from '@qadmin/core';
import { beforeAll, describe, expect } from 'vitest';
import {
  checkPage,
  collectPages,
  expectProblem,
  expectSorted,
  expectUniqueIds,
  type Harness,
  mixableStates,
  sleep,
} from '../harness';

const JOBS_PER_STATE = 23;
const PAGE_SIZES = [1, 7, 50] as const;
const ALPHA = 'contract-alpha';
const BETA = 'contract-beta';

const nameOf = (_state: JobState, index: number) => (index % 3 === 0 ? ALPHA : BETA);
const sorted = (ids: readonly string[]) => [...ids].sort();

/** Cursor and offset pagination, ordering, name filter, and stability under inserts. */
export function listJobScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('listJobs', () => {
    const backend = h.useBackend();
    const seeded = new Map<JobState, { queue: string; ids: string[] }>();

    beforeAll(async () => {
      const b = backend();
      for (const state of h.caps.states) {
        const queue = h.queueName();
        const jobs = await h.seed(b, queue, {
          [state]: JOBS_PER_STATE,
          name: nameOf,
          data: (s, index) => ({ state: s, index }),
        });
        seeded.set(state, { queue, ids: jobs[state] ?? [] });
      }
    }, h.timeoutMs * 2);

    const seededOf = (state: JobState) => {
      const entry = seeded.get(state);
      if (!entry) throw new Error(`state ${state} was not seeded`);
      return entry;
    };

    for (const state of h.caps.states) {
      h.test(
        `${state}: every job appears exactly once across pages of 1, 7 and 50, in both orders`,
        [],
        async () => {
          const b = backend();
          const { queue, ids } = seededOf(state);
          for (const order of JOB_ORDERS) {
            let reference: string[] | undefined;
            for (const limit of [...PAGE_SIZES].reverse()) {
              const context = `listJobs(${queue}, ${state}, ${order}, limit ${limit})`;
              const { jobs, pages } = await collectPages(
                b,
                queue,
                { state, order, limit },
                JOBS_PER_STATE,
              );
              const listed = jobs.map((j) => j.id);
              expectUniqueIds(listed, context);
              expect(sorted(listed), `${context}: exactly the seeded jobs`).toEqual(sorted(ids));
              for (const page of pages) {
                if (page.total !== null) {
                  expect(page.total, `${context}: total`).toBe(JOBS_PER_STATE);
                }
              }
              // The largest page size gives the reference order; smaller pages must not reorder it.
              if (reference === undefined) reference = listed;
              else expect(listed, `${context}: same order as one big page`).toEqual(reference);
            }
          }
        },
      );

      h.test(
        `${state}: newest is the exact reverse of oldest, both sorted by createdAt`,
        [],
        async () => {
          const b = backend();
          const { queue } = seededOf(state);
          const newest = (await collectPages(b, queue, { state, order: 'newest', limit: 50 }, 50))
            .jobs;
          const oldest = (await collectPages(b, queue, { state, order: 'oldest', limit: 50 }, 50))
            .jobs;
          expectSorted(newest, 'newest', `listJobs(${queue}, ${state}, newest)`);
          expectSorted(oldest, 'oldest', `listJobs(${queue}, ${state}, oldest)`);
          expect(
            newest.map((j) => j.id),
            `listJobs(${queue}, ${state}): newest must be oldest reversed (break createdAt ties the same way in both orders)`,
          ).toEqual(oldest.map((j) => j.id).reverse());
        },
      );

      // Where jobs are named after their queue the service refuses a name filter (400) before
      // the backend sees it, so there is nothing to check at the backend.
      h.test(
        `${state}: the name filter returns exactly the jobs with that name`,
        [h.jobNames],
        async (ctx) => {
          const b = backend();
          const { queue, ids } = seededOf(state);
          h.assumeQueue(ctx, b, queue, (c) => c.jobNames, 'jobNames');
          for (const name of [ALPHA, BETA]) {
            const expected = ids.filter((_, index) => nameOf(state, index) === name);
            for (const order of JOB_ORDERS) {
              const context = `listJobs(${queue}, ${state}, name ${name}, ${order})`;
              const { jobs, pages } = await collectPages(
                b,
                queue,
                { state, order, limit: 3, name },
                JOBS_PER_STATE,
              );
              expectUniqueIds(
                jobs.map((j) => j.id),
                context,
              );
              expect(sorted(jobs.map((j) => j.id)), context).toEqual(sorted(expected));
              for (const page of pages) {
                if (page.total !== null) {
                  expect(page.total, `${context}: total counts only matching jobs`).toBe(
                    expected.length,
                  );
                }
              }
            }
          }
          const none = await b.listJobs(queue, {
            state,
            order: 'newest',
            limit: 10,
            name: 'contract-no-such-name',
          });
          expect(none.jobs, 'a name no job has').toEqual([]);
          expect(none.nextCursor, 'a name no job has: nextCursor').toBeNull();
        },
      );

      h.test(
        `${state}: offset pages match cursor pages`,
        [{ ok: h.caps.offsetPagination, label: 'offsetPagination' }],
        async () => {
          const b = backend();
          const { queue } = seededOf(state);
          for (const order of JOB_ORDERS) {
            const reference = (
              await collectPages(b, queue, { state, order, limit: 50 }, JOBS_PER_STATE)
            ).jobs.map((j) => j.id);
            const limit = 7;
            for (let offset = 0; offset < JOBS_PER_STATE + limit; offset += limit) {
              const context = `listJobs(${queue}, ${state}, ${order}, offset ${offset}, limit ${limit})`;
              const page = await b.listJobs(queue, { state, order, limit, offset });
              checkPage(page, { state, limit }, context);
              expect(
                page.jobs.map((j) => j.id),
                context,
              ).toEqual(reference.slice(offset, offset + limit));
              if (page.total !== null) expect(page.total, `${context}: total`).toBe(JOBS_PER_STATE);
            }
          }
        },
      );

      h.test(
        `${state}: a cursor stays stable when jobs are added between page fetches`,
        [],
        async () => {
          const b = backend();
          for (const order of JOB_ORDERS) {
            const queue = h.queueName();
            const original = (await h.seed(b, queue, { [state]: 12, name: nameOf }))[state] ?? [];
            const context = `listJobs(${queue}, ${state}, ${order}) with inserts between pages`;
            const first = await b.listJobs(queue, { state, order, limit: 5 });
            checkPage(first, { state, limit: 5 }, context);
            expect(
              first.nextCursor,
              `${context}: 12 jobs in pages of 5 need a cursor`,
            ).not.toBeNull();
            // Later createdAt: at the head of `newest`, at the tail of `oldest`.
            await sleep(5);
            await h.seed(b, queue, { [state]: 4, name: nameOf });
            const seen = first.jobs.map((j) => j.id);
            let cursor = first.nextCursor;
            for (let guard = 0; cursor !== null; guard++) {
              expect(guard, `${context}: the cursor does not advance`).toBeLessThan(20);
              const page = await b.listJobs(queue, { state, order, limit: 5, cursor });
              checkPage(page, { state, limit: 5 }, context);
              seen.push(...page.jobs.map((j) => j.id));
              cursor = page.nextCursor;
            }
            expectUniqueIds(seen, context);
            for (const id of original) {
              expect(seen, `${context}: original job ${id} was skipped`).toContain(id);
            }
          }
        },
      );
    }

    h.test('a malformed cursor is rejected with 400', [], async () => {
      const b = backend();
      const state = h.caps.states[0]!;
      const { queue } = seededOf(state);
      for (const cursor of ['not a cursor %%% \u0000', '{"__proto__":1}', 'x'.repeat(2048)]) {
        await expectProblem(
          b.listJobs(queue, { state, order: 'newest', limit: 5, cursor }),
          [400],
          `listJobs(${queue}, cursor ${JSON.stringify(cursor.slice(0, 20))})`,
        );
      }
    });

    h.test(
      'a state without jobs gives one empty last page',
      [{ ok: mixableStates(h.caps).length >= 2, label: 'a second state' }],
      async () => {
        const b = backend();
        const [occupied, empty] = mixableStates(h.caps) as [JobState, JobState];
        const queue = h.queueName();
        await h.seed(b, queue, { [occupied]: 2 });
        const page = await b.listJobs(queue, { state: empty, order: 'newest', limit: 10 });
        checkPage(page, { state: empty, limit: 10 }, `listJobs(${queue}, ${empty})`);
        expect(page.jobs).toEqual([]);
        expect(page.nextCursor, 'nextCursor of an empty state').toBeNull();
        expect([0, null], 'total of an empty state').toContain(page.total);
      },
    );
  });
}
