/**
 * Requests a fault test sends to a dashboard while its store is down or
 * slow: each one timed, and each outcome kept (a status, a hang, a network
 * error) instead of thrown, so a test can say afterwards what every request
 * met.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin, createNodeListener, type QueueBackend } from '@qadmin/core';

/**
 * How one request ended.
 *
 * @example
 * ```ts
 * const answer: ProbeAnswer = await probe(base, 'jobs', 'GET', 'api/queues/x/jobs', since);
 * if (answer.status === 'hung') console.log(showAnswer(answer));
 * ```
 */
export interface ProbeAnswer {
  label: string;
  /** The HTTP status, or how the request ended without one. */
  status: number | 'hung' | 'network-error';
  contentType: string;
  ms: number;
  body: unknown;
  /** Milliseconds since `since` (the start of the fault) when the request was sent. */
  sentAt: number;
}

/** A request still unanswered after this long is recorded as hung. */
export const HUNG_AFTER_MS = 12_000;

/**
 * Sends one request to `<base>/<path>` (JSON `body` when given) and resolves
 * with how it ended, never rejecting.
 *
 * @example
 * ```ts
 * const answer = await probe('http://127.0.0.1:3000', 'overview', 'GET', 'api/overview', performance.now());
 * ```
 */
export async function probe(
  base: string,
  label: string,
  method: 'GET' | 'POST',
  path: string,
  since: number,
  body?: unknown,
): Promise<ProbeAnswer> {
  const started = performance.now();
  const sentAt = Math.round(started - since);
  try {
    const response = await fetch(`${base}/${path}`, {
      method,
      // A change carries the header the dashboard's own pages send (core's CSRF check).
      ...(method === 'GET' ? {} : { headers: { 'x-qadmin-csrf': '1' } }),
      ...(body === undefined
        ? {}
        : {
            headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
            body: JSON.stringify(body),
          }),
      signal: AbortSignal.timeout(HUNG_AFTER_MS),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return {
      label,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      ms: Math.round(performance.now() - started),
      body: parsed,
      sentAt,
    };
  } catch (error) {
    const hung = error instanceof Error && error.name === 'TimeoutError';
    return {
      label,
      status: hung ? 'hung' : 'network-error',
      contentType: '',
      ms: Math.round(performance.now() - started),
      body: String(error),
      sentAt,
    };
  }
}

/**
 * True when the answer is an `application/problem+json` document.
 *
 * @example
 * ```ts
 * expect(isProblemAnswer(answer)).toBe(true);
 * ```
 */
export function isProblemAnswer(answer: ProbeAnswer): boolean {
  return answer.contentType.startsWith('application/problem+json');
}

/**
 * One line for a test message: label, status, time, and the body of an
 * unexpected 5xx.
 *
 * @example
 * ```ts
 * expect(late.map(showAnswer)).toEqual([]);
 * ```
 */
export function showAnswer(answer: ProbeAnswer): string {
  return `${answer.label}: ${answer.status} in ${answer.ms} ms (sent at +${answer.sentAt} ms)${
    typeof answer.status === 'number' && answer.status >= 500 && answer.status !== 503
      ? ` ${JSON.stringify(answer.body)}`
      : ''
  }`;
}

/**
 * A dashboard a fault test drives: its base URL, the backend id and two of
 * its queues (one with waiting and failed jobs, one with delayed jobs).
 *
 * @example
 * ```ts
 * const target: DashboardTarget = { base, backend: 'pgboss', queue: 'emails', otherQueue: 'reports' };
 * ```
 */
export interface DashboardTarget {
  base: string;
  backend: string;
  queue: string;
  otherQueue: string;
}

/** Labels of {@link dashboardRound}'s requests that concern one queue (the others summarize). */
export const PER_QUEUE_LABELS: ReadonlySet<string> = new Set([
  'queue',
  'jobs',
  'job',
  'retry',
  'other queue',
]);

const queuePath = (target: DashboardTarget, queue: string) =>
  `api/queues/${encodeURIComponent(`${target.backend}:${queue}`)}`;

/**
 * One of each request a dashboard page makes, all at once: the overview,
 * health, the queue, its waiting jobs, one job, a retry of that job, and the
 * other queue's delayed jobs.
 *
 * @example
 * ```ts
 * const answers = await dashboardRound(target, performance.now(), failedJobId);
 * ```
 */
export function dashboardRound(
  target: DashboardTarget,
  since: number,
  jobId: string,
): Promise<ProbeAnswer[]> {
  const queue = queuePath(target, target.queue);
  const job = `${queue}/jobs/${encodeURIComponent(jobId)}`;
  const ask = (label: string, method: 'GET' | 'POST', path: string, body?: unknown) =>
    probe(target.base, label, method, path, since, body);
  return Promise.all([
    ask('overview', 'GET', 'api/overview'),
    ask('health', 'GET', 'api/health'),
    ask('queue', 'GET', queue),
    ask('jobs', 'GET', `${queue}/jobs?state=waiting`),
    ask('job', 'GET', job),
    ask('retry', 'POST', `${job}/actions`, { type: 'retry' }),
    ask('other queue', 'GET', `${queuePath(target, target.otherQueue)}/jobs?state=delayed`),
  ]);
}

/**
 * Polls until both queues' job lists answer 200 and the overview says the
 * backend is reachable; resolves with how long that took, or rejects with
 * the last answers after `withinMs`. (Both queues: a backend that discovers
 * queues in the background may know one before the other.)
 *
 * @example
 * ```ts
 * const recoveredAfterMs = await waitUntilHealthy(target, 5000);
 * ```
 */
export async function waitUntilHealthy(target: DashboardTarget, withinMs: number): Promise<number> {
  const started = performance.now();
  const jobsPath = `${queuePath(target, target.queue)}/jobs?state=waiting`;
  const otherPath = `${queuePath(target, target.otherQueue)}/jobs?state=delayed`;
  let last: ProbeAnswer[] = [];
  while (performance.now() - started < withinMs) {
    const jobs = await probe(target.base, 'jobs', 'GET', jobsPath, started);
    const other = await probe(target.base, 'other queue', 'GET', otherPath, started);
    if (jobs.status === 200 && other.status === 200) {
      const overview = await probe(target.base, 'overview', 'GET', 'api/overview', started);
      const backendOk = (overview.body as { backends?: { ok: boolean }[] }).backends?.[0]?.ok;
      if (overview.status === 200 && backendOk) return Math.round(performance.now() - started);
      last = [jobs, other, overview];
    } else last = [jobs, other];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not healthy within ${withinMs} ms: ${last.map(showAnswer).join('; ')}`);
}

/**
 * What a host process must never see while its store fails: unhandled
 * rejections, uncaught exceptions, and `console.error` calls (an unexpected
 * 500 is logged there). {@link watchHost} starts recording them.
 *
 * @example
 * ```ts
 * const host: HostWatch = watchHost();
 * // ... the fault ...
 * expect(host.crashes).toEqual([]);
 * host.restore();
 * ```
 */
export interface HostWatch {
  crashes: { kind: string; error: unknown }[];
  errorLogs: unknown[][];
  /** Stops recording and puts `console.error` back. */
  restore(): void;
}

/**
 * Records what {@link HostWatch} describes until `restore()`. `console.error`
 * still prints.
 *
 * @example
 * ```ts
 * beforeAll(() => { host = watchHost(); });
 * afterAll(() => host.restore());
 * ```
 */
export function watchHost(): HostWatch {
  const crashes: HostWatch['crashes'] = [];
  const errorLogs: unknown[][] = [];
  const onRejection = (error: unknown) => crashes.push({ kind: 'unhandledRejection', error });
  const onException = (error: unknown) => crashes.push({ kind: 'uncaughtException', error });
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const original = console.error;
  console.error = (...args: unknown[]) => {
    errorLogs.push(args);
    original(...args);
  };
  return {
    crashes,
    errorLogs,
    restore() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      console.error = original;
    },
  };
}

/**
 * What went wrong in the answers a dashboard gave while its store was down,
 * by rule, each answer shown as a line (empty lists: all well): answered
 * later than `answerWithinMs` or hung; a per-queue route that was not a 503
 * problem+json; an overview or health that was not a 200; an overview or
 * health sent more than a second into the outage that did not mark the
 * backend unreachable.
 *
 * @example
 * ```ts
 * const outage = judgeOutage(during, 2000);
 * expect(outage.late).toEqual([]);
 * ```
 */
export function judgeOutage(
  during: readonly ProbeAnswer[],
  answerWithinMs: number,
): { late: string[]; perQueueNot503: string[]; summaryNot200: string[]; notMarkedDown: string[] } {
  const summaries = during.filter((a) => a.label === 'overview' || a.label === 'health');
  return {
    late: during.filter((a) => a.ms >= answerWithinMs || a.status === 'hung').map(showAnswer),
    perQueueNot503: during
      .filter((a) => PER_QUEUE_LABELS.has(a.label) && !(a.status === 503 && isProblemAnswer(a)))
      .map(showAnswer),
    summaryNot200: summaries.filter((a) => a.status !== 200).map(showAnswer),
    notMarkedDown: summaries
      .filter(
        (a) =>
          a.sentAt > 1000 &&
          (a.body as { backends?: { ok: boolean }[] }).backends?.[0]?.ok !== false,
      )
      .map(showAnswer),
  };
}

/**
 * Polls the queue's waiting jobs until they answer 200; resolves with how
 * long that took since `since`, or `null` after `withinMs` (with the last
 * answer).
 *
 * @example
 * ```ts
 * const { afterMs } = await waitForJobs(target, performance.now(), 10_000);
 * ```
 */
export async function waitForJobs(
  target: DashboardTarget,
  since: number,
  withinMs: number,
): Promise<{ afterMs: number | null; last: ProbeAnswer | undefined }> {
  const path = `${queuePath(target, target.queue)}/jobs?state=waiting`;
  let last: ProbeAnswer | undefined;
  while (performance.now() - since < withinMs) {
    last = await probe(target.base, 'jobs', 'GET', path, since);
    if (last.status === 200) return { afterMs: Math.round(performance.now() - since), last };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { afterMs: null, last };
}

/**
 * A dashboard a fault test drives: `createAdmin` over `backend` on
 * `node:http` at a free port (refresh every 500 ms, no UI, writes open so
 * retries reach the store), and the {@link DashboardTarget} for its two
 * queues. `close()` ends the dashboard and the server; the store is the
 * test's.
 *
 * @example
 * ```ts
 * const dashboard = await serveFaultDashboard(backend, { queue: 'emails', otherQueue: 'reports' });
 * await dashboardRound(dashboard.target, performance.now(), jobId);
 * await dashboard.close();
 * ```
 */
export async function serveFaultDashboard(
  backend: QueueBackend,
  queues: { queue: string; otherQueue: string },
): Promise<{ target: DashboardTarget; close(): Promise<void> }> {
  const admin = createAdmin({
    // Retries without login: fault tests are about the store failing, not about access.
    unsafeAnonymousWrites: true,
    warn: () => {},
    backends: [backend],
    refreshIntervalMs: 500,
    uiDir: false,
  });
  const server = createServer(createNodeListener(admin));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: {
      base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      backend: backend.id,
      ...queues,
    },
    async close() {
      await admin.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
