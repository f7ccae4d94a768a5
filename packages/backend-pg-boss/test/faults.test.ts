/**
 * PostgreSQL failing under a dashboard in use, through the real HTTP stack:
 * `createAdmin` + `createNodeListener` on `node:http`, over a backend on a
 * PostgreSQL of this file's own (it is killed here, so not the shared one of
 * test/global-setup.ts).
 *
 * What the dashboard owes its users then: every request answers within 2 s
 * (the per-queue routes with a 503 problem+json, the overview with a 200 that
 * marks the backend unreachable), nothing hangs, the host process sees no
 * unhandled rejection or uncaught exception, and everything works again
 * within 5 s of PostgreSQL coming back. The same holds for a PostgreSQL that
 * does not answer in time (pg-boss's job table locked by another session).
 */
import {
  type ProbeAnswer as Answer,
  type DashboardTarget,
  dashboardRound,
  type HostWatch,
  isProblemAnswer as isProblem,
  judgeOutage,
  PER_QUEUE_LABELS,
  serveFaultDashboard,
  showAnswer as show,
  startPostgres,
  type ThrowawayPostgres,
  waitForJobs,
  waitUntilHealthy,
  watchHost,
} from '@qadmin/test-fixtures';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createPgBossBackend, type PgBossBackend } from '../src/index';
import { openBoss, type SeedBoss, seedPgBossQueue } from './seed';

/** The most a request may take while PostgreSQL is down or stalled. */
const ANSWER_WITHIN_MS = 2000;
/** How soon after PostgreSQL is back every route must work again. */
const RECOVER_WITHIN_MS = 5000;
/** How long PostgreSQL stays down while the dashboard keeps asking. */
const OUTAGE_MS = 8000;
/** How long the job table stays locked in the stalled case. */
const LOCK_MS = 3000;

const EMAILS = 'emails';
const REPORTS = 'reports';

let postgres: ThrowawayPostgres;
let url: string;
let boss: SeedBoss;
let backend: PgBossBackend;
let dashboard: Awaited<ReturnType<typeof serveFaultDashboard>>;
let failed: string[];
let waiting: string[];

let host: HostWatch;
let target: DashboardTarget;

beforeAll(async () => {
  host = watchHost();

  postgres = await startPostgres();
  url = await postgres.createDatabase('faults');
  boss = await openBoss(url, 'pgboss');
  const ids = await seedPgBossQueue(boss, EMAILS, { waiting: 3, failed: 4, completed: 2 });
  await seedPgBossQueue(boss, REPORTS, { waiting: 2, delayed: 1 });
  failed = ids.failed ?? [];
  waiting = ids.waiting ?? [];
  // pg-boss's own pool would log its lost connections; the seeding is done.
  await boss.stop({ graceful: false, close: true });

  backend = createPgBossBackend({ connection: url, metrics: false });
  dashboard = await serveFaultDashboard(backend, { queue: EMAILS, otherQueue: REPORTS });
  target = dashboard.target;
  await waitUntilHealthy(target, RECOVER_WITHIN_MS);
}, 120_000);

afterEach(() => {
  expect(host.crashes, 'unhandled rejections and uncaught exceptions in the host').toEqual([]);
  expect(host.errorLogs, 'console.error calls (unexpected 500s, unhandled pg errors)').toEqual([]);
});

afterAll(async () => {
  await dashboard?.close();
  await postgres?.stop();
  host?.restore();
});

it('answers every request within 2 s while PostgreSQL is killed, and recovers within 5 s of its return', {
  timeout: 120_000,
}, async () => {
  const before = await dashboardRound(target, performance.now(), failed[0]!);
  expect(before.map((a) => [a.label, a.status])).toEqual([
    ['overview', 200],
    ['health', 200],
    ['queue', 200],
    ['jobs', 200],
    ['job', 200],
    ['retry', 200],
    ['other queue', 200],
  ]);

  await postgres.kill();
  const killedAt = performance.now();
  const during: Answer[] = [];
  while (performance.now() - killedAt < OUTAGE_MS) {
    during.push(...(await dashboardRound(target, killedAt, failed[1]!)));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const slowest = Math.max(...during.map((a) => a.ms));

  await postgres.start();
  const startedAt = performance.now();
  const { afterMs: recoveredAfterMs, last: lastJobs } = await waitForJobs(
    target,
    startedAt,
    RECOVER_WITHIN_MS + 5000,
  );
  const after = await dashboardRound(target, startedAt, failed[2]!);

  console.info(
    `[faults] killed for ${OUTAGE_MS} ms: ${during.length} requests, slowest ${slowest} ms; jobs 200 again ${recoveredAfterMs} ms after PostgreSQL was back`,
  );
  const outage = judgeOutage(during, ANSWER_WITHIN_MS);
  expect(outage.late, `requests slower than ${ANSWER_WITHIN_MS} ms while down`).toEqual([]);
  expect(outage.perQueueNot503, 'per-queue routes: 503 problem+json while down').toEqual([]);
  expect(outage.summaryNot200, 'overview and health: 200 while down').toEqual([]);
  expect(outage.notMarkedDown, 'overview/health marking the backend unreachable').toEqual([]);

  expect(recoveredAfterMs, `jobs still ${lastJobs && show(lastJobs)}`).not.toBeNull();
  expect(recoveredAfterMs!).toBeLessThan(RECOVER_WITHIN_MS);
  expect(after.map((a) => [a.label, a.status])).toEqual([
    ['overview', 200],
    ['health', 200],
    ['queue', 200],
    ['jobs', 200],
    ['job', 200],
    ['retry', 200],
    ['other queue', 200],
  ]);
  // Nothing committed was lost: PostgreSQL came back with its data (the seeded waiting jobs
  // and the failed one retried before the kill; the last round's retry may be there too).
  const jobs = after.find((a) => a.label === 'jobs')!.body as { jobs: { id: string }[] };
  expect(jobs.jobs.map((job) => job.id)).toEqual(expect.arrayContaining([...waiting, failed[0]]));
});

it('answers every request within 2 s while the job table is locked, with 503 or the data', {
  timeout: 120_000,
}, async () => {
  await waitUntilHealthy(target, RECOVER_WITHIN_MS);
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  let during: Answer[] = [];
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE pgboss.job IN ACCESS EXCLUSIVE MODE');
    const lockedAt = performance.now();
    during = await dashboardRound(target, lockedAt, failed[3]!);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, LOCK_MS - (performance.now() - lockedAt))),
    );
    await locker.query('ROLLBACK');
  } finally {
    await locker.end();
  }
  console.info(
    `[faults] job table locked for ${LOCK_MS} ms: ${during.map((a) => `${a.label} ${a.status} ${a.ms} ms`).join(', ')}`,
  );
  const late = during.filter((a) => a.ms >= ANSWER_WITHIN_MS || a.status === 'hung');
  expect(late.map(show), `requests slower than ${ANSWER_WITHIN_MS} ms while locked`).toEqual([]);
  const wrong = during.filter((a) =>
    PER_QUEUE_LABELS.has(a.label)
      ? !(a.status === 200 || (a.status === 503 && isProblem(a)))
      : a.status !== 200,
  );
  expect(wrong.map(show), 'per-queue routes: the data or a 503 problem+json').toEqual([]);
  const recoveredAfterMs = await waitUntilHealthy(target, RECOVER_WITHIN_MS);
  expect(recoveredAfterMs).toBeLessThan(RECOVER_WITHIN_MS);
});
