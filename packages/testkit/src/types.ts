import type { JobState, QueueBackend } from '@qadmin/core';

/**
 * The jobs {@link BackendContractOptions.seed} must create in one queue: how
 * many jobs to put in each state, and optionally what each job is called and
 * carries.
 *
 * Seeding is additive: a second call for the same queue adds more jobs. The
 * suite never asks for `paused` together with other states in one queue (some
 * queue systems cannot hold paused and waiting jobs at once), and the seeded
 * jobs must keep their state while the suite runs: delayed jobs at least an
 * hour in the future, active jobs held without being processed.
 *
 * @example
 * ```ts
 * const spec: SeedSpec = {
 *   waiting: 3,
 *   failed: 2,
 *   name: (state, i) => `${state}-${i}`,
 *   data: (state, i) => ({ state, i }),
 *   failedReason: (i) => `boom ${i}`,
 * };
 * ```
 */
export type SeedSpec = Partial<Record<JobState, number>> & {
  /** Data of the `index`-th job of `state` (default: the seeder's choice). */
  data?: (state: JobState, index: number) => unknown;
  /**
   * Name of the `index`-th job of `state` (default: the seeder's choice). A
   * backend whose jobs are named after their queue (`jobNames: false`)
   * ignores it.
   */
  name?: (state: JobState, index: number) => string;
  /** Failure reason of the `index`-th failed job (default: the seeder's choice). */
  failedReason?: (index: number) => string;
  /**
   * Log lines to attach to the `index`-th job of `state`, oldest first, when
   * the queue system can store logs. A seeder that cannot, ignores this.
   */
  logs?: (state: JobState, index: number) => string[];
};

/**
 * The ids {@link BackendContractOptions.seed} created, per state, in the order
 * they were created (index `i` is the job built with `data(state, i)`).
 *
 * @example
 * ```ts
 * const seeded: SeededJobs = { waiting: ['1', '2', '3'], failed: ['4', '5'] };
 * ```
 */
export type SeededJobs = Partial<Record<JobState, string[]>>;

/**
 * What {@link runBackendContract} needs to exercise a backend.
 *
 * @example
 * ```ts
 * import { createMemoryBackend, type MemoryBackend } from '@qadmin/backend-memory';
 *
 * const options: BackendContractOptions<MemoryBackend> = {
 *   name: 'memory',
 *   createBackend: () => createMemoryBackend(),
 *   seed: (backend, queue, spec) => seedMemoryQueue(backend, queue, spec),
 * };
 * ```
 */
export interface BackendContractOptions<B extends QueueBackend = QueueBackend> {
  /** Shown in the suite name: `backend contract: <name>`. */
  name: string;
  /**
   * A backend over a fresh, empty store. Called once while the suite is
   * collected (to read its capabilities) and once per `describe` block.
   */
  createBackend(): B | Promise<B>;
  /**
   * Put exactly these jobs into these states in `queue`, creating the queue
   * when it does not exist yet, and return their ids. Write it with your queue
   * library's own API (add, move to failed, ...), not through the backend:
   * the suite checks that the backend reads what the library wrote.
   */
  seed(backend: B, queue: string, spec: SeedSpec): Promise<SeededJobs>;
  /** Release the backend after its `describe` block. Default: `backend.close()`. */
  destroyBackend?(backend: B): Promise<void>;
  /** Timeout of each test and hook in milliseconds. Default 30,000. */
  timeoutMs?: number;
}
