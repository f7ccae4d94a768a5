import { fileURLToPath } from 'node:url';
import { type SpawnedApp, spawnApp, startRedis, type ThrowawayRedis } from '@qadmin/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = fileURLToPath(new URL('./server.js', import.meta.url));

describe('apps/example-express', () => {
  let redis: ThrowawayRedis;
  let app: SpawnedApp;
  beforeAll(async () => {
    redis = await startRedis();
    app = await spawnApp(server, { REDIS_URL: redis.url, TRAFFIC_RATE: '20' });
  }, 40_000);
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  it('serves the dashboard page and the BullMQ queues the traffic fills', async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/queues\/$/);
    const page = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/admin/queues/"');
    // Discovery finds the queues as the producers create them.
    await expect
      .poll(
        async () => {
          const overview = await fetch(new URL('api/overview', app.url));
          const body = (await overview.json()) as { queues: { id: string; name: string }[] };
          return body.queues.map((q) => q.id).sort();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toEqual(expect.arrayContaining(['bullmq:emails', 'bullmq:reports', 'bullmq:webhooks']));
    const schedules = await fetch(new URL('api/queues/bullmq%3Areports/schedules', app.url));
    const list = (await schedules.json()) as { id: string }[];
    expect(list.map((s) => s.id).sort()).toEqual(['hourly-sales', 'nightly-digest']);
  }, 30_000);

  it("keeps the app's own routes and body parser working", async () => {
    const signup = await fetch(new URL('/signup', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com' }),
    });
    expect(signup.status).toBe(202);
    const { queued } = (await signup.json()) as { queued: string };
    const job = await fetch(new URL(`api/queues/bullmq%3Aemails/jobs/${queued}`, app.url));
    expect(((await job.json()) as { data: unknown }).data).toEqual({
      to: 'ada@example.com',
      template: 'welcome',
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await app.stop()).toBe(0);
  });
});
