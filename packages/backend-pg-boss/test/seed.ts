/**
 * Seeds pg-boss queues for the backend's tests through pg-boss's own public
 * API only (`pg-boss` resolves to the major of the vitest project), so the
 * tests check that the backend reads what the library wrote.
 */
import type { JobState } from '@qadmin/core';
import type { SeededJobs, SeedSpec } from '@qadmin/testkit';
import * as PgBossModule from 'pg-boss';

/** What the seeder calls on a pg-boss 10 or 12 instance. */
export interface SeedBoss {
  start(): Promise<unknown>;
  stop(options?: object): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  createQueue(name: string, options?: object): Promise<void>;
  getQueue(name: string): Promise<unknown>;
  send(name: string, data?: object | null, options?: object): Promise<string | null>;
  fetch(name: string, options?: object): Promise<{ id: string }[] | null>;
  complete(name: string, id: string, data?: object): Promise<unknown>;
  fail(name: string, id: string, data?: object): Promise<unknown>;
  cancel(name: string, id: string): Promise<unknown>;
}

const PgBoss = ((PgBossModule as Record<string, unknown>).PgBoss ??
  (PgBossModule as Record<string, unknown>).default) as new (
  options: object,
) => SeedBoss;

/** The major of the pg-boss this project resolved. */
export const PGBOSS_MAJOR = Number(process.env.EXPECTED_PGBOSS_MAJOR ?? 0);

/**
 * Starts pg-boss on `url` in `schema` (installing it there), without
 * supervision, schedules or instance registration: a seeding client, not a
 * worker.
 */
export async function openBoss(url: string, schema: string): Promise<SeedBoss> {
  const boss = new PgBoss({
    connectionString: url,
    schema,
    supervise: false,
    schedule: false,
    registerInstance: false,
    max: 4,
  });
  boss.on('error', () => {});
  await boss.start();
  return boss;
}

/** A seeded job takes at most this long to be picked by fetch (it runs first: top priority). */
const FIRST = 1_000;
/** Far enough ahead that a seeded delayed job stays delayed while a suite runs. */
const SEED_DELAY_SECONDS = 3_600;

const ORDER = ['completed', 'failed', 'cancelled', 'active', 'delayed', 'waiting'] as const;
type SeedState = (typeof ORDER)[number];

/**
 * Puts exactly the requested number of jobs in each state of `queue` with
 * pg-boss's own API: `createQueue` when it is missing, `send` (with
 * `startAfter` for delayed jobs), `fetch` of a top-priority job for active
 * ones (held: nothing completes them), then `complete`, `fail` (with no retry
 * left, and an Error's shape as a worker would store it) or `cancel`.
 * Defaults: data `{ state, i }`, failed reason `<state>-<i> failed`. States
 * pg-boss has no way to reach are refused.
 *
 * @example
 * ```ts
 * const ids = await seedPgBossQueue(boss, 'emails', { waiting: 2, failed: 1 });
 * ```
 */
export async function seedPgBossQueue(
  boss: SeedBoss,
  queue: string,
  spec: SeedSpec,
): Promise<SeededJobs> {
  for (const key of Object.keys(spec)) {
    if (['data', 'name', 'failedReason', 'logs'].includes(key)) continue;
    if (!(ORDER as readonly string[]).includes(key) && (spec as Record<string, number>)[key]! > 0) {
      throw new Error(`seedPgBossQueue: pg-boss jobs are never ${key}`);
    }
  }
  if (!(await boss.getQueue(queue))) await boss.createQueue(queue);
  const ids: Partial<Record<JobState, string[]>> = {};
  for (const state of ORDER) {
    const count = spec[state] ?? 0;
    const list: string[] = [];
    for (let i = 0; i < count; i++) list.push(await seedOne(boss, queue, state, i, spec));
    if (count > 0) ids[state] = list;
  }
  return ids;
}

async function seedOne(
  boss: SeedBoss,
  queue: string,
  state: SeedState,
  i: number,
  spec: SeedSpec,
): Promise<string> {
  const data = (spec.data ? spec.data(state, i) : { state, i }) as object | null;
  // pg-boss writes any JSON value (its API types data as an object); pg-boss 10 hands data
  // to pg, which writes a string or an array as itself (no JSON): those go as JSON text.
  const payload = (
    PGBOSS_MAJOR === 10 && (typeof data === 'string' || Array.isArray(data))
      ? JSON.stringify(data)
      : data
  ) as object;
  const send = async (options: object): Promise<string> => {
    const id = await boss.send(queue, payload, options);
    if (!id) throw new Error(`seedPgBossQueue: pg-boss refused a job for ${queue}`);
    return id;
  };
  switch (state) {
    case 'waiting':
      return send({});
    case 'delayed':
      return send({ startAfter: SEED_DELAY_SECONDS });
    case 'cancelled': {
      const id = await send({});
      await boss.cancel(queue, id);
      return id;
    }
    default: {
      const id = await send({ priority: FIRST, retryLimit: 0 });
      const fetched = (await boss.fetch(queue, { batchSize: 1 })) ?? [];
      if (fetched[0]?.id !== id) {
        throw new Error(`seedPgBossQueue: fetch took ${fetched[0]?.id ?? 'nothing'}, not ${id}`);
      }
      if (state === 'completed') await boss.complete(queue, id, { result: i });
      if (state === 'failed') {
        const reason = spec.failedReason?.(i) ?? `${state}-${i} failed`;
        await boss.fail(queue, id, {
          name: 'Error',
          message: reason,
          stack: `Error: ${reason}\n    at seed (test/seed.ts)`,
        });
      }
      return id;
    }
  }
}
