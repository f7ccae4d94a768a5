import { type BackendEvent, JOB_STATES, type QueueBackend } from '@qadmin/core';
import { describe, expect } from 'vitest';
import { anyState, type Harness, sleep } from '../harness';

/** How long one trigger may take to show up before it is tried again. */
const ROUND_MS = 2_000;
const ROUNDS = 5;

/** Fails unless `event` has one of the shapes of {@link BackendEvent}. */
function expectValidEvent(event: unknown): asserts event is BackendEvent {
  const e = event as Record<string, unknown>;
  const context = `event ${JSON.stringify(event)}`;
  expect(typeof e, `${context} is an object`).toBe('object');
  switch (e.type) {
    case 'job':
      expect(typeof e.queue, `${context}: queue`).toBe('string');
      expect(typeof e.jobId, `${context}: jobId`).toBe('string');
      expect([...JOB_STATES, 'removed'], `${context}: state`).toContain(e.state);
      if (e.name !== undefined) expect(typeof e.name, `${context}: name`).toBe('string');
      return;
    case 'progress':
      expect(typeof e.queue, `${context}: queue`).toBe('string');
      expect(typeof e.jobId, `${context}: jobId`).toBe('string');
      return;
    case 'queue':
      expect(typeof e.queue, `${context}: queue`).toBe('string');
      expect(typeof e.paused, `${context}: paused`).toBe('boolean');
      return;
    case 'queues-changed':
      return;
    default:
      expect.fail(`${context}: unknown event type`);
  }
}

const aboutQueue = (event: BackendEvent, queue: string) =>
  event.type !== 'queues-changed' && event.queue === queue;

/** subscribe: changes arrive as events; unsubscribe stops them. */
export function eventScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('events', () => {
    const backend = h.useBackend();
    const caps = h.caps;
    const existing = anyState(caps);
    const trigger = caps.addJob
      ? 'addJob'
      : caps.jobActions.includes('remove') && existing
        ? 'remove'
        : caps.bulkActions.includes('pause') && caps.bulkActions.includes('resume') && existing
          ? 'pause/resume'
          : existing
            ? 'seed'
            : undefined;
    const requirements = [
      { ok: caps.events, label: 'events' },
      { ok: trigger !== undefined, label: 'a way to change a queue' },
    ];

    /**
     * Sets up a queue and returns a function that changes it and tells which
     * events are the answer to that change. Each call makes a new change, so
     * a subscription that needs a moment to connect still sees a later one.
     */
    const prepare = async () => {
      const b = backend();
      const queue = h.queueName();
      const seeded = existing ? await h.seed(b, queue, { [existing]: ROUNDS * 2 + 2 }) : {};
      const removable = existing ? [...(seeded[existing] ?? [])] : [];
      let paused = false;
      const change = async (): Promise<(event: BackendEvent) => boolean> => {
        switch (trigger) {
          case 'addJob': {
            const job = await b.addJob!(queue, {
              name: 'contract-event',
              data: { at: Date.now() },
            });
            return (e) => e.type === 'job' && e.queue === queue && e.jobId === job.id;
          }
          case 'remove': {
            const id = removable.shift()!;
            await b.jobAction!(queue, id, { type: 'remove' });
            return (e) => e.type === 'job' && e.queue === queue && e.jobId === id;
          }
          case 'pause/resume': {
            paused = !paused;
            await b.bulkAction!(queue, { type: paused ? 'pause' : 'resume' });
            const expected = paused;
            return (e) => e.type === 'queue' && e.queue === queue && e.paused === expected;
          }
          default:
            await h.seed(b, queue, { [existing!]: 1 });
            return (e) => aboutQueue(e, queue);
        }
      };
      return { b, queue, change };
    };

    const changeUntilSeen = async (
      change: () => Promise<(event: BackendEvent) => boolean>,
      received: BackendEvent[],
    ) => {
      for (let round = 1; round <= ROUNDS; round++) {
        const matches = await change();
        const deadline = Date.now() + ROUND_MS;
        while (Date.now() < deadline) {
          if (received.some(matches)) return;
          await sleep(25);
        }
      }
      expect.fail(
        `no matching event after ${ROUNDS} changes (${trigger}); received: ${JSON.stringify(received).slice(0, 500)}`,
      );
    };

    h.test(
      `subscribe delivers an event for a change to the queue (${trigger ?? 'none'})`,
      requirements,
      async () => {
        const { b, change } = await prepare();
        const received: BackendEvent[] = [];
        const unsubscribe = b.subscribe!((event) => received.push(event));
        try {
          await changeUntilSeen(change, received);
          for (const event of received) expectValidEvent(event);
        } finally {
          unsubscribe();
        }
      },
    );

    h.test('unsubscribe stops delivery', requirements, async () => {
      const { b, queue, change } = await prepare();
      const received: BackendEvent[] = [];
      const unsubscribe = b.subscribe!((event) => received.push(event));
      await changeUntilSeen(change, received);
      unsubscribe();
      // Events already on their way when unsubscribe was called may still land; give them a moment.
      await sleep(200);
      const seen = received.length;
      await change();
      await sleep(1_000);
      expect(
        received.slice(seen).filter((e) => aboutQueue(e, queue)),
        'events delivered after unsubscribe',
      ).toEqual([]);
      expect(() => unsubscribe(), 'calling unsubscribe twice is harmless').not.toThrow();
    });
  });
}
