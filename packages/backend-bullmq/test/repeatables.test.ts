/** BullMQ 5 still writes legacy repeatable jobs (`add` with `repeat`): they show and go with the schedulers. */
import { Queue } from 'bullmq';
import { expect, inject, it } from 'vitest';
import { createBullmqBackend } from '../src/index';

it.runIf(process.env.EXPECTED_BULLMQ_MAJOR === '5')(
  'lists a legacy repeatable job with its pattern and next run, and removes it',
  async () => {
    const url = inject('redisUrl');
    const prefix = `lg${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const queue = new Queue('reports', { connection: { url }, prefix });
    const backend = createBullmqBackend({ connection: url, prefix, metrics: false });
    try {
      // BullMQ 6's types have no `repeat` any more; this runs on 5 only.
      await queue.add('tick', { a: 1 }, { repeat: { pattern: '*/5 * * * *' } } as never);
      const [schedule, ...rest] = await backend.listSchedules!('reports');
      expect(rest).toEqual([]);
      expect(schedule).toMatchObject({ jobName: 'tick', pattern: '*/5 * * * *', everyMs: null });
      expect(schedule!.nextRunAt! % 300_000).toBe(0);
      expect(schedule!.nextRunAt!).toBeGreaterThan(Date.now());
      await backend.removeSchedule!('reports', schedule!.id);
      expect(await backend.listSchedules!('reports')).toEqual([]);
    } finally {
      await queue.close();
      await backend.close?.();
    }
  },
);
