/**
 * Declarative data sets: how many jobs each queue holds in each state. A
 * seeder per backend turns a spec into real jobs, so tests and benchmarks of
 * every backend start from the same picture.
 */

/**
 * The states a seeder can put jobs in: the canonical states every backend
 * that has them can reach through its queue library's own API.
 *
 * @example
 * ```ts
 * for (const state of SEED_STATES) console.log(state, spec[state] ?? 0);
 * ```
 */
export const SEED_STATES = [
  'waiting',
  'prioritized',
  'waiting-children',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
] as const;

/**
 * A state a seeder can put jobs in.
 *
 * @example
 * ```ts
 * const state: SeedState = 'delayed';
 * ```
 */
export type SeedState = (typeof SEED_STATES)[number];

/**
 * Number of jobs per state in one queue; missing states have none.
 *
 * @example
 * ```ts
 * const spec: QueueSpec = { waiting: 10, failed: 2 };
 * ```
 */
export type QueueSpec = Partial<Record<SeedState, number>>;

/**
 * A {@link QueueSpec} that may also choose what each seeded job is called
 * and carries (the shape `@qadmin/testkit`'s `SeedSpec` has). Index `i` is
 * the `i`-th job of that state, in creation order.
 *
 * @example
 * ```ts
 * const spec: DetailedQueueSpec = {
 *   failed: 2,
 *   name: (state, i) => `${state}-${i}`,
 *   failedReason: (i) => `boom ${i}`,
 *   logs: (state, i) => [`${state} job ${i} says hello`],
 * };
 * ```
 */
export type DetailedQueueSpec = QueueSpec & {
  /** Name of the `index`-th job of `state`. */
  name?: (state: SeedState, index: number) => string;
  /** Data of the `index`-th job of `state`. */
  data?: (state: SeedState, index: number) => unknown;
  /** Failure reason of the `index`-th failed job. */
  failedReason?: (index: number) => string;
  /** Log lines of the `index`-th job of `state`, oldest first. */
  logs?: (state: SeedState, index: number) => string[];
};

/**
 * A queue name with its spec.
 *
 * @example
 * ```ts
 * const q: NamedQueueSpec = { name: 'emails', spec: standardQueue };
 * ```
 */
export interface NamedQueueSpec {
  name: string;
  spec: QueueSpec;
}

/**
 * A busy queue with jobs in every state, big enough for several pages.
 *
 * @example
 * ```ts
 * seedMemoryQueue(backend, 'emails', standardQueue);
 * ```
 */
export const standardQueue: Readonly<QueueSpec> = Object.freeze({
  waiting: 100,
  prioritized: 10,
  'waiting-children': 5,
  delayed: 20,
  active: 5,
  completed: 200,
  failed: 50,
  cancelled: 5,
});

/**
 * One or a few jobs in every state: the smallest queue that shows everything.
 *
 * @example
 * ```ts
 * seedMemoryQueue(backend, 'tiny', smallQueue);
 * ```
 */
export const smallQueue: Readonly<QueueSpec> = Object.freeze({
  waiting: 3,
  prioritized: 2,
  'waiting-children': 1,
  delayed: 2,
  active: 1,
  completed: 3,
  failed: 2,
  cancelled: 1,
});

/**
 * A queue with no jobs at all.
 *
 * @example
 * ```ts
 * seedMemoryQueue(backend, 'quiet', emptyQueue);
 * ```
 */
export const emptyQueue: Readonly<QueueSpec> = Object.freeze({});

/** The default per-queue spec of {@link manyQueues}: about 80 jobs. */
const MANY_BASE: Readonly<QueueSpec> = Object.freeze({
  waiting: 20,
  prioritized: 2,
  'waiting-children': 1,
  delayed: 5,
  active: 1,
  completed: 40,
  failed: 8,
  cancelled: 1,
});

/** Size factors cycled over the queues so a fleet has idle, small and busy queues. */
const FLEET_FACTORS = [1, 0.25, 2, 0, 0.5, 1.5, 0.1] as const;

/**
 * Specs for `n` queues named `<prefix>-0001`, `<prefix>-0002`, ...: the base
 * spec scaled by a factor that cycles through 1, 0.25, 2, 0, 0.5, 1.5, 0.1,
 * so the fleet mixes empty, small and busy queues deterministically (about
 * 0.76 × the base per queue on average).
 *
 * @example
 * ```ts
 * const fleet = manyQueues(1000); // ~60,000 jobs over 1,000 queues
 * const big = manyQueues(50, { base: standardQueue, prefix: 'big' });
 * ```
 */
export function manyQueues(
  n: number,
  options: { prefix?: string; base?: QueueSpec } = {},
): NamedQueueSpec[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be an integer >= 0');
  const prefix = options.prefix ?? 'queue';
  const base = options.base ?? MANY_BASE;
  const width = Math.max(4, String(n).length);
  return Array.from({ length: n }, (_, i) => ({
    name: `${prefix}-${String(i + 1).padStart(width, '0')}`,
    spec: scaleSpec(base, FLEET_FACTORS[i % FLEET_FACTORS.length]!),
  }));
}

/**
 * Multiplies every count of a spec, rounding to whole jobs.
 *
 * @example
 * ```ts
 * scaleSpec({ waiting: 10, failed: 3 }, 0.5); // { waiting: 5, failed: 2 }
 * ```
 */
export function scaleSpec(spec: QueueSpec, factor: number): QueueSpec {
  const scaled: QueueSpec = {};
  for (const state of SEED_STATES) {
    const count = spec[state];
    if (count !== undefined) scaled[state] = Math.round(count * factor);
  }
  return scaled;
}

/**
 * Total number of jobs a spec describes.
 *
 * @example
 * ```ts
 * specTotal(standardQueue); // 395
 * ```
 */
export function specTotal(spec: QueueSpec): number {
  return SEED_STATES.reduce((sum, state) => sum + (spec[state] ?? 0), 0);
}
