import { type QueueBackend, type Schedule, scheduleSchema } from '@qadmin/core';
import { describe, expect, type TestContext } from 'vitest';
import {
  anyState,
  CLOCK_SLACK_MS,
  expectProblem,
  type Harness,
  parseOrFail,
  seedable,
} from '../harness';
import { hostileObject } from '../payloads';

const FIVE_MINUTES = 300_000;

function expectValidSchedule(schedule: unknown, context: string): asserts schedule is Schedule {
  parseOrFail(scheduleSchema, schedule, `${context}: not a valid Schedule`);
}

/** Repeatable jobs: listing, upsert by id, removal. */
export function scheduleScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('schedules', () => {
    const backend = h.useBackend();
    const existing = anyState(h.caps);
    const canSeed = seedable(existing);
    const read = { ok: h.caps.schedules.read, label: 'schedules.read' };
    const write = { ok: h.caps.schedules.write, label: 'schedules.write' };

    const newQueue = async (ctx: TestContext, needsWrite: boolean) => {
      const b = backend();
      const queue = h.queueName();
      await h.seed(b, queue, { [existing!]: 1 });
      h.assumeQueue(
        ctx,
        b,
        queue,
        (c) => c.schedules.read && (!needsWrite || c.schedules.write),
        needsWrite ? 'schedules.write' : 'schedules.read',
      );
      return { b, queue };
    };

    const list = async (b: B, queue: string) => {
      const schedules = await b.listSchedules!(queue);
      expect(Array.isArray(schedules), `listSchedules(${queue}) returns an array`).toBe(true);
      for (const s of schedules) expectValidSchedule(s, `listSchedules(${queue})`);
      return schedules;
    };

    h.test('listSchedules of a queue without schedules is empty', [read, canSeed], async (ctx) => {
      const { b, queue } = await newQueue(ctx, false);
      expect(await list(b, queue)).toEqual([]);
    });

    h.test(
      'upsert with a cron pattern: listed, with the next run in the future',
      [read, write, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, true);
        const before = Date.now();
        const created = await b.upsertSchedule!(queue, {
          id: 'every-five-minutes',
          jobName: 'contract-cron',
          pattern: '*/5 * * * *',
          timezone: 'UTC',
          data: hostileObject,
        });
        expectValidSchedule(created, `upsertSchedule(${queue}, pattern)`);
        const listed = (await list(b, queue)).filter((s) => s.id === 'every-five-minutes');
        expect(listed, 'listSchedules has the schedule once').toHaveLength(1);
        for (const s of [created, listed[0]!]) {
          expect(s.queue, 'queue').toBe(queue);
          expect(s.jobName, 'jobName').toBe('contract-cron');
          expect(s.pattern, 'pattern').toBe('*/5 * * * *');
          expect(s.everyMs, 'everyMs of a cron schedule').toBeNull();
          expect(s.data, 'data').toEqual(hostileObject);
          expect(s.nextRunAt, 'nextRunAt').not.toBeNull();
          expect(s.nextRunAt!, 'nextRunAt is in the future').toBeGreaterThanOrEqual(before);
          expect(s.nextRunAt!, 'nextRunAt is within five minutes').toBeLessThanOrEqual(
            Date.now() + FIVE_MINUTES + CLOCK_SLACK_MS,
          );
          expect(s.nextRunAt! % 60_000, 'a cron run starts on a whole minute').toBe(0);
        }
      },
    );

    h.test(
      'upsert with everyMs: listed, with the next run within the interval',
      [read, write, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, true);
        const before = Date.now();
        const created = await b.upsertSchedule!(queue, {
          id: 'every-minute',
          jobName: 'contract-every',
          everyMs: 60_000,
        });
        expectValidSchedule(created, `upsertSchedule(${queue}, everyMs)`);
        const listed = (await list(b, queue)).filter((s) => s.id === 'every-minute');
        expect(listed, 'listSchedules has the schedule once').toHaveLength(1);
        for (const s of [created, listed[0]!]) {
          expect(s.everyMs, 'everyMs').toBe(60_000);
          expect(s.pattern, 'pattern of an interval schedule').toBeNull();
          expect(s.nextRunAt, 'nextRunAt').not.toBeNull();
          expect(s.nextRunAt!, 'nextRunAt is not in the past').toBeGreaterThanOrEqual(before);
          expect(s.nextRunAt!, 'nextRunAt is within the interval').toBeLessThanOrEqual(
            Date.now() + 60_000 + CLOCK_SLACK_MS,
          );
        }
      },
    );

    h.test(
      'upsert with an existing id replaces the schedule',
      [read, write, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, true);
        await b.upsertSchedule!(queue, { id: 'nightly', jobName: 'first', pattern: '0 3 * * *' });
        await b.upsertSchedule!(queue, { id: 'other', jobName: 'other', everyMs: 3_600_000 });
        const replaced = await b.upsertSchedule!(queue, {
          id: 'nightly',
          jobName: 'second',
          everyMs: 120_000,
          data: { v: 2 },
        });
        expectValidSchedule(replaced, 'upsertSchedule (replace)');
        const schedules = await list(b, queue);
        expect(schedules.map((s) => s.id).sort(), 'ids after replacing').toEqual([
          'nightly',
          'other',
        ]);
        const nightly = schedules.find((s) => s.id === 'nightly')!;
        expect(nightly.jobName).toBe('second');
        expect(nightly.everyMs).toBe(120_000);
        expect(nightly.pattern).toBeNull();
        expect(nightly.data).toEqual({ v: 2 });
      },
    );

    h.test(
      'removeSchedule removes it; an unknown id is rejected with 404',
      [read, write, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, true);
        await b.upsertSchedule!(queue, { id: 'doomed', jobName: 'doomed', everyMs: 60_000 });
        await b.upsertSchedule!(queue, { id: 'kept', jobName: 'kept', everyMs: 60_000 });
        await b.removeSchedule!(queue, 'doomed');
        expect(
          (await list(b, queue)).map((s) => s.id),
          'after remove',
        ).toEqual(['kept']);
        await expectProblem(b.removeSchedule!(queue, 'doomed'), [404], 'removeSchedule (again)');
        await expectProblem(
          b.removeSchedule!(queue, 'never-existed'),
          [404],
          'removeSchedule (unknown id)',
        );
      },
    );
  });
}
