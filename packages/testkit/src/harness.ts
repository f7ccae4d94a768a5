/**
 * What every scenario shares: the backend's lifecycle per `describe` block,
 * unique queue names, a checked seeder, capability gating with visible skip
 * reasons, and assertions that print what the backend actually returned.
 */
import {
  type Capabilities,
  capabilitiesSchema,
  isQadminError,
  type Job,
  type JobOrder,
  type JobPage,
  type JobState,
  jobSchema,
  type ListJobsQuery,
  type QueueBackend,
  type QueueStats,
  type StateCounts,
} from '@qadmin/core';
import { afterAll, beforeAll, expect, it, type TestContext } from 'vitest';
import type { BackendContractOptions, SeededJobs, SeedSpec } from './types';

/** A prerequisite of a test: when `ok` is false the test is skipped and `label` is shown. */
export interface Requirement {
  ok: boolean;
  label: string;
}

/** What the scenarios get from {@link runBackendContract}. */
export interface Harness<B extends QueueBackend = QueueBackend> {
  /** Capabilities read from a probe backend while the suite was collected. */
  readonly caps: Capabilities;
  readonly timeoutMs: number;
  /** Creates a fresh backend before the current `describe` block's tests and releases it after. */
  useBackend(): () => B;
  /** A queue name no other test uses. */
  queueName(): string;
  /** Calls the user's seeder and checks it created what was asked. */
  seed(backend: B, queue: string, spec: SeedSpec): Promise<SeededJobs>;
  /** Registers a test that is skipped, with the reason in its name, when a requirement is unmet. */
  test(title: string, requirements: Requirement[], fn: (ctx: TestContext) => Promise<void>): void;
  /** Requirement: the backend declares this state. */
  state(state: JobState): Requirement;
  /** Requirement: jobs carry a name of their own (`capabilities.jobNames`). */
  readonly jobNames: Requirement;
  /**
   * Whether jobs of `queue` carry a name of their own: `jobNames` of the
   * queue's capabilities (from `queueCapabilities`) or else the backend's.
   */
  hasJobNames(backend: B, queue: string): boolean;
  /**
   * The name a job that was seeded or added as `name` in `queue` reports:
   * `name`, or the queue's name where jobs are named after their queue.
   */
  jobName(backend: B, queue: string, name: string): string;
  /**
   * Skips the running test, visibly, when `queue`'s own capabilities (from
   * `queueCapabilities`) withdraw what the test needs: the service would not
   * offer it for that queue either.
   */
  assumeQueue(
    ctx: TestContext,
    backend: B,
    queue: string,
    check: (caps: Capabilities) => boolean,
    label: string,
  ): void;
}

let suiteCounter = 0;

export function createHarness<B extends QueueBackend>(
  options: BackendContractOptions<B>,
  declared: unknown,
): Harness<B> {
  const caps = normalizeCapabilities(declared);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const suite = ++suiteCounter;
  const salt = randomSuffix(6);
  let queueCounter = 0;
  const hasJobNames = (backend: B, queue: string): boolean =>
    (backend.queueCapabilities?.(queue) ?? caps).jobNames;

  return {
    caps,
    timeoutMs,
    useBackend() {
      let backend: B | undefined;
      beforeAll(async () => {
        backend = await options.createBackend();
      }, timeoutMs);
      afterAll(async () => {
        if (backend) await releaseBackend(options, backend);
        backend = undefined;
      }, timeoutMs);
      return () => {
        if (!backend) throw new Error('The backend is only available inside tests');
        return backend;
      };
    },
    queueName() {
      queueCounter += 1;
      return `contract-${suite}-${salt}-${queueCounter}`;
    },
    async seed(backend, queue, spec) {
      const seeded = await options.seed(backend, queue, spec);
      expect(seeded, `seed(${queue}) must return the created ids per state`).toBeTypeOf('object');
      const all: string[] = [];
      for (const [state, count] of Object.entries(spec)) {
        if (typeof count !== 'number' || count === 0) continue;
        const ids = seeded[state as JobState];
        expect(
          ids?.length,
          `seed(${queue}, { ${state}: ${count} }) must return ${count} ids for ${state}`,
        ).toBe(count);
        for (const id of ids ?? []) {
          expect(typeof id, `seeded ids are strings (${state})`).toBe('string');
          all.push(id);
        }
      }
      expect(new Set(all).size, `seed(${queue}) returned duplicate ids`).toBe(all.length);
      return seeded;
    },
    test(title, requirements, fn) {
      const missing = requirements.filter((r) => !r.ok).map((r) => r.label);
      const name = missing.length > 0 ? `${title} (not supported: ${missing.join(', ')})` : title;
      it.skipIf(missing.length > 0)(name, fn, timeoutMs);
    },
    state(state) {
      return { ok: caps.states.includes(state), label: `state ${state}` };
    },
    jobNames: { ok: caps.jobNames, label: 'jobNames' },
    hasJobNames,
    jobName(backend, queue, name) {
      return hasJobNames(backend, queue) ? name : queue;
    },
    assumeQueue(ctx, backend, queue, check, label) {
      const perQueue = backend.queueCapabilities?.(queue);
      if (perQueue !== undefined && !check(perQueue)) {
        ctx.skip(`queueCapabilities(${queue}) withdraws ${label}`);
      }
    },
  };
}

/** Releases a backend the suite created: `options.destroyBackend`, else `backend.close()`. */
export async function releaseBackend<B extends QueueBackend>(
  options: BackendContractOptions<B>,
  backend: B,
): Promise<void> {
  if (options.destroyBackend) await options.destroyBackend(backend);
  else await backend.close?.();
}

/**
 * Reads capabilities defensively so that a malformed declaration is reported
 * by the declaration test instead of crashing the collection of every other.
 */
function normalizeCapabilities(declared: unknown): Capabilities {
  const parsed = capabilitiesSchema.safeParse(declared);
  if (parsed.success) return parsed.data;
  const raw = (typeof declared === 'object' && declared !== null ? declared : {}) as Record<
    string,
    unknown
  >;
  const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
  const schedules = (raw.schedules ?? {}) as {
    read?: unknown;
    write?: unknown;
    intervals?: unknown;
    multiple?: unknown;
  };
  return {
    states: list(raw.states),
    jobActions: list(raw.jobActions),
    addJob: raw.addJob === true,
    bulkActions: list(raw.bulkActions),
    retryAllStates: list(raw.retryAllStates),
    cleanStates: list(raw.cleanStates),
    search: list(raw.search),
    offsetPagination: raw.offsetPagination === true,
    // Declarations from before jobNames existed came from backends whose jobs had names.
    jobNames: raw.jobNames !== false,
    logs: raw.logs === true,
    workers: raw.workers === true,
    schedules: {
      read: schedules.read === true,
      write: schedules.write === true,
      // Declarations from before these existed came from BullMQ-shaped backends.
      intervals: schedules.intervals !== false,
      multiple: schedules.multiple !== false,
    },
    metrics: raw.metrics === true,
    events: raw.events === true,
    flows: raw.flows === true,
    audit: raw.audit === true,
  };
}

// ------------------------------------------------------------------ helpers

/** The longest cursor the JSON API passes on. */
const MAX_CURSOR_LENGTH = 2048;

/** Clock slack between this process and the queue's store (same machine or not). */
export const CLOCK_SLACK_MS = 60_000;

/** States where a job waits to be run, or is already picked up by a worker. */
export const RUNNABLE_STATES: readonly JobState[] = ['waiting', 'prioritized', 'active'];

/** Sum of all counts. */
export function totalOf(counts: StateCounts): number {
  let total = 0;
  for (const value of Object.values(counts)) total += value ?? 0;
  return total;
}

/** Count of one state, 0 when the backend left it out. */
export function countOf(counts: StateCounts, state: JobState): number {
  return counts[state] ?? 0;
}

/** The first of `candidates` the backend declares. */
export function firstDeclared(
  caps: Capabilities,
  candidates: readonly JobState[],
): JobState | undefined {
  return candidates.find((state) => caps.states.includes(state));
}

/**
 * The declared states that can be seeded together in one queue: all but
 * `paused`, which some systems cannot hold beside `waiting`.
 */
export function mixableStates(caps: Capabilities): JobState[] {
  return caps.states.filter((state) => state !== 'paused');
}

/** A state to seed when a test only needs the queue to exist with some job in it. */
export function anyState(caps: Capabilities): JobState | undefined {
  return firstDeclared(caps, ['waiting', 'completed', 'failed', 'delayed', ...caps.states]);
}

/** Requirement: a state to seed exists, for tests that only need a queue with some job in it. */
export function seedable(state: JobState | undefined): Requirement {
  return { ok: state !== undefined, label: 'a seedable state' };
}

/** Stats of one queue, failing when the backend omits a queue that exists. */
export async function statsOf(backend: QueueBackend, queue: string): Promise<QueueStats> {
  const all = await backend.getStats([queue]);
  const stats = all[queue];
  expect(stats, `getStats([${queue}]) omitted a queue that has jobs`).toBeDefined();
  return stats!;
}

/** What {@link parseOrFail} needs of a core schema. */
interface Schema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: PropertyKey[]; message: string }[] } };
}

/** Parses `value` with `schema`, failing with `failure` and every schema issue when it does not parse. */
export function parseOrFail<T>(schema: Schema<T>, value: unknown, failure: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    expect.fail(
      `${failure}: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

/** Fails with the schema issues when `job` is not a valid {@link Job}. */
export function expectValidJob(job: unknown, context: string): asserts job is Job {
  parseOrFail(jobSchema, job, `${context}: not a valid Job`);
}

/** Fails unless `promise` rejects with a QadminError whose status is one of `statuses`. */
export async function expectProblem(
  promise: Promise<unknown>,
  statuses: readonly number[],
  context: string,
): Promise<void> {
  let outcome: { resolved: unknown } | { rejected: unknown };
  try {
    outcome = { resolved: await promise };
  } catch (error) {
    outcome = { rejected: error };
  }
  if ('resolved' in outcome) {
    expect.fail(
      `${context}: expected a QadminError with status ${statuses.join(' or ')}, but it resolved`,
    );
  }
  expectProblemError(outcome.rejected, statuses, context);
}

/** Fails unless `error` is a QadminError whose status is one of `statuses`. */
export function expectProblemError(
  error: unknown,
  statuses: readonly number[],
  context: string,
): void {
  if (!isQadminError(error)) {
    expect.fail(
      `${context}: expected a QadminError with status ${statuses.join(' or ')}, got ${describeError(error)}`,
    );
  }
  expect(statuses, `${context}: status ${error.status} (${error.message})`).toContain(error.status);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return JSON.stringify(error) ?? String(error);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What {@link collectPages} found. */
export interface CollectedPages {
  jobs: Job[];
  pages: JobPage[];
}

/**
 * Follows `nextCursor` from the first page to the last and checks what must
 * hold for every page: never more than `limit` jobs, every job valid and in
 * the requested state, `total` stable, no empty page after a cursor, and a
 * bounded number of pages (a cursor that never ends fails instead of hanging).
 */
export async function collectPages(
  backend: QueueBackend,
  queue: string,
  query: Omit<ListJobsQuery, 'cursor' | 'offset'>,
  maxJobs: number,
): Promise<CollectedPages> {
  const jobs: Job[] = [];
  const pages: JobPage[] = [];
  const maxPages = Math.ceil(maxJobs / query.limit) + 2;
  let cursor: string | undefined;
  const context = `listJobs(${queue}, ${JSON.stringify(query)})`;
  for (;;) {
    const page = await backend.listJobs(queue, { ...query, cursor });
    checkPage(page, query, `${context} page ${pages.length + 1}`);
    if (pages.length > 0) {
      expect(
        page.jobs.length,
        `${context}: page ${pages.length + 1} is empty although the previous page gave a nextCursor; return nextCursor: null on the last page`,
      ).toBeGreaterThan(0);
    }
    pages.push(page);
    jobs.push(...page.jobs);
    if (page.nextCursor === null) break;
    expect(typeof page.nextCursor, `${context}: nextCursor is a string or null`).toBe('string');
    expect(
      pages.length,
      `${context}: more than ${maxPages} pages for at most ${maxJobs} jobs; the cursor does not advance`,
    ).toBeLessThan(maxPages);
    cursor = page.nextCursor;
  }
  return { jobs, pages };
}

/** Checks one page of {@link QueueBackend.listJobs}. */
export function checkPage(
  page: JobPage,
  query: { state: JobState; limit: number; name?: string | undefined },
  context: string,
): void {
  expect(Array.isArray(page.jobs), `${context}: jobs is an array`).toBe(true);
  expect(page.jobs.length, `${context}: returned more than limit`).toBeLessThanOrEqual(query.limit);
  expect(
    page.nextCursor === null || typeof page.nextCursor === 'string',
    `${context}: nextCursor is a string or null`,
  ).toBe(true);
  if (page.nextCursor !== null) {
    expect(page.nextCursor.length, `${context}: nextCursor length`).toBeLessThanOrEqual(
      MAX_CURSOR_LENGTH,
    );
  }
  if (page.total !== null) {
    expect(Number.isInteger(page.total) && page.total >= 0, `${context}: total`).toBe(true);
  }
  for (const job of page.jobs) {
    expectValidJob(job, context);
    expect(job.state, `${context}: job ${job.id} has another state`).toBe(query.state);
    if (query.name !== undefined) {
      expect(job.name, `${context}: job ${job.id} does not match the name filter`).toBe(query.name);
    }
  }
}

/** Fails unless the jobs are sorted by `createdAt` in `order`. */
export function expectSorted(jobs: readonly Job[], order: JobOrder, context: string): void {
  for (let i = 1; i < jobs.length; i++) {
    const previous = jobs[i - 1]!;
    const current = jobs[i]!;
    const ok =
      order === 'newest'
        ? previous.createdAt >= current.createdAt
        : previous.createdAt <= current.createdAt;
    if (!ok) {
      expect.fail(
        `${context}: not sorted ${order} first by createdAt at position ${i}: ${previous.id} (${previous.createdAt}) then ${current.id} (${current.createdAt})`,
      );
    }
  }
}

/** Fails when an id occurs twice, naming it. */
export function expectUniqueIds(ids: readonly string[], context: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) expect.fail(`${context}: job ${id} appears more than once`);
    seen.add(id);
  }
}

/** Every job of `state` in `queue`, newest first. */
export async function allJobs(
  backend: QueueBackend,
  queue: string,
  state: JobState,
  maxJobs = 1000,
): Promise<Job[]> {
  return (await collectPages(backend, queue, { state, order: 'newest', limit: 50 }, maxJobs)).jobs;
}

/** Settles every promise and splits the outcomes. */
export async function settle<T>(
  promises: readonly Promise<T>[],
): Promise<{ fulfilled: T[]; rejected: unknown[] }> {
  const results = await Promise.allSettled(promises);
  const fulfilled: T[] = [];
  const rejected: unknown[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') fulfilled.push(result.value);
    else rejected.push(result.reason);
  }
  return { fulfilled, rejected };
}

/** `length` random lower-case letters and digits, to keep names of parallel runs apart. */
export function randomSuffix(length: number): string {
  return Math.random()
    .toString(36)
    .slice(2, 2 + length);
}

/** An id no backend has: unusual shape, random part. */
export function missingId(): string {
  return `contract-missing-${randomSuffix(8)}`;
}
