/**
 * A real dashboard with the real collector behind it, on node:http on a free
 * port, mounted under `/admin/queues` like an app would: what a reporter
 * talks to in production, and what the end-to-end tests read back through
 * the dashboard's own API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CollectorBackend, createCollectorBackend } from '@qadmin/backend-collector';
import { createAdmin, createNodeListener } from '@qadmin/core';
import { TOKEN, waitFor } from './support';

export interface JobView {
  id: string;
  name: string;
  state: string;
  nativeState: string;
  attemptsMade: number;
  attemptsAllowed: number | null;
  failedReason: string | null;
  stacktrace?: string[];
  progress: unknown;
  returnValue?: unknown;
  data?: unknown;
  workerId: string | null;
}

export interface Dashboard {
  /** The mount URL a reporter is given. */
  url: string;
  collector: CollectorBackend;
  /** GETs `api/<path>` and parses the JSON; throws on a non-2xx answer. */
  get<T = unknown>(path: string): Promise<T>;
  /** POSTs JSON to `api/<path>` as a dashboard user would. */
  post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  /** Ids of the jobs of `queue` in `state`. */
  jobIds(queue: string, state: string): Promise<string[]>;
  job(queue: string, id: string): Promise<JobView>;
  /** Waits until job `id` of `queue` is in `state` (and `check` holds); resolves with it. */
  waitForJob(
    queue: string,
    id: string,
    state: string,
    check?: (job: JobView) => boolean,
    timeoutMs?: number,
  ): Promise<JobView>;
  /** Asks for a job action (retry, cancel) through the dashboard API. */
  act(queue: string, id: string, type: 'retry' | 'cancel'): Promise<JobView>;
  stop(): Promise<void>;
}

export async function startDashboard(): Promise<Dashboard> {
  const dir = mkdtempSync(join(tmpdir(), 'qadmin-reporter-'));
  const collector = createCollectorBackend({
    file: join(dir, 'collector.sqlite'),
    ingestTokens: [TOKEN],
  });
  const admin = createAdmin({ backends: [collector], unsafeAnonymousWrites: true, warn: () => {} });
  const server = createServer(createNodeListener(admin, { basePath: '/admin/queues' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/queues`;
  const queueId = (queue: string) => encodeURIComponent(`${collector.id}:${queue}`);

  const dashboard: Dashboard = {
    url: base,
    collector,
    async get<T>(path: string) {
      const response = await fetch(`${base}/api/${path}`);
      const text = await response.text();
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
    async post<T>(path: string, body: unknown) {
      const response = await fetch(`${base}/api/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
    },
    async jobIds(queue, state) {
      const page = await dashboard.get<{ jobs: { id: string }[] }>(
        `queues/${queueId(queue)}/jobs?state=${state}&limit=100`,
      );
      return page.jobs.map((job) => job.id);
    },
    job(queue, id) {
      return dashboard.get<JobView>(`queues/${queueId(queue)}/jobs/${encodeURIComponent(id)}`);
    },
    waitForJob(queue, id, state, check = () => true, timeoutMs = 20_000) {
      let last: JobView | undefined;
      return waitFor(
        `job ${queue}/${id} to be ${state}`,
        async () => {
          last = await dashboard.job(queue, id).catch(() => undefined);
          return last && last.state === state && check(last) ? last : null;
        },
        timeoutMs,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; last seen: ${JSON.stringify(last)}`);
      });
    },
    async act(queue, id, type) {
      const { status, body } = await dashboard.post<{ job: JobView }>(
        `queues/${queueId(queue)}/jobs/${encodeURIComponent(id)}/actions`,
        { type },
      );
      if (status !== 200)
        throw new Error(`${type} of ${queue}/${id}: ${status} ${JSON.stringify(body)}`);
      return body.job;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await admin.close();
      await collector.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return dashboard;
}
