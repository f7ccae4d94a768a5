import {
  JOB_ACTIONS,
  type Job,
  type JobAction,
  type JobActionType,
  type JobState,
  type QueueBackend,
  type QueueStats,
} from '@qadmin/core';
import { describe, expect } from 'vitest';
import {
  anyState,
  CLOCK_SLACK_MS,
  countOf,
  expectProblem,
  expectValidJob,
  firstDeclared,
  type Harness,
  missingId,
  RUNNABLE_STATES,
  seedable,
  statsOf,
  totalOf,
} from '../harness';
import { hostileObject, largeString } from '../payloads';

interface ActionRun<B extends QueueBackend> {
  backend: B;
  queue: string;
  id: string;
  /** The other seeded job of the same state, which the action must not touch. */
  bystander: string;
  source: JobState;
  before: QueueStats;
  after: QueueStats;
  /** What jobAction returned. */
  result: Job | null;
  /** The job as getJob returned it before the action. */
  original: Job;
  /** getJob after the action. */
  now: Job | null;
  startedAt: number;
  finishedAt: number;
  context: string;
}

interface ActionPlan {
  /** What the effect test asserts, for its name. */
  effect: string;
  /** States the effect is checked from (each declared one), in this order of preference. */
  sources: readonly JobState[];
  /** Check only the first declared source instead of each. */
  firstSourceOnly?: boolean;
  /** States in which the action does not apply (the first declared one is tried for 409). */
  conflicts: readonly JobState[];
  action: JobAction;
  verify(run: ActionRun<QueueBackend>, states: readonly JobState[]): Promise<void> | void;
}

const TWO_HOURS = 2 * 3_600_000;

const dataOf = (_state: JobState, index: number) => (index === 0 ? hostileObject : { index });
const nameOf = (state: JobState, index: number) => `action-${state}-${index}`;

function expectMoved(run: ActionRun<QueueBackend>, to: JobState | undefined, total: number): void {
  const { before, after, source, context } = run;
  expect(countOf(after.counts, source), `${context}: ${source} count after`).toBe(
    countOf(before.counts, source) - 1,
  );
  if (to !== undefined) {
    expect(countOf(after.counts, to), `${context}: ${to} count after`).toBe(
      countOf(before.counts, to) + 1,
    );
  }
  expect(totalOf(after.counts), `${context}: total count after`).toBe(
    totalOf(before.counts) + total,
  );
}

function expectRunnable(run: ActionRun<QueueBackend>): void {
  expect(run.now, `${run.context}: getJob after`).not.toBeNull();
  expect(RUNNABLE_STATES, `${run.context}: state after (runnable)`).toContain(run.now!.state);
}

const PLANS: Record<JobActionType, ActionPlan> = {
  retry: {
    effect: 'moves the job out of its state to be run again',
    sources: ['failed', 'completed'],
    firstSourceOnly: true,
    conflicts: ['waiting', 'delayed', 'prioritized'],
    action: { type: 'retry' },
    verify(run) {
      expectRunnable(run);
      expectMoved(run, undefined, 0);
    },
  },
  remove: {
    effect: 'deletes the job',
    sources: [
      'waiting',
      'prioritized',
      'delayed',
      'paused',
      'completed',
      'failed',
      'cancelled',
      'abandoned',
    ],
    conflicts: [],
    action: { type: 'remove' },
    verify(run) {
      expect(run.result, `${run.context}: remove returns null`).toBeNull();
      expect(run.now, `${run.context}: getJob after remove`).toBeNull();
      expectMoved(run, undefined, -1);
    },
  },
  promote: {
    effect: 'makes a delayed job runnable now',
    sources: ['delayed'],
    conflicts: ['completed', 'failed', 'waiting'],
    action: { type: 'promote' },
    verify(run) {
      expectRunnable(run);
      expectMoved(run, undefined, 0);
    },
  },
  cancel: {
    effect: 'stops a job that has not finished',
    sources: ['waiting', 'prioritized', 'delayed', 'active'],
    conflicts: ['completed', 'failed', 'cancelled'],
    action: { type: 'cancel' },
    verify(run, states) {
      expect(run.now, `${run.context}: getJob after cancel`).not.toBeNull();
      if (states.includes('cancelled')) {
        expect(run.now!.state, `${run.context}: state after cancel`).toBe('cancelled');
        expectMoved(run, 'cancelled', 0);
      } else {
        expect(run.now!.state, `${run.context}: state after cancel`).not.toBe(run.source);
        expectMoved(run, undefined, 0);
      }
    },
  },
  discard: {
    effect: 'fails an active job without further attempts',
    sources: ['active'],
    conflicts: ['completed', 'failed'],
    action: { type: 'discard' },
    verify(run, states) {
      expect(run.now?.state, `${run.context}: state after discard`).toBe('failed');
      expectMoved(run, states.includes('failed') ? 'failed' : undefined, 0);
    },
  },
  'update-data': {
    effect: 'replaces the data and nothing else',
    sources: ['waiting', 'delayed', 'failed'],
    conflicts: [],
    action: { type: 'update-data', data: largeString },
    verify(run) {
      expect(run.result?.data, `${run.context}: returned data`).toEqual(largeString);
      expect(run.now?.data, `${run.context}: data after`).toEqual(largeString);
      expect(run.now?.name, `${run.context}: name after`).toBe(run.original.name);
      expect(run.now?.state, `${run.context}: state after`).toBe(run.original.state);
      expect(run.now?.createdAt, `${run.context}: createdAt after`).toBe(run.original.createdAt);
      expect(run.after.counts, `${run.context}: counts after`).toEqual(run.before.counts);
    },
  },
  'change-delay': {
    effect: 'delays the job by delayMs from now',
    sources: ['delayed'],
    conflicts: ['completed', 'failed'],
    action: { type: 'change-delay', delayMs: TWO_HOURS },
    verify(run) {
      expect(run.now?.state, `${run.context}: state after`).toBe('delayed');
      const until = run.now?.delayedUntil;
      expect(until, `${run.context}: delayedUntil after`).not.toBeNull();
      expect(until!, `${run.context}: delayedUntil is about now + delayMs`).toBeGreaterThanOrEqual(
        run.startedAt + TWO_HOURS - CLOCK_SLACK_MS,
      );
      expect(until!, `${run.context}: delayedUntil is about now + delayMs`).toBeLessThanOrEqual(
        run.finishedAt + TWO_HOURS + CLOCK_SLACK_MS,
      );
      expect(run.after.counts, `${run.context}: counts after`).toEqual(run.before.counts);
    },
  },
  'change-priority': {
    effect: 'sets the priority',
    sources: ['prioritized', 'waiting'],
    conflicts: ['completed', 'failed'],
    action: { type: 'change-priority', priority: 7 },
    verify(run) {
      expect(run.now?.priority, `${run.context}: priority after`).toBe(7);
      expect(['waiting', 'prioritized'], `${run.context}: state after`).toContain(run.now?.state);
      expect(totalOf(run.after.counts), `${run.context}: total count after`).toBe(
        totalOf(run.before.counts),
      );
    },
  },
  complete: {
    effect: 'marks an active job completed without running it further',
    sources: ['active'],
    conflicts: ['completed', 'failed'],
    action: { type: 'complete', returnValue: { byHand: true } },
    verify(run, states) {
      expect(run.now?.state, `${run.context}: state after complete`).toBe('completed');
      expect(run.now?.finishedAt, `${run.context}: finishedAt after complete`).not.toBeNull();
      expect(run.now?.returnValue, `${run.context}: returnValue after complete`).toEqual({
        byHand: true,
      });
      expectMoved(run, states.includes('completed') ? 'completed' : undefined, 0);
    },
  },
  duplicate: {
    effect: 'adds a new job with the same name and data',
    sources: ['failed', 'completed', 'waiting'],
    firstSourceOnly: true,
    conflicts: [],
    action: { type: 'duplicate' },
    async verify(run) {
      const copy = run.result;
      expect(copy, `${run.context}: duplicate returns the new job`).not.toBeNull();
      expect(copy!.id, `${run.context}: the copy has a new id`).not.toBe(run.id);
      expect(copy!.name, `${run.context}: name of the copy`).toBe(run.original.name);
      expect(copy!.data, `${run.context}: data of the copy`).toEqual(run.original.data);
      const found = await run.backend.getJob(run.queue, copy!.id);
      expect(found, `${run.context}: getJob finds the copy`).not.toBeNull();
      expect(found!.data, `${run.context}: getJob data of the copy`).toEqual(run.original.data);
      expect(run.now?.state, `${run.context}: the original stays`).toBe(run.source);
      expect(totalOf(run.after.counts), `${run.context}: total count after`).toBe(
        totalOf(run.before.counts) + 1,
      );
    },
  },
};

/** Each declared single-job action: its effect, 404 for unknown jobs, 409 where it does not apply. */
export function jobActionScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('jobAction', () => {
    const backend = h.useBackend();

    for (const type of JOB_ACTIONS) {
      const plan = PLANS[type];
      const declared = { ok: h.caps.jobActions.includes(type), label: type };
      const declaredSources = plan.sources.filter((s) => h.caps.states.includes(s));
      const sources = plan.firstSourceOnly ? declaredSources.slice(0, 1) : declaredSources;

      h.test(
        `${type}: ${plan.effect}${sources.length ? ` (from ${sources.join(', ')})` : ''}`,
        [declared, { ok: sources.length > 0, label: `state ${plan.sources.join('/')}` }],
        async (ctx) => {
          const b = backend();
          for (const source of sources) {
            const queue = h.queueName();
            const seeded = await h.seed(b, queue, { [source]: 2, name: nameOf, data: dataOf });
            h.assumeQueue(ctx, b, queue, (c) => c.jobActions.includes(type), type);
            const [id, bystander] = seeded[source] as [string, string];
            const context = `jobAction(${queue}, ${id} [${source}], ${type})`;
            const original = await b.getJob(queue, id);
            expect(original, `${context}: getJob before`).not.toBeNull();
            const bystanderBefore = await b.getJob(queue, bystander);
            const before = await statsOf(b, queue);
            const startedAt = Date.now();
            const result = await b.jobAction!(queue, id, plan.action);
            const finishedAt = Date.now();
            if (result !== null) expectValidJob(result, context);
            if (type !== 'duplicate' && type !== 'remove') {
              expect(result, `${context}: returns the job after the action`).not.toBeNull();
              expect(result!.id, `${context}: returned id`).toBe(id);
            }
            const now = await b.getJob(queue, id);
            if (now !== null) expectValidJob(now, `${context}: getJob after`);
            const after = await statsOf(b, queue);
            await plan.verify(
              {
                backend: b,
                queue,
                id,
                bystander,
                source,
                before,
                after,
                result,
                original: original!,
                now,
                startedAt,
                finishedAt,
                context,
              },
              h.caps.states,
            );
            const bystanderAfter = await b.getJob(queue, bystander);
            expect(bystanderAfter?.state, `${context}: another job was touched`).toBe(
              bystanderBefore?.state,
            );
            expect(bystanderAfter?.data, `${context}: another job was touched`).toEqual(
              bystanderBefore?.data,
            );
          }
        },
      );

      const existing = anyState(h.caps);
      h.test(
        `${type}: an unknown job id is rejected with 404`,
        [declared, seedable(existing)],
        async (ctx) => {
          const b = backend();
          const queue = h.queueName();
          await h.seed(b, queue, { [existing!]: 1 });
          h.assumeQueue(ctx, b, queue, (c) => c.jobActions.includes(type), type);
          await expectProblem(
            b.jobAction!(queue, missingId(), plan.action),
            [404],
            `jobAction(${queue}, <unknown id>, ${type})`,
          );
        },
      );

      if (plan.conflicts.length === 0) continue;
      const conflict = firstDeclared(h.caps, plan.conflicts);
      h.test(
        `${type}: a ${conflict ?? plan.conflicts.join('/')} job is rejected with 409 and left as it was`,
        [declared, { ok: conflict !== undefined, label: `state ${plan.conflicts.join('/')}` }],
        async (ctx) => {
          const b = backend();
          const queue = h.queueName();
          const seeded = await h.seed(b, queue, { [conflict!]: 1, name: nameOf, data: dataOf });
          h.assumeQueue(ctx, b, queue, (c) => c.jobActions.includes(type), type);
          const id = seeded[conflict!]![0]!;
          const before = await b.getJob(queue, id);
          const counts = (await statsOf(b, queue)).counts;
          await expectProblem(
            b.jobAction!(queue, id, plan.action),
            [409],
            `jobAction(${queue}, ${id} [${conflict}], ${type})`,
          );
          const after = await b.getJob(queue, id);
          expect(after?.state, 'state after a refused action').toBe(before?.state);
          expect(after?.data, 'data after a refused action').toEqual(before?.data);
          expect((await statsOf(b, queue)).counts, 'counts after a refused action').toEqual(counts);
        },
      );
    }
  });
}
