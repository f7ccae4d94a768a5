/**
 * Two dashboards pressing "retry all failed" at once over 10,000 failed jobs,
 * each through a backend of its own (its own Redis connection), against the
 * shared throwaway Redis: every job is retried exactly once and none is lost.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { type BullmqBackend, createBullmqBackend } from '../src/index';
import { queueKeys } from '../src/keys';

const url = inject('redisUrl');
const JOBS = 10_000;
/** Jobs added per `addBulk`, and taken and failed at once. */
const CHUNK = 1000;

/**
 * Puts `count` failed jobs in `queueName` with BullMQ's own API, fast:
 * `Queue.addBulk` by thousands, then a never-run `Worker` takes them with
 * `getNextJob` and fails them with `moveToFailed`, a thousand at a time.
 * (seedBullmqQueue goes job by job, one per millisecond, which for 10,000
 * jobs is far too slow.) Returns the ids and, by id, `attemptsMade` as failed.
 */
async function seedFailedJobs(
  prefix: string,
  queueName: string,
  count: number,
): Promise<{ ids: string[]; attemptsMade: Map<string, number> }> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix });
  const worker = new Worker(queueName, null, {
    connection,
    prefix,
    autorun: false,
    lockDuration: 600_000,
    skipStalledCheck: true,
    skipLockRenewal: true,
  });
  const errors: Error[] = [];
  queue.on('error', (error) => errors.push(error));
  worker.on('error', (error) => errors.push(error));
  const token = `qadmin-seed-${randomUUID()}`;
  try {
    const ids: string[] = [];
    for (let from = 0; from < count; from += CHUNK) {
      const jobs = await queue.addBulk(
        Array.from({ length: Math.min(CHUNK, count - from) }, (_, k) => ({
          name: 'send',
          data: { i: from + k },
        })),
      );
      ids.push(...jobs.map((job) => job.id!));
    }
    for (let done = 0; done < count; done += CHUNK) {
      await Promise.all(
        Array.from({ length: Math.min(CHUNK, count - done) }, async () => {
          const job = await worker.getNextJob(token, { block: false });
          if (!job) throw new Error('seedFailedJobs: the worker found no waiting job');
          await job.moveToFailed(new Error(`job ${job.id} failed`), token, false);
        }),
      );
    }
    const counts = await queue.getJobCounts('wait', 'active', 'failed');
    expect(counts, 'seeded counts').toEqual({ wait: 0, active: 0, failed: count });
    const failed = await queue.getJobs(['failed'], 0, -1);
    const attemptsMade = new Map(failed.map((job) => [job.id!, job.attemptsMade]));
    if (errors.length > 0) throw errors[0];
    return { ids, attemptsMade };
  } finally {
    await worker.close();
    await queue.close();
    await connection.quit();
  }
}

const prefix = `cc${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const queueName = 'emails';
const backends: BullmqBackend[] = [];
const redis = new Redis(url, { maxRetriesPerRequest: null });

afterAll(async () => {
  await Promise.allSettled(backends.map((backend) => backend.close?.()));
  // The shared Redis outlives this file: leave nothing of it behind.
  const queue = new Queue(queueName, { connection: redis, prefix });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await redis.quit();
});

it('retries each of 10,000 failed jobs exactly once when two retry-all run at once', {
  timeout: 120_000,
}, async () => {
  const seedingStarted = performance.now();
  const { ids: seededIds, attemptsMade } = await seedFailedJobs(prefix, queueName, JOBS);
  const seedingMs = Math.round(performance.now() - seedingStarted);
  expect(new Set(seededIds).size).toBe(JOBS);

  const keys = queueKeys({ prefix, name: queueName });
  // The events stream up to now: the retries' own events come after this id.
  const [[lastEventBefore = '0-0'] = []] = (await redis.xrevrange(
    keys.events,
    '+',
    '-',
    'COUNT',
    1,
  )) as [string, string[]][];

  // Two dashboards, two connections.
  backends.push(
    createBullmqBackend({ connection: url, prefix }),
    createBullmqBackend({ connection: url, prefix }),
  );
  const retryStarted = performance.now();
  const results = await Promise.allSettled(
    backends.map((backend) =>
      backend.bulkAction!(queueName, { type: 'retry-all', state: 'failed' }),
    ),
  );
  const retryMs = Math.round(performance.now() - retryStarted);
  const affected = results.map((r) => (r.status === 'fulfilled' ? r.value.affected : null));
  console.info(
    `[concurrency] seeded ${JOBS} failed jobs in ${seedingMs} ms; two concurrent retry-all took ${retryMs} ms, affected ${JSON.stringify(affected)}`,
  );

  expect
    .soft(
      results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'fulfilled')),
      'both retry-all calls succeed',
    )
    .toEqual(['fulfilled', 'fulfilled']);
  // Each retried job is counted by the call that moved it, and by that one only.
  expect.soft(affected.reduce<number>((sum, n) => sum + (n ?? 0), 0)).toBe(JOBS);

  expect.soft(await redis.zcard(keys.failed), 'failed jobs left').toBe(0);
  const waiting = await redis.lrange(keys.wait, 0, -1);
  expect.soft(waiting.length, 'jobs in the wait list').toBe(JOBS);
  expect.soft(new Set(waiting).size, 'distinct jobs in the wait list').toBe(JOBS);
  const inWait = new Set(waiting);
  const seededSet = new Set(seededIds);
  const lost = seededIds.filter((id) => !inWait.has(id));
  const strangers = waiting.filter((id) => !seededSet.has(id));
  expect
    .soft({ lost: lost.length, strangers: strangers.length }, 'wait holds exactly the seeded ids')
    .toEqual({ lost: 0, strangers: 0 });
  const others = await redis
    .pipeline()
    .llen(keys.active)
    .llen(keys.paused)
    .zcard(keys.prioritized)
    .zcard(keys.delayed)
    .zcard(keys.completed)
    .exec();
  expect
    .soft(
      others!.map(([, n]) => n),
      'active, paused, prioritized, delayed, completed',
    )
    .toEqual([0, 0, 0, 0, 0]);

  // BullMQ's retry script emits one `waiting` event (prev `failed`) per job it moves, and
  // refuses a job that is no longer failed: one event per job means one retry per job.
  // The stream is trimmed to about 10,000 entries, never fewer, so all of them are kept.
  const events = (await redis.xrange(keys.events, `(${lastEventBefore}`, '+')) as [
    string,
    string[],
  ][];
  const retried = events
    .map(([, fields]) => Object.fromEntries(pairs(fields)))
    .filter((event) => event.event === 'waiting' && event.prev === 'failed')
    .map((event) => event.jobId!);
  expect.soft(retried.length, 'retry events').toBe(JOBS);
  expect.soft(new Set(retried).size, 'jobs with a retry event').toBe(JOBS);

  // Each job as BullMQ reads it: waiting again, with its failure cleared and its
  // attempts as they were when it failed (neither reset nor counted twice).
  const queue = new Queue(queueName, { connection: redis, prefix });
  try {
    const jobs = await queue.getJobs(['wait'], 0, -1);
    expect.soft(jobs.length).toBe(JOBS);
    const wrong = jobs.filter(
      (job) =>
        job.attemptsMade !== attemptsMade.get(job.id!) ||
        job.finishedOn !== undefined ||
        (job.failedReason !== undefined && job.failedReason !== ''),
    );
    expect
      .soft(
        wrong.slice(0, 5).map((job) => ({
          id: job.id,
          attemptsMade: job.attemptsMade,
          before: attemptsMade.get(job.id!),
          finishedOn: job.finishedOn,
          failedReason: job.failedReason,
        })),
        'jobs whose retry state is off (first 5)',
      )
      .toEqual([]);
    expect.soft((await backends[0]!.getStats([queueName]))[queueName]?.counts).toMatchObject({
      waiting: JOBS,
      failed: 0,
    });
  } finally {
    await queue.close();
  }
});

function* pairs(fields: string[]): Generator<[string, string]> {
  for (let i = 0; i + 1 < fields.length; i += 2) yield [fields[i]!, fields[i + 1]!];
}
