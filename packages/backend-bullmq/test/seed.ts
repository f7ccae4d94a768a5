/**
 * Seeds BullMQ queues for the backend's tests through BullMQ's own public API
 * only (`bullmq` resolves to the major of the vitest project), so the tests
 * check that the backend reads what the library wrote.
 */
import { randomUUID } from 'node:crypto';
import type { JobState } from '@qadmin/core';
import type { SeededJobs, SeedSpec } from '@qadmin/testkit';
import { FlowProducer, type Job, type JobsOptions, type JobType, Queue, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';

/**
 * Where {@link seedBullmqQueue} writes: a Redis URL, or the nodes of a Redis
 * Cluster, and the BullMQ key prefix. In a cluster the prefix must carry a
 * hash tag (`{c1}`) so that every key of a queue, and of its `-children`
 * queue, lands in one slot, as BullMQ's scripts require.
 *
 * @example
 * ```ts
 * const connection: BullmqSeedConnection = { url: inject('redisUrl'), prefix: 'test1' };
 * const inCluster: BullmqSeedConnection = { cluster: inject('redisCluster'), prefix: '{test1}' };
 * ```
 */
export type BullmqSeedConnection =
  | { url: string; prefix: string }
  | { cluster: readonly { host: string; port: number }[]; prefix: string };

/** The states BullMQ has, in the order they are seeded (see {@link seedBullmqQueue}). */
const BULLMQ_STATES = [
  'completed',
  'failed',
  'active',
  'delayed',
  'prioritized',
  'waiting',
  'waiting-children',
  'paused',
] as const satisfies readonly JobState[];
type BullmqState = (typeof BULLMQ_STATES)[number];

/** Far enough ahead that a seeded delayed job stays delayed while a suite runs. */
const SEED_DELAY_MS = 3_600_000;
/**
 * How long the seeded active jobs stay locked. Nothing renews the lock (the
 * seeding worker never runs), so it must outlive any suite: an expired lock
 * lets any stalled-jobs checker on the queue move the job back to waiting.
 */
const HOLD_LOCK_MS = 3_600_000;

/**
 * Puts exactly the requested number of jobs in each state of `queue` under
 * `connection.prefix`, with BullMQ's own API: `Queue.add` (with a delay or a
 * priority), a `Worker` that is never run and takes jobs with `getNextJob`
 * (held active, or moved on with `moveToCompleted` / `moveToFailed`), a flow
 * for `waiting-children` (each parent's one child waits in `<queue>-children`,
 * so the seeded queue holds only the parent), and `Queue.pause` for `paused`.
 * Seeding is additive and checked: it throws when the queue's counts did not
 * grow by exactly the spec. Defaults: name `<state>-<i>`, data `{ state, i }`,
 * failed reason `<name> failed`. `cancelled` and `abandoned` do not exist in
 * BullMQ and are refused, as is `paused` with other states or other states in
 * a paused queue.
 *
 * @example
 * ```ts
 * const ids = await seedBullmqQueue({ url: inject('redisUrl'), prefix }, 'emails', {
 *   waiting: 2,
 *   failed: 1,
 *   failedReason: (i) => `boom ${i}`,
 * });
 * console.log(ids.failed); // ['1'] in a new queue: completed, failed, active are seeded first
 * ```
 */
export async function seedBullmqQueue(
  connection: BullmqSeedConnection,
  queueName: string,
  spec: SeedSpec,
): Promise<SeededJobs> {
  const want = countsOf(spec);
  const { prefix } = connection;
  // One connection per call, shared by every Queue/Worker/FlowProducer below
  // (BullMQ never closes a connection it was given); a Worker duplicates it for
  // its blocking connection and closes that one itself.
  // Named after the prefix, like the connections BullMQ names, so a leak shows in
  // CLIENT LIST (of every node, in a cluster).
  const connectionName = `${prefix}:qadmin-seed`;
  const redis =
    'cluster' in connection
      ? new Cluster([...connection.cluster], {
          redisOptions: { maxRetriesPerRequest: null, connectionName },
        })
      : new Redis(connection.url, { maxRetriesPerRequest: null, connectionName });
  const errors: Error[] = [];
  const onError = (error: Error) => errors.push(error);
  const opened: { close(): Promise<unknown> }[] = [];
  const open = <T extends { close(): Promise<unknown>; on(event: 'error', fn: typeof onError): T }>(
    created: T,
  ): T => {
    created.on('error', onError);
    opened.push(created);
    return created;
  };

  const queue = open(new Queue(queueName, { connection: redis, prefix }));
  const ids = Object.fromEntries(BULLMQ_STATES.map((state) => [state, [] as string[]])) as Record<
    BullmqState,
    string[]
  >;
  const nameOf = (state: BullmqState, i: number) => spec.name?.(state, i) ?? `${state}-${i}`;
  const dataOf = (state: BullmqState, i: number) =>
    spec.data ? spec.data(state, i) : { state, i };
  const writeLogs = async (job: Job, state: BullmqState, i: number) => {
    for (const line of spec.logs?.(state, i) ?? []) await job.log(line);
  };
  const add = async (state: BullmqState, options: JobsOptions = {}) => {
    const i = ids[state].length;
    const job = await queue.add(nameOf(state, i), dataOf(state, i), options);
    ids[state].push(job.id!);
    await writeLogs(job, state, i);
    return { job, i };
  };

  try {
    const pausedBefore = await queue.isPaused();
    if (pausedBefore && BULLMQ_STATES.some((state) => state !== 'paused' && want[state] > 0)) {
      throw new RangeError(
        `seedBullmqQueue: ${queueName} is paused; seed other states in a queue of their own`,
      );
    }
    const before = await countsIn(queue);

    const held = want.completed + want.failed + want.active;
    if (held > 0) {
      const worker = open(
        new Worker(queueName, null, {
          connection: redis,
          prefix,
          autorun: false,
          lockDuration: HOLD_LOCK_MS,
          skipStalledCheck: true,
          skipLockRenewal: true,
        }),
      );
      const token = `qadmin-seed-${randomUUID()}`;
      /**
       * Adds a job that the worker's next `getNextJob` takes (it pops the
       * oldest waiting job, then the best prioritized one), and checks that it
       * took that very job. When the wait list already holds jobs (an
       * additive call), the job goes to its head with `lifo`; only then,
       * since `lifo` stays in the job's options and would make a later
       * `retry()` put the job first in line too.
       */
      const addAndTake = async (state: BullmqState) => {
        const { wait = 0 } = await queue.getJobCounts('wait');
        const { job, i } = await add(state, wait > 0 ? { lifo: true } : {});
        const taken = await worker.getNextJob(token, { block: false });
        if (taken?.id !== job.id) {
          throw new Error(
            `seedBullmqQueue: worker took ${taken ? `job ${taken.id}` : 'nothing'} of ${queueName} instead of the ${state} job ${job.id}`,
          );
        }
        return { job: taken, i };
      };
      // BullMQ orders finished jobs by finish time, ties by id as text ("10" before "9");
      // one job per millisecond keeps that order the creation order the contract checks.
      // `lastFinish` is read after each move, so it is at or after that job's finish time.
      let lastFinish = 0;
      const nextMillisecond = async () => {
        while (Date.now() <= lastFinish) await new Promise((resolve) => setTimeout(resolve, 1));
      };
      for (let n = 0; n < want.completed; n++) {
        const { job, i } = await addAndTake('completed');
        await nextMillisecond();
        await job.moveToCompleted({ ok: true, i }, token, false);
        lastFinish = Date.now();
      }
      for (let n = 0; n < want.failed; n++) {
        const { job, i } = await addAndTake('failed');
        const reason = spec.failedReason?.(i) ?? `${job.name} failed`;
        await nextMillisecond();
        await job.moveToFailed(new Error(reason), token, false);
        lastFinish = Date.now();
      }
      for (let n = 0; n < want.active; n++) await addAndTake('active');
    }

    for (let n = 0; n < want.delayed; n++) {
      await add('delayed', { delay: SEED_DELAY_MS + ids.delayed.length * 1000 });
    }
    for (let n = 0; n < want.prioritized; n++) {
      await add('prioritized', { priority: 1 });
    }
    for (let n = 0; n < want.waiting; n++) await add('waiting');

    if (want['waiting-children'] > 0) {
      const flow = open(new FlowProducer({ connection: redis, prefix }));
      for (let n = 0; n < want['waiting-children']; n++) {
        const i = ids['waiting-children'].length;
        const name = nameOf('waiting-children', i);
        const { job } = await flow.add({
          name,
          queueName,
          prefix,
          data: dataOf('waiting-children', i),
          children: [{ name: 'child', queueName: `${queueName}-children`, prefix, data: {} }],
        });
        ids['waiting-children'].push(job.id!);
        await writeLogs(job, 'waiting-children', i);
      }
    }

    if (want.paused > 0) {
      await queue.pause();
      for (let n = 0; n < want.paused; n++) await add('paused');
    }

    const after = await countsIn(queue);
    for (const state of BULLMQ_STATES) {
      const grew = after[state] - before[state];
      if (grew !== want[state]) {
        throw new Error(
          `seedBullmqQueue: ${queueName}.${state} grew by ${grew}, expected ${want[state]}`,
        );
      }
    }
    if (errors.length > 0) throw errors[0];
  } finally {
    for (const created of opened.reverse()) await created.close().catch(onError);
    await redis.quit().catch(() => redis.disconnect());
  }
  return ids;
}

/** BullMQ 6 has no `paused` job type (its `paused` list is always empty), BullMQ 5 does. */
const COUNTED_TYPES = [
  'wait',
  'paused',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
  'waiting-children',
] as JobType[];

/**
 * Counts by seeded state. Waiting jobs of a paused queue count as paused:
 * BullMQ 5 moves them to its `paused` list, BullMQ 6 keeps them in `wait` and
 * marks the queue paused.
 */
async function countsIn(queue: Queue): Promise<Record<BullmqState, number>> {
  const counts = await queue.getJobCounts(...COUNTED_TYPES);
  const notStarted = (counts.wait ?? 0) + (counts.paused ?? 0);
  const paused = await queue.isPaused();
  return {
    completed: counts.completed ?? 0,
    failed: counts.failed ?? 0,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    prioritized: counts.prioritized ?? 0,
    waiting: paused ? 0 : notStarted,
    'waiting-children': counts['waiting-children'] ?? 0,
    paused: paused ? notStarted : 0,
  };
}

/** Validated counts per BullMQ state; a count for a state BullMQ lacks is refused. */
function countsOf(spec: SeedSpec): Record<BullmqState, number> {
  const want = {} as Record<BullmqState, number>;
  for (const [key, count] of Object.entries(spec)) {
    if (typeof count === 'function' || count === undefined || count === 0) continue;
    if (!(BULLMQ_STATES as readonly string[]).includes(key)) {
      throw new RangeError(`seedBullmqQueue: BullMQ has no ${key} state`);
    }
  }
  for (const state of BULLMQ_STATES) {
    const count = spec[state] ?? 0;
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`seedBullmqQueue: spec.${state} must be an integer >= 0, got ${count}`);
    }
    want[state] = count;
  }
  if (want.paused > 0 && BULLMQ_STATES.some((state) => state !== 'paused' && want[state] > 0)) {
    throw new RangeError('seedBullmqQueue: paused jobs go in a queue of their own');
  }
  return want;
}
