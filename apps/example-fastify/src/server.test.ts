import { fileURLToPath } from 'node:url';
import {
  type SpawnedApp,
  spawnApp,
  startPostgres,
  type ThrowawayPostgres,
} from '@qadmin/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = fileURLToPath(new URL('./server.js', import.meta.url));

interface Overview {
  queues: { id: string; counts: Record<string, number> }[];
}

const QUEUES = [
  'pgboss:emails',
  'pgboss:emails-dead',
  'pgboss:image-resize',
  'pgboss:reports',
  'pgboss:search-index',
  'pgboss:webhooks',
];

describe('apps/example-fastify', () => {
  let pg: ThrowawayPostgres;
  let app: SpawnedApp;
  beforeAll(async () => {
    pg = await startPostgres();
    const databaseUrl = await pg.createDatabase('example');
    app = await spawnApp(server, { DATABASE_URL: databaseUrl, TRAFFIC_RATE: '20' }, 60_000);
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await pg?.stop();
  });

  it('serves the dashboard page and the pg-boss queues the traffic fills', async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/queues\/$/);
    const page = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/admin/queues/"');

    // Webhooks to the legacy endpoint fail for good after their retries.
    const overview = async () =>
      (await (await fetch(new URL('api/overview', app.url))).json()) as Overview;
    await expect
      .poll(
        async () => {
          const { queues } = await overview();
          const counts = (id: string) => queues.find((q) => q.id === id)?.counts ?? {};
          return {
            queues: queues.map((q) => q.id).sort(),
            emailsCompleted: (counts('pgboss:emails').completed ?? 0) > 0,
            webhooksFailed: (counts('pgboss:webhooks').failed ?? 0) > 0,
          };
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toEqual({ queues: QUEUES, emailsCompleted: true, webhooksFailed: true });

    const failed = await fetch(new URL('api/queues/pgboss%3Awebhooks/jobs?state=failed', app.url));
    expect(failed.status).toBe(200);
    const [first] = ((await failed.json()) as { jobs: { id: string }[] }).jobs;
    const detail = await fetch(new URL(`api/queues/pgboss%3Awebhooks/jobs/${first!.id}`, app.url));
    const job = (await detail.json()) as {
      state: string;
      data: { url: string };
      failedReason: string | null;
      attemptsMade: number;
    };
    expect(job.state).toBe('failed');
    expect(job.data.url).toMatch(/^https:\/\//);
    expect(job.failedReason).toMatch(/POST https:\/\/\S+ -> |expired|timeout/i);
    expect(job.attemptsMade).toBeGreaterThan(1);

    const schedules = await fetch(new URL('api/queues/pgboss%3Areports/schedules', app.url));
    const list = (await schedules.json()) as { id: string }[];
    expect(list.map((s) => s.id).sort()).toEqual(['nightly-digest', 'sales-every-minute']);
  }, 90_000);

  it("keeps the app's own routes and body parser working", async () => {
    const signup = await fetch(new URL('/signup', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com' }),
    });
    expect(signup.status).toBe(202);
    const { queued } = (await signup.json()) as { queued: string };
    const job = await fetch(new URL(`api/queues/pgboss%3Aemails/jobs/${queued}`, app.url));
    expect(((await job.json()) as { data: unknown }).data).toEqual({
      to: 'ada@example.com',
      template: 'welcome',
    });
  });

  it("reads the dashboard's request bodies itself, beyond the app's bodyLimit", async () => {
    const note = 'x'.repeat(32 * 1024);
    const created = await fetch(new URL('api/queues/pgboss%3Aemails/jobs', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: JSON.stringify({
        name: 'emails',
        data: { to: 'big@example.com', template: 'welcome', note },
      }),
    });
    expect(created.status).toBe(201);
    const tooLarge = await fetch(new URL('/signup', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'big@example.com', note }),
    });
    expect(tooLarge.status).toBe(413);
  });

  it('stops cleanly and promptly on SIGTERM, even with the dashboard open in a tab', async () => {
    const events = await fetch(new URL('api/events', app.url), {
      headers: { accept: 'text/event-stream' },
    });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    const started = Date.now();
    expect(await app.stop()).toBe(0);
    // Workers are mid-job at 20 jobs/s: pg-boss stops without waiting for them.
    expect(Date.now() - started).toBeLessThan(5_000);
    await reader.cancel().catch(() => {});
  });
});
