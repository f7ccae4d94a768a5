import { type JobLogPage, jobLogPageSchema, type QueueBackend } from '@qadmin/core';
import { describe, expect } from 'vitest';
import { anyState, type Harness, seedable } from '../harness';

const LOG_LINES = [
  'first line',
  'second <b>line</b>',
  'third: ü 東京 😀',
  'fourth\twith tab',
  'fifth',
];

/** getJobLogs: shape, paging consistency, and the seeded lines when the seeder could attach them. */
export function logScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('getJobLogs', () => {
    const backend = h.useBackend();
    const state = anyState(h.caps);
    const requirements = [{ ok: h.caps.logs, label: 'logs' }, seedable(state)];

    const seedOne = async (withLogs: boolean) => {
      const b = backend();
      const queue = h.queueName();
      const seeded = await h.seed(b, queue, {
        [state!]: 1,
        ...(withLogs ? { logs: () => [...LOG_LINES] } : {}),
      });
      return { b, queue, id: seeded[state!]![0]! };
    };

    const logsOf = async (b: B, queue: string, id: string, offset: number, limit: number) => {
      const context = `getJobLogs(${queue}, ${id}, { offset: ${offset}, limit: ${limit} })`;
      const page: JobLogPage = await b.getJobLogs!(queue, id, { offset, limit });
      const parsed = jobLogPageSchema.safeParse(page);
      expect(parsed.success, `${context}: ${JSON.stringify(page)} is not a JobLogPage`).toBe(true);
      expect(page.lines.length, `${context}: at most limit lines`).toBeLessThanOrEqual(limit);
      expect(page.lines.length, `${context}: lines = min(limit, total - offset)`).toBe(
        Math.max(0, Math.min(limit, page.total - offset)),
      );
      return page;
    };

    h.test('pages are consistent with total, for any offset and limit', requirements, async () => {
      for (const withLogs of [false, true]) {
        const { b, queue, id } = await seedOne(withLogs);
        const all = await logsOf(b, queue, id, 0, 1000);
        for (const [offset, limit] of [
          [0, 1],
          [1, 2],
          [2, 100],
          [all.total, 10],
          [all.total + 5, 10],
        ] as const) {
          const page = await logsOf(b, queue, id, offset, limit);
          expect(page.total, 'total does not depend on the page').toBe(all.total);
          expect(page.lines, `lines ${offset}..${offset + limit}`).toEqual(
            all.lines.slice(offset, offset + limit),
          );
        }
      }
    });

    h.test('returns the seeded log lines, oldest first', requirements, async (ctx) => {
      const { b, queue, id } = await seedOne(true);
      const before = Date.now();
      const page = await logsOf(b, queue, id, 0, 1000);
      if (page.total === 0) {
        // The seeder could not attach logs (SeedSpec.logs is optional for seeders): nothing to compare.
        ctx.skip('the seeder attached no log lines, so their content cannot be checked');
      }
      expect(page.total).toBe(LOG_LINES.length);
      expect(page.lines.map((l) => l.message)).toEqual(LOG_LINES);
      for (const line of page.lines) {
        if (line.timestamp !== null) {
          expect(line.timestamp, 'timestamp is epoch milliseconds').toBeLessThanOrEqual(
            before + 60_000,
          );
          expect(line.timestamp, 'timestamp is epoch milliseconds').toBeGreaterThan(
            before - 3_600_000,
          );
        }
      }
    });
  });
}
