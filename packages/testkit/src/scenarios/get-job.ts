import type { Job, JobState, QueueBackend } from '@qadmin/core';
import { beforeAll, describe, expect } from 'vitest';
import {
  allJobs,
  CLOCK_SLACK_MS,
  expectValidJob,
  type Harness,
  missingId,
  mixableStates,
} from '../harness';
import { hostileObject, largeString } from '../payloads';

/** The job name the getJob scenarios seed: not only ASCII, with separators. */
const nameOf = (state: JobState, index: number) => `contract/${state} ü:#${index}`;
/** Job data: the hostile payloads first, then something small. */
const dataOf = (state: JobState, index: number): unknown =>
  index === 0 ? hostileObject : index === 1 ? largeString : { state, index, list: [index] };
const reasonOf = (index: number) => `Failure #${index}: <b>boom</b> "quoted"`;

interface Seeded {
  queue: string;
  state: JobState;
  ids: string[];
}

/** One job by id: every field that was seeded comes back. */
export function getJobScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('getJob', () => {
    const backend = h.useBackend();
    const seeded: Seeded[] = [];
    let seededFrom = 0;
    let seededUntil = 0;

    beforeAll(async () => {
      const b = backend();
      seededFrom = Date.now();
      const spec = { name: nameOf, data: dataOf, failedReason: reasonOf };
      const mixable = mixableStates(h.caps);
      if (mixable.length > 0) {
        const queue = h.queueName();
        const counts = Object.fromEntries(mixable.map((state) => [state, 3]));
        const jobs = await h.seed(b, queue, { ...counts, ...spec });
        for (const state of mixable) seeded.push({ queue, state, ids: jobs[state] ?? [] });
      }
      if (h.caps.states.includes('paused')) {
        const queue = h.queueName();
        const jobs = await h.seed(b, queue, { paused: 3, ...spec });
        seeded.push({ queue, state: 'paused', ids: jobs.paused ?? [] });
      }
      seededUntil = Date.now();
    }, h.timeoutMs);

    h.test(
      'returns every seeded job with its id, state, name and data (hostile payloads)',
      [],
      async () => {
        const b = backend();
        for (const { queue, state, ids } of seeded) {
          for (const [index, id] of ids.entries()) {
            const context = `getJob(${queue}, ${id}) [${state} #${index}]`;
            const job = await b.getJob(queue, id);
            expect(job, `${context} returned null for a seeded job`).not.toBeNull();
            expectValidJob(job, context);
            expect(job.id, `${context}: id`).toBe(id);
            expect(job.state, `${context}: state`).toBe(state);
            expect(job.nativeState.length, `${context}: nativeState is not empty`).toBeGreaterThan(
              0,
            );
            expect(job.name, `${context}: name`).toBe(h.jobName(b, queue, nameOf(state, index)));
            expect(job.data, `${context}: data`).toEqual(dataOf(state, index));
            checkTimes(job, state, context);
            if (state === 'failed') {
              expect(job.failedReason, `${context}: failedReason`).toBe(reasonOf(index));
            }
          }
        }
      },
    );

    h.test('agrees with listJobs on every field of the same job', [], async () => {
      const b = backend();
      for (const { queue, state, ids } of seeded) {
        const listed = (await allJobs(b, queue, state)).filter((j) => ids.includes(j.id));
        expect(listed.length, `listJobs(${queue}, ${state}) finds the seeded jobs`).toBe(
          ids.length,
        );
        for (const fromList of listed) {
          const fromGet = await b.getJob(queue, fromList.id);
          expect(fromGet, `getJob(${queue}, ${fromList.id})`).not.toBeNull();
          const pick = (job: Job) => ({
            id: job.id,
            name: job.name,
            state: job.state,
            nativeState: job.nativeState,
            data: job.data,
            createdAt: job.createdAt,
            delayedUntil: job.delayedUntil,
            priority: job.priority,
            attemptsMade: job.attemptsMade,
            attemptsAllowed: job.attemptsAllowed,
            failedReason: job.failedReason,
            parent: job.parent,
          });
          expect(pick(fromGet!), `getJob and listJobs disagree on ${fromList.id}`).toEqual(
            pick(fromList),
          );
        }
      }
    });

    h.test('returns null for ids no job has, whatever their shape', [], async () => {
      const b = backend();
      const queue = seeded[0]?.queue;
      if (!queue) return;
      for (const id of [
        missingId(),
        '999999999',
        '00000000-0000-4000-8000-000000000000',
        'a/b:c?d#e',
        ' ',
      ]) {
        expect(await b.getJob(queue, id), `getJob(${queue}, ${JSON.stringify(id)})`).toBeNull();
      }
    });

    function checkTimes(job: Job, state: JobState, context: string): void {
      expect(
        job.createdAt,
        `${context}: createdAt is epoch milliseconds of the seeding`,
      ).toBeGreaterThanOrEqual(seededFrom - CLOCK_SLACK_MS);
      expect(
        job.createdAt,
        `${context}: createdAt is epoch milliseconds of the seeding`,
      ).toBeLessThanOrEqual(seededUntil + CLOCK_SLACK_MS);
      if (state === 'completed' || state === 'failed') {
        expect(job.finishedAt, `${context}: a ${state} job has finishedAt`).not.toBeNull();
        expect(
          job.finishedAt!,
          `${context}: finishedAt is not before createdAt`,
        ).toBeGreaterThanOrEqual(job.createdAt - CLOCK_SLACK_MS);
        expect(job.finishedAt!, `${context}: finishedAt is epoch milliseconds`).toBeLessThanOrEqual(
          seededUntil + CLOCK_SLACK_MS,
        );
      }
      if (state === 'delayed') {
        expect(job.delayedUntil, `${context}: a delayed job has delayedUntil`).not.toBeNull();
        expect(job.delayedUntil!, `${context}: delayedUntil is in the future`).toBeGreaterThan(
          Date.now(),
        );
      }
    }
  });
}
