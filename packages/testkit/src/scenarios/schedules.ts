import {
  DEFAULT_SCHEDULE_ID,
  type QueueBackend,
  type Schedule,
  type ScheduleInput,
  scheduleSchema,
} from '@qadmin/core';
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

/**
 * Repeatable jobs: listing, upsert by id, removal. Where a backend's schedules
 * are cron patterns only (`schedules.intervals` false) the tests repeat by
 * pattern; where a queue keeps one schedule (`schedules.multiple` false) they
 * use {@link DEFAULT_SCHEDULE_ID}; where jobs are named after their queue
 * (`jobNames` false) a schedule's `jobName` is the queue's name.
 */
export function scheduleScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('schedules', () => {
    const backend = h.useBackend();
    const existing = anyState(h.caps);
    const canSeed = seedable(existing);
    const read = { ok: h.caps.schedules.read, label: 'schedules.read' };
    const write = { ok: h.caps.schedules.write, label: 'schedules.write' };
    const intervals = { ok: h.caps.schedules.intervals, label: 'schedules.intervals' };
    const multiple = { ok: h.caps.schedules.multiple, label: 'schedules.multiple' };

    /** The schedule capabilities of `queue`: its own, else the backend's. */
    const schedulesOf = (b: B, queue: string) => (b.queueCapabilities?.(queue) ?? h.caps).schedules;
    /** `id` where the queue keeps several schedules, else the id of its only one. */
    const idFor = (b: B, queue: string, id: string) =>
      schedulesOf(b, queue).multiple ? id : DEFAULT_SCHEDULE_ID;
    /** Repeats every `minutes` minutes: by interval where the queue has them, else by cron. */
    const everyMinutes = (
      b: B,
      queue: string,
      minutes: number,
    ): Pick<ScheduleInput, 'pattern' | 'everyMs'> =>
      schedulesOf(b, queue).intervals
        ? { everyMs: minutes * 60_000 }
        : { pattern: minutes === 1 ? '* * * * *' : `*/${minutes} * * * *` };

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
        const id = idFor(b, queue, 'every-five-minutes');
        const before = Date.now();
        const created = await b.upsertSchedule!(queue, {
          id,
          jobName: 'contract-cron',
          pattern: '*/5 * * * *',
          timezone: 'UTC',
          data: hostileObject,
        });
        expectValidSchedule(created, `upsertSchedule(${queue}, pattern)`);
        const listed = (await list(b, queue)).filter((s) => s.id === id);
        expect(listed, 'listSchedules has the schedule once').toHaveLength(1);
        for (const s of [created, listed[0]!]) {
          expect(s.id, 'id').toBe(id);
          expect(s.queue, 'queue').toBe(queue);
          expect(s.jobName, 'jobName').toBe(h.jobName(b, queue, 'contract-cron'));
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
      [read, write, intervals, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, true);
        h.assumeQueue(ctx, b, queue, (c) => c.schedules.intervals, 'schedules.intervals');
        const id = idFor(b, queue, 'every-minute');
        const before = Date.now();
        const created = await b.upsertSchedule!(queue, {
          id,
          jobName: 'contract-every',
          everyMs: 60_000,
        });
        expectValidSchedule(created, `upsertSchedule(${queue}, everyMs)`);
        const listed = (await list(b, queue)).filter((s) => s.id === id);
        expect(listed, 'listSchedules has the schedule once').toHaveLength(1);
        for (const s of [created, listed[0]!]) {
          expect(s.jobName, 'jobName').toBe(h.jobName(b, queue, 'contract-every'));
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
        const { intervals: hasIntervals, multiple: hasMultiple } = schedulesOf(b, queue);
        const id = idFor(b, queue, 'nightly');
        await b.upsertSchedule!(queue, { id, jobName: 'first', pattern: '0 3 * * *' });
        if (hasMultiple) {
          await b.upsertSchedule!(queue, {
            id: 'other',
            jobName: 'other',
            ...everyMinutes(b, queue, 60),
          });
        }
        // Where there are intervals, the replacement also switches from cron to interval.
        const replacement: Pick<ScheduleInput, 'pattern' | 'everyMs'> = hasIntervals
          ? { everyMs: 120_000 }
          : { pattern: '*/2 * * * *' };
        const replaced = await b.upsertSchedule!(queue, {
          id,
          jobName: 'second',
          ...replacement,
          data: { v: 2 },
        });
        expectValidSchedule(replaced, 'upsertSchedule (replace)');
        const schedules = await list(b, queue);
        expect(schedules.map((s) => s.id).sort(), 'ids after replacing').toEqual(
          hasMultiple ? [id, 'other'].sort() : [id],
        );
        const nightly = schedules.find((s) => s.id === id)!;
        expect(nightly.jobName).toBe(h.jobName(b, queue, 'second'));
        expect(nightly.everyMs).toBe(replacement.everyMs ?? null);
        expect(nightly.pattern).toBe(replacement.pattern ?? null);
        expect(nightly.data).toEqual({ v: 2 });
      },
    );

    h.test(
      'removeSchedule removes it; an unknown id is rejected with 404',
      [read, write, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, true);
        if (!schedulesOf(b, queue).multiple) {
          // The queue's only schedule: removing it a second time finds nothing.
          await b.upsertSchedule!(queue, {
            id: DEFAULT_SCHEDULE_ID,
            jobName: 'doomed',
            ...everyMinutes(b, queue, 1),
          });
          await b.removeSchedule!(queue, DEFAULT_SCHEDULE_ID);
          expect(await list(b, queue), 'after remove').toEqual([]);
          await expectProblem(
            b.removeSchedule!(queue, DEFAULT_SCHEDULE_ID),
            [404],
            'removeSchedule (again)',
          );
          return;
        }
        await b.upsertSchedule!(queue, {
          id: 'doomed',
          jobName: 'doomed',
          ...everyMinutes(b, queue, 1),
        });
        await b.upsertSchedule!(queue, {
          id: 'kept',
          jobName: 'kept',
          ...everyMinutes(b, queue, 1),
        });
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

    h.test(
      'a queue keeps several schedules apart, each under its own id',
      [read, write, multiple, canSeed],
      async (ctx) => {
        const { b, queue } = await newQueue(ctx, true);
        h.assumeQueue(ctx, b, queue, (c) => c.schedules.multiple, 'schedules.multiple');
        await b.upsertSchedule!(queue, { id: 'morning', jobName: 'wake', pattern: '0 7 * * *' });
        await b.upsertSchedule!(queue, { id: 'evening', jobName: 'sleep', pattern: '0 22 * * *' });
        const schedules = await list(b, queue);
        expect(schedules.map((s) => s.id).sort(), 'ids').toEqual(['evening', 'morning']);
        const byId = new Map(schedules.map((s) => [s.id, s]));
        expect(byId.get('morning')?.pattern, 'pattern of morning').toBe('0 7 * * *');
        expect(byId.get('evening')?.pattern, 'pattern of evening').toBe('0 22 * * *');
        expect(byId.get('evening')?.jobName, 'jobName of evening').toBe(
          h.jobName(b, queue, 'sleep'),
        );
      },
    );
  });
}
