/**
 * Redis failing under a dashboard in use, through the real HTTP stack:
 * `createAdmin` + `createNodeListener` on `node:http`, over a backend on a
 * Redis of this file's own (it is killed and paused here, so not the shared
 * one of test/global-setup.ts).
 *
 * What the dashboard owes its users then: every request answers within 2 s
 * (the per-queue routes with a 503 problem+json, the overview with a 200 that
 * marks the backend unreachable, as core documents: it has no problem
 * statuses), nothing hangs, the host process sees no unhandled rejection or
 * uncaught exception, and everything works again within 5 s of Redis coming
 * back. The same holds for a Redis that answers slowly (`CLIENT PAUSE`).
 */
import {
  type ProbeAnswer as Answer,
  type DashboardTarget,
  dashboardRound,
  type HostWatch,
  isProblemAnswer as isProblem,
  judgeOutage,
  PER_QUEUE_LABELS,
  probe,
  serveFaultDashboard,
  showAnswer as show,
  startRedis,
  type ThrowawayRedis,
  waitForJobs,
  waitUntilHealthy,
  watchHost,
} from '@qadmin/test-fixtures';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { type BullmqBackend, createBullmqBackend } from '../src/index';
import { seedBullmqQueue } from './seed';

/** The most a request may take while Redis is down or slow. */
const ANSWER_WITHIN_MS = 2000;
/** How soon after Redis is back every route must work again. */
const RECOVER_WITHIN_MS = 5000;
/**
 * How long Redis stays down while the dashboard keeps asking: long enough for
 * ioredis to back off between reconnection attempts as it does in a real
 * outage (its delay grows by 50 ms per attempt), not only the first second.
 */
const OUTAGE_MS = 10_000;
/** How long Redis stops answering in the slow case. */
const PAUSE_MS = 3000;

const PREFIX = 'faults';
const EMAILS = 'emails';
const REPORTS = 'reports';

let redis: ThrowawayRedis;
let backend: BullmqBackend;
let dashboard: Awaited<ReturnType<typeof serveFaultDashboard>>;

let host: HostWatch;
let target: DashboardTarget;

/** What the seeding wrote: the ids the requests below ask for. */
let seeded: { failed: string[]; waiting: number };

async function seed(): Promise<void> {
  const ids = await seedBullmqQueue({ url: redis.url, prefix: PREFIX }, EMAILS, {
    waiting: 3,
    failed: 3,
    completed: 2,
  });
  await seedBullmqQueue({ url: redis.url, prefix: PREFIX }, REPORTS, { waiting: 2, delayed: 1 });
  seeded = { failed: ids.failed ?? [], waiting: ids.waiting?.length ?? 0 };
}

beforeAll(async () => {
  host = watchHost();

  redis = await startRedis();
  // Discovery every 500 ms: each test flushes and re-seeds Redis, and this file is about
  // faults, not about how soon a new queue is found.
  backend = createBullmqBackend({
    connection: redis.url,
    prefix: PREFIX,
    discoveryIntervalMs: 500,
  });
  dashboard = await serveFaultDashboard(backend, { queue: EMAILS, otherQueue: REPORTS });
  target = dashboard.target;
});

beforeEach(async () => {
  // Each test starts from a Redis that runs and holds the seeded queues, whatever the last one left.
  await redis.start();
  const flusher = new Redis(redis.url, { maxRetriesPerRequest: null });
  try {
    await flusher.flushall();
  } finally {
    await flusher.quit();
  }
  await seed();
  await waitUntilHealthy(target, RECOVER_WITHIN_MS * 2);
}, 30_000);

afterEach(() => {
  expect(host.crashes, 'unhandled rejections and uncaught exceptions in the host').toEqual([]);
  expect(host.errorLogs, 'console.error calls (unexpected 500s, unhandled ioredis errors)').toEqual(
    [],
  );
});

afterAll(async () => {
  await dashboard?.close();
  await redis?.stop();
  host?.restore();
});

it('answers every request within 2 s while Redis is killed, and recovers within 5 s of its return', {
  timeout: 120_000,
}, async () => {
  // In use: every route answers before the fault, the retry included.
  const before = await dashboardRound(target, performance.now(), seeded.failed[0]!);
  expect(before.map((a) => [a.label, a.status])).toEqual([
    ['overview', 200],
    ['health', 200],
    ['queue', 200],
    ['jobs', 200],
    ['job', 200],
    ['retry', 200],
    ['other queue', 200],
  ]);

  await redis.kill();
  const killedAt = performance.now();
  const during: Answer[] = [];
  while (performance.now() - killedAt < OUTAGE_MS) {
    during.push(...(await dashboardRound(target, killedAt, seeded.failed[1]!)));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const slowest = Math.max(...during.map((a) => a.ms));

  await redis.start();
  const startedAt = performance.now();
  // It comes back empty: the queues are seeded again, as a producer would fill them.
  await seed();
  const seededAfterMs = Math.round(performance.now() - startedAt);
  const { afterMs: recoveredAfterMs, last: lastJobs } = await waitForJobs(
    target,
    startedAt,
    RECOVER_WITHIN_MS + 5000,
  );
  const after = await dashboardRound(target, startedAt, seeded.failed[0]!);

  console.info(
    `[faults] killed for ${OUTAGE_MS} ms: ${during.length} requests, slowest ${slowest} ms; ` +
      `by route (max ms): ${[...new Set(during.map((a) => a.label))]
        .map((l) => `${l} ${Math.max(...during.filter((a) => a.label === l).map((a) => a.ms))}`)
        .join(
          ', ',
        )}; re-seeded after ${seededAfterMs} ms; jobs 200 again after ${recoveredAfterMs} ms`,
  );

  const outage = judgeOutage(during, ANSWER_WITHIN_MS);
  expect(outage.late, `requests slower than ${ANSWER_WITHIN_MS} ms while down`).toEqual([]);
  expect(outage.perQueueNot503, 'per-queue routes: 503 problem+json while down').toEqual([]);
  expect(outage.summaryNot200, 'overview and health: 200 while down').toEqual([]);
  expect(outage.notMarkedDown, 'overview/health marking the backend unreachable').toEqual([]);
  expect(
    during
      .filter((a) => a.label === 'health' && a.sentAt > 1000)
      .every((a) => (a.body as { status: string }).status === 'degraded'),
  ).toBe(true);

  expect(recoveredAfterMs, `jobs still ${lastJobs && show(lastJobs)}`).not.toBeNull();
  expect(recoveredAfterMs!).toBeLessThan(RECOVER_WITHIN_MS);
  const jobsBody = after.find((a) => a.label === 'jobs')!.body as { total: number };
  expect(jobsBody.total).toBe(seeded.waiting);
  expect(after.map((a) => [a.label, a.status])).toEqual([
    ['overview', 200],
    ['health', 200],
    ['queue', 200],
    ['jobs', 200],
    ['job', 200],
    ['retry', 200],
    ['other queue', 200],
  ]);
  // The host still serves, and the overview sees the backend again.
  const overview = after.find((a) => a.label === 'overview')!.body as {
    backends: { ok: boolean }[];
  };
  expect(overview.backends[0]!.ok).toBe(true);
});

it('answers every request within 2 s while Redis answers slowly, with 503 or the data', {
  timeout: 120_000,
}, async () => {
  const pauser = new Redis(redis.url, { maxRetriesPerRequest: null });
  try {
    // Every command of every other client waits for PAUSE_MS (DEBUG SLEEP is refused by
    // Redis 7's default enable-debug-command no).
    await pauser.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    const pausedAt = performance.now();
    const during: Answer[] = [];
    // One round right away, then one while the snapshot of the overview has aged out.
    during.push(...(await dashboardRound(target, pausedAt, seeded.failed[0]!)));
    if (performance.now() - pausedAt < PAUSE_MS - 1000) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      during.push(...(await dashboardRound(target, pausedAt, seeded.failed[1]!)));
    }
    const slowest = Math.max(...during.map((a) => a.ms));
    console.info(
      `[faults] Redis paused for ${PAUSE_MS} ms: ${during.length} requests, slowest ${slowest} ms: ${during
        .map((a) => `${a.label} ${a.status} ${a.ms} ms`)
        .join(', ')}`,
    );

    const late = during.filter((a) => a.ms >= ANSWER_WITHIN_MS || a.status === 'hung');
    expect(late.map(show), `requests slower than ${ANSWER_WITHIN_MS} ms while slow`).toEqual([]);
    const wrong = during.filter((a) =>
      PER_QUEUE_LABELS.has(a.label)
        ? !(a.status === 200 || (a.status === 503 && isProblem(a)) || a.label === 'retry')
        : a.status !== 200,
    );
    expect(wrong.map(show), 'per-queue routes: the data or a 503 problem+json').toEqual([]);
    // The retry either happened (200) or was refused for want of Redis (503); a 409 means
    // a retry issued while Redis was slow went through after its request was answered.
    const retries = during.filter((a) => a.label === 'retry');
    expect(retries.filter((a) => a.status !== 200 && a.status !== 503).map(show)).toEqual([]);
  } finally {
    await pauser.quit();
  }
  // Once Redis answers again, so does every route.
  const recoveredAfterMs = await waitUntilHealthy(target, RECOVER_WITHIN_MS);
  expect(recoveredAfterMs).toBeLessThan(RECOVER_WITHIN_MS);
  // A 503 says the answer did not come in time, not that nothing happened: the commands
  // were sent, and Redis runs them once it answers again. Shown, not asserted.
  const states = await Promise.all(
    seeded.failed.slice(0, 2).map(async (jobId) => {
      const job = await probe(
        target.base,
        'job',
        'GET',
        `api/queues/${target.backend}%3A${EMAILS}/jobs/${jobId}`,
        0,
      );
      return `${jobId} ${(job.body as { state?: string }).state}`;
    }),
  );
  console.info(
    `[faults] recovered ${recoveredAfterMs} ms after the pause; the jobs retried meanwhile are now: ${states.join(', ')}`,
  );
});
