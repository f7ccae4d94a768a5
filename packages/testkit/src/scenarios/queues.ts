import {
  type JobState,
  type QueueBackend,
  queueInfoSchema,
  queueStatsSchema,
  type StateCounts,
} from '@qadmin/core';
import { beforeAll, describe, expect } from 'vitest';
import { type Harness, mixableStates, randomSuffix } from '../harness';

interface SeededQueue {
  queue: string;
  expected: StateCounts;
}

/** listQueues and getStats over several seeded queues. */
export function queueScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('queues and counts', () => {
    const backend = h.useBackend();
    const seeded: SeededQueue[] = [];
    const unknownQueue = `contract-unknown-${randomSuffix(6)}`;

    beforeAll(async () => {
      const b = backend();
      const mixable = mixableStates(h.caps);
      // Distinct counts per state catch a backend that reports one state's count under another.
      if (mixable.length > 0) {
        const everyState: StateCounts = {};
        mixable.forEach((state, i) => {
          everyState[state] = i + 1;
        });
        const first = mixable[0]!;
        for (const expected of [everyState, { [first]: 2 }]) {
          const queue = h.queueName();
          await h.seed(b, queue, { ...expected });
          seeded.push({ queue, expected });
        }
      }
      if (h.caps.states.includes('paused')) {
        const queue = h.queueName();
        await h.seed(b, queue, { paused: 3 });
        seeded.push({ queue, expected: { paused: 3 } });
      }
    }, h.timeoutMs);

    h.test('listQueues includes every seeded queue, once, as valid QueueInfo', [], async () => {
      const queues = await backend().listQueues();
      expect(Array.isArray(queues), 'listQueues returns an array').toBe(true);
      for (const info of queues) {
        const parsed = queueInfoSchema.safeParse(info);
        expect(parsed.success, `listQueues: ${JSON.stringify(info)} is not a QueueInfo`).toBe(true);
      }
      const names = queues.map((q) => q.name);
      for (const { queue } of seeded) {
        expect(
          names.filter((n) => n === queue),
          `listQueues lists ${queue} once`,
        ).toHaveLength(1);
      }
      expect(names, 'an unknown queue is not listed').not.toContain(unknownQueue);
    });

    h.test(
      'getStats returns exact counts of every declared state for many queues in one call',
      [],
      async () => {
        const names = seeded.map((s) => s.queue);
        const stats = await backend().getStats([...names, unknownQueue]);
        for (const { queue, expected } of seeded) {
          const s = stats[queue];
          expect(s, `getStats omitted ${queue}`).toBeDefined();
          const parsed = queueStatsSchema.safeParse(s);
          expect(parsed.success, `getStats: ${JSON.stringify(s)} is not a QueueStats`).toBe(true);
          for (const state of h.caps.states) {
            expect(
              s!.counts[state],
              `getStats()[${queue}].counts.${state} (declared states are always reported)`,
            ).toBe(expected[state] ?? 0);
          }
          for (const state of Object.keys(s!.counts) as JobState[]) {
            if (h.caps.states.includes(state)) continue;
            expect(
              s!.counts[state],
              `counts.${state} is not a declared state, so it must be 0`,
            ).toBe(0);
          }
        }
      },
    );

    h.test('getStats omits unknown queues', [], async () => {
      const b = backend();
      expect(await b.getStats([unknownQueue]), 'getStats([unknown])').toEqual({});
      const first = seeded[0];
      if (!first) return;
      const stats = await b.getStats([unknownQueue, first.queue]);
      expect(Object.keys(stats), 'getStats([unknown, known])').toEqual([first.queue]);
    });

    h.test(
      'getStats reports a freshly seeded queue as not paused, with a worker count or null',
      [],
      async () => {
        const queues = seeded.filter((s) => s.expected.paused === undefined).map((s) => s.queue);
        const stats = await backend().getStats(queues);
        for (const queue of queues) {
          expect(stats[queue]?.paused, `getStats()[${queue}].paused`).toBe(false);
          const workers = stats[queue]?.workers;
          expect(
            workers === null || (Number.isInteger(workers) && workers! >= 0),
            `getStats()[${queue}].workers is null or a count`,
          ).toBe(true);
        }
      },
    );
  });
}
