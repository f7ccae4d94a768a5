import {
  type Job,
  type JobOrder,
  type JobState,
  type QueueBackend,
  SEARCH_FIELDS,
  type SearchField,
  type SearchPage,
} from '@qadmin/core';
import { describe, expect } from 'vitest';
import {
  checkPage,
  expectSorted,
  expectUniqueIds,
  firstDeclared,
  type Harness,
  mixableStates,
  randomSuffix,
} from '../harness';
import type { SeedSpec } from '../types';

const JOBS = 30;
const isMatch = (index: number) => index % 4 === 0;
/** Jobs that carry the needle in a field the search was not asked to look in. */
const isLeak = (index: number) => index % 4 === 2;

/**
 * The needle holds LIKE wildcards and regular-expression syntax, and the
 * near misses match it only when those are not taken literally.
 */
function makeNeedle() {
  const token = randomSuffix(6).replace(/\d/g, 'x');
  const needle = `k7%_.*(${token}`;
  return {
    needle,
    /** What matching jobs carry: the needle in alternating case. */
    shouted: [...needle].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join(''),
    nearMisses: [`k7ab.*(${token}`, `k7%_xy(${token}`],
  };
}

function searchSpec(
  field: SearchField,
  state: JobState,
  { needle, shouted, nearMisses }: ReturnType<typeof makeNeedle>,
): SeedSpec {
  const text = (i: number) =>
    isMatch(i) ? `before ${shouted} after` : `miss ${nearMisses[i % 2]} miss`;
  const leak = (i: number) => (isLeak(i) ? `leak ${needle}` : 'plain');
  return {
    [state]: JOBS,
    name: (_s, i) => `job ${field === 'name' ? text(i) : leak(i)}`,
    data: (_s, i) =>
      field === 'data' ? { note: text(i), i } : { note: field === 'name' ? leak(i) : 'plain', i },
    failedReason: (i) => (field === 'error' ? text(i) : 'plain failure'),
  };
}

type Search = (
  order: JobOrder,
  limit: number,
  scanLimit: number,
  cursor?: string,
) => Promise<SearchPage>;

/** Bounded, literal, case-insensitive search per declared field. */
export function searchScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('searchJobs', () => {
    const backend = h.useBackend();

    for (const field of SEARCH_FIELDS) {
      const state: JobState | undefined =
        field === 'error'
          ? firstDeclared(h.caps, ['failed'])
          : firstDeclared(h.caps, ['waiting', 'completed', 'failed', ...mixableStates(h.caps)]);
      const requirements = [
        { ok: h.caps.search.includes(field), label: `search in ${field}` },
        { ok: state !== undefined, label: field === 'error' ? 'state failed' : 'a seedable state' },
      ];

      const setup = async () => {
        const b = backend();
        const queue = h.queueName();
        const words = makeNeedle();
        const seeded = await h.seed(b, queue, searchSpec(field, state!, words));
        const ids = seeded[state!] ?? [];
        const expected = ids.filter((_, i) => isMatch(i)).sort();
        const search: Search = (order, limit, scanLimit, cursor) =>
          b.searchJobs!(queue, {
            state: state!,
            text: words.needle,
            fields: [field],
            order,
            limit,
            scanLimit,
            cursor,
          });
        return { queue, expected, search };
      };

      const checkSearchPage = (
        page: SearchPage,
        limit: number,
        scanLimit: number,
        context: string,
      ) => {
        checkPage(page, { state: state!, limit }, context);
        expect(Number.isInteger(page.scanned), `${context}: scanned is an integer`).toBe(true);
        expect(page.scanned, `${context}: scanned <= scanLimit`).toBeLessThanOrEqual(scanLimit);
        expect(page.scanned, `${context}: scanned counts at least the hits`).toBeGreaterThanOrEqual(
          page.jobs.length,
        );
        expect(
          page.exhausted,
          `${context}: exhausted must be true exactly when nextCursor is null`,
        ).toBe(page.nextCursor === null);
      };

      /** Every hit, unique, exactly the matching jobs, in `order`. */
      const expectHits = (
        jobs: readonly Job[],
        expected: readonly string[],
        order: JobOrder,
        context: string,
        message = context,
      ) => {
        const ids = jobs.map((j) => j.id);
        expectUniqueIds(ids, context);
        expect([...ids].sort(), message).toEqual(expected);
        expectSorted(jobs, order, context);
      };

      /** Follows nextCursor to the end, checking every page. */
      const searchAll = async (
        search: Search,
        order: JobOrder,
        limit: number,
        scanLimit: number,
        context: string,
      ) => {
        const pages: SearchPage[] = [];
        let cursor: string | undefined;
        for (let call = 1; ; call++) {
          expect(call, `${context}: the cursor does not advance`).toBeLessThanOrEqual(JOBS);
          const page = await search(order, limit, scanLimit, cursor);
          checkSearchPage(page, limit, scanLimit, `${context} call ${call}`);
          pages.push(page);
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        return { pages, jobs: pages.flatMap((page) => page.jobs) };
      };

      h.test(
        `${field}: finds exactly the matching jobs, case-insensitively and literally`,
        requirements,
        async () => {
          const { queue, expected, search } = await setup();
          const context = `searchJobs(${queue}, ${field}) in one call`;
          const page = await search('newest', 100, 10_000);
          checkSearchPage(page, 100, 10_000, context);
          expect(page.exhausted, `${context}: looked at all ${JOBS} jobs`).toBe(true);
          expect(
            page.scanned,
            `${context}: scanned at most the jobs of the state`,
          ).toBeLessThanOrEqual(JOBS);
          expectHits(
            page.jobs,
            expected,
            'newest',
            context,
            `${context}: hits (wildcards and regex syntax are literal, other fields are not searched)`,
          );
          if (page.total !== null) expect(page.total, `${context}: total`).toBe(expected.length);
        },
      );

      h.test(
        `${field}: respects limit and continues with nextCursor without duplicates`,
        requirements,
        async () => {
          const { queue, expected, search } = await setup();
          const context = `searchJobs(${queue}, ${field}, limit 3)`;
          const { jobs } = await searchAll(search, 'newest', 3, 10_000, context);
          expectHits(jobs, expected, 'newest', context);
        },
      );

      h.test(
        `${field}: looks at no more than scanLimit jobs per call and resumes from the cursor`,
        requirements,
        async () => {
          const { queue, expected, search } = await setup();
          const context = `searchJobs(${queue}, ${field}, scanLimit 5, oldest)`;
          const { pages, jobs } = await searchAll(search, 'oldest', 100, 5, context);
          expect(pages[0]!.exhausted, `${context}: ${JOBS} jobs cannot be looked at in 5`).toBe(
            false,
          );
          expectHits(jobs, expected, 'oldest', context);
        },
      );
    }
  });
}
