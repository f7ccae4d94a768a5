import type { AddOptions, MemoryBackend, MemoryQueue } from '@qadmin/backend-memory';
import { JOB_STATES, type JobRef } from '@qadmin/core';
import {
  type DetailedQueueSpec,
  type NamedQueueSpec,
  SEED_STATES,
  type SeedState,
} from './datasets';
import { realisticPayloads } from './payloads';

/**
 * Ids of the jobs a seeder created in the seeded queue, by state, in creation
 * order (index `i` is the job built with `data(state, i)`).
 *
 * @example
 * ```ts
 * const ids: SeededJobs = await seedMemoryQueue(backend, 'emails', smallQueue);
 * await backend.jobAction('emails', ids.failed[0], { type: 'retry' });
 * ```
 */
export type SeededJobs = Record<SeedState, string[]>;

/**
 * Options of {@link seedMemoryQueue}.
 *
 * @example
 * ```ts
 * await seedMemoryQueue(backend, 'emails', standardQueue, { workerId: 'seed-1' });
 * ```
 */
export interface SeedMemoryOptions {
  /** Holder of the seeded active jobs, listed as a worker while it holds them (default `seed-worker`). */
  workerId?: string;
  /**
   * Where the last `waiting-children` parent's child goes when the spec has
   * no other unfinished job to use (default `<queue>-children`).
   */
  childQueue?: string;
}

const FAILURES = [
  'SMTP timeout after 30000 ms',
  'Payment gateway returned 502 Bad Gateway',
  'Image too large: 48 megapixels',
  'Webhook endpoint responded 410 Gone',
];

/** States that keep a parent waiting, best first for the end of the parent chain. */
const LEAF_STATES: readonly SeedState[] = [
  'waiting',
  'delayed',
  'prioritized',
  'cancelled',
  'failed',
  'active',
];

/** Far enough ahead that a seeded delayed job stays delayed while a suite runs. */
const SEED_DELAY_MS = 3_600_000;

/**
 * Puts exactly the requested number of jobs in each state of a memory queue,
 * through the queue's own API: `add` (with a delay or a priority), manual
 * `takeNext` / `complete` / `fail`, `cancel`, and parents with children for
 * `waiting-children`. Unless the spec says otherwise, jobs carry the
 * realistic payloads, names and failure reasons of `@qadmin/test-fixtures`.
 * Seeding is additive (a second call adds more jobs) and checked: it throws
 * when the queue's counts did not grow by exactly the spec.
 *
 * The `waiting-children` parents form a chain (each is the parent of the
 * next); the last one's child is one of the spec's own unfinished jobs
 * (listed under its state), or a waiting job in `options.childQueue` when
 * the spec has none.
 *
 * @example
 * ```ts
 * import { createMemoryBackend } from '@qadmin/backend-memory';
 * import { seedMemoryQueue, standardQueue } from '@qadmin/test-fixtures';
 *
 * const backend = createMemoryBackend();
 * const ids = await seedMemoryQueue(backend, 'emails', standardQueue);
 * console.log(ids.failed.length); // 50
 * ```
 */
export async function seedMemoryQueue(
  backend: MemoryBackend,
  queueName: string,
  spec: DetailedQueueSpec,
  options: SeedMemoryOptions = {},
): Promise<SeededJobs> {
  const want = countsOf(spec);
  const queue = backend.queue(queueName);
  const before = queue.counts();
  const ids = Object.fromEntries(SEED_STATES.map((s) => [s, [] as string[]])) as SeededJobs;
  const workerId = options.workerId ?? 'seed-worker';
  let serial = 0;

  /**
   * Adds the next job of `state` (its index is how many of that state exist
   * so far), with the delay or priority that state needs.
   */
  const add = (state: SeedState, opts: AddOptions = {}): { id: string; index: number } => {
    const index = ids[state].length;
    const kind = realisticPayloads[serial++ % realisticPayloads.length]!;
    const name = spec.name?.(state, index) ?? kind.name;
    const data = spec.data ? spec.data(state, index) : { ...(kind.data as object), seed: index };
    const { id } = queue.add(name, data, { ...stateOptions(state, index), ...opts });
    ids[state].push(id);
    const lines = spec.logs ? spec.logs(state, index) : [];
    for (const line of lines) queue.log(id, line);
    return { id, index };
  };
  const take = (id: string): void => {
    if (queue.takeNext({ id, workerId })?.id !== id) {
      throw new Error(`seedMemoryQueue: could not take job ${id} of ${queueName}`);
    }
  };
  const fail = (id: string, index: number): void => {
    take(id);
    queue.fail(id, new Error(spec.failedReason?.(index) ?? FAILURES[index % FAILURES.length]));
  };

  const leafState = want['waiting-children'] > 0 ? LEAF_STATES.find((s) => want[s] > 0) : undefined;
  if (leafState) want[leafState]--;

  for (let n = 0; n < want.completed; n++) {
    const { id, index } = add('completed');
    take(id);
    queue.complete(id, { ok: true, durationMs: 40 + (index % 200) });
  }
  for (let n = 0; n < want.failed; n++) {
    const { id, index } = add('failed');
    fail(id, index);
  }
  for (let n = 0; n < want.active; n++) {
    const { id, index } = add('active');
    take(id);
    queue.updateProgress(id, (index * 10) % 100);
  }
  for (let n = 0; n < want.cancelled; n++) queue.cancel(add('cancelled').id);
  for (let n = 0; n < want.delayed; n++) add('delayed');
  for (let n = 0; n < want.prioritized; n++) add('prioritized');
  for (let n = 0; n < want.waiting; n++) add('waiting');

  if (want['waiting-children'] > 0) {
    const parent = addParentChain(queue, want['waiting-children'], add);
    if (leafState === undefined) {
      const childQueue = backend.queue(options.childQueue ?? `${queueName}-children`);
      childQueue.add('fetch-data', { for: parent.id }, { parent });
    } else {
      const { id, index } = add(leafState, { parent });
      if (leafState === 'cancelled') queue.cancel(id);
      else if (leafState === 'active') take(id);
      else if (leafState === 'failed') fail(id, index);
    }
  }

  const after = queue.counts();
  for (const state of SEED_STATES) {
    const grew = (after[state] ?? 0) - (before[state] ?? 0);
    const expected = spec[state] ?? 0;
    if (grew !== expected) {
      throw new Error(
        `seedMemoryQueue: ${queueName}.${state} grew by ${grew}, expected ${expected}`,
      );
    }
  }
  return ids;
}

/**
 * Seeds several queues of one backend, e.g. the output of `manyQueues(n)`.
 *
 * @example
 * ```ts
 * const seeded = await seedMemoryQueues(backend, manyQueues(100));
 * console.log(Object.keys(seeded).length); // 100
 * ```
 */
export async function seedMemoryQueues(
  backend: MemoryBackend,
  queues: readonly NamedQueueSpec[],
  options: SeedMemoryOptions = {},
): Promise<Record<string, SeededJobs>> {
  const seeded: Record<string, SeededJobs> = {};
  for (const { name, spec } of queues) {
    seeded[name] = await seedMemoryQueue(backend, name, spec, options);
  }
  return seeded;
}

/** What the `index`-th job of `state` needs to land there: staggered due times, priorities 1-5. */
function stateOptions(state: SeedState, index: number): AddOptions {
  if (state === 'delayed') return { delayMs: SEED_DELAY_MS + index * 1000 };
  if (state === 'prioritized') return { priority: 1 + (index % 5) };
  return {};
}

/** Validated counts per seedable state; a count for a state the memory backend lacks is refused. */
function countsOf(spec: DetailedQueueSpec): Record<SeedState, number> {
  for (const state of JOB_STATES) {
    const count = (spec as Record<string, unknown>)[state];
    if (!(SEED_STATES as readonly string[]).includes(state) && count !== undefined && count !== 0) {
      throw new RangeError(`seedMemoryQueue: the memory backend has no ${state} state`);
    }
  }
  const want = {} as Record<SeedState, number>;
  for (const state of SEED_STATES) {
    const count = spec[state] ?? 0;
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`spec.${state} must be an integer >= 0, got ${count}`);
    }
    want[state] = count;
  }
  return want;
}

/**
 * Adds `count` parents, each the parent of the next, and returns the last
 * one, which waits once its own child is added. Every other one is in
 * `waiting-children` already, waiting on the next.
 */
function addParentChain(
  queue: MemoryQueue,
  count: number,
  add: (state: SeedState, opts?: AddOptions) => { id: string },
): JobRef {
  let parent: JobRef | undefined;
  for (let n = 0; n < count; n++) {
    const { id } = add('waiting-children', parent ? { parent } : {});
    parent = { queue: queue.name, id };
  }
  return parent!;
}
