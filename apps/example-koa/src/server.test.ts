import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SpawnedApp, spawnApp, startRedis, type ThrowawayRedis } from '@qadmin/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = fileURLToPath(new URL('./server.js', import.meta.url));

interface Page {
  jobs: { id: string; state: string; nativeState: string; failedReason: string | null }[];
}

describe('apps/example-koa', () => {
  let redis: ThrowawayRedis;
  let app: SpawnedApp;
  const folder = mkdtempSync(join(tmpdir(), 'example-koa-'));
  beforeAll(async () => {
    redis = await startRedis();
    app = await spawnApp(server, {
      REDIS_URL: redis.url,
      TRAFFIC_RATE: '20',
      COLLECTOR_FILE: join(folder, 'events.db'),
    });
  }, 40_000);
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(new URL(path, app.url));
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  it('serves the dashboard page and the queues the bee-queue workers report', async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/queues\/$/);
    const page = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('<base href="/admin/queues/"');
    await expect
      .poll(
        async () =>
          (await get<{ queues: { id: string }[] }>('api/overview')).queues.map((q) => q.id).sort(),
        { timeout: 20_000, interval: 500 },
      )
      .toEqual(['collector:emails', 'collector:images', 'collector:webhooks']);
    // Real outcomes arrive: completed jobs, failures with the error bee-queue saw, a worker.
    await expect
      .poll(
        async () =>
          (await get<Page>('api/queues/collector%3Aemails/jobs?state=failed')).jobs[0]
            ?.failedReason,
        {
          timeout: 20_000,
          interval: 500,
        },
      )
      .toMatch(/^550 mailbox user\d+@bounce\.example unavailable$/);
    await expect
      .poll(
        async () =>
          (await get<Page>('api/queues/collector%3Aimages/jobs?state=completed')).jobs.length,
        {
          timeout: 20_000,
          interval: 500,
        },
      )
      .toBeGreaterThan(0);
    await expect
      .poll(async () => (await get<{ name: string }[]>('api/workers'))[0]?.name, {
        timeout: 20_000,
        interval: 500,
      })
      .toMatch(/^shop-worker@/);
  }, 45_000);

  it('queues through the app and retries from the dashboard through bee-queue', async () => {
    const signup = await fetch(new URL('/signup', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@bounce.example' }),
    });
    expect(signup.status).toBe(202);
    const { queued } = (await signup.json()) as { queued: string };
    const job = `api/queues/collector%3Aemails/jobs/${queued}`;
    await expect
      .poll(async () => (await get<{ state: string }>(job)).state, {
        timeout: 15_000,
        interval: 300,
      })
      .toBe('failed');
    const retry = await fetch(new URL(`${job}/actions`, app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-qadmin-csrf': '1' },
      body: JSON.stringify({ type: 'retry' }),
    });
    expect(retry.status).toBe(200);
    // The worker takes the command, bee-queue runs it again (it fails again: the mailbox bounces).
    await expect
      .poll(async () => (await get<{ state: string; attemptsMade: number }>(job)).attemptsMade, {
        timeout: 15_000,
        interval: 300,
      })
      .toBe(2);
    await expect
      .poll(async () => (await get<{ state: string }>(job)).state, {
        timeout: 15_000,
        interval: 300,
      })
      .toBe('failed');
  }, 45_000);

  it('stops cleanly on SIGTERM', async () => {
    expect(await app.stop()).toBe(0);
  });
});
